"""`claude-tui --web` (`tui_chat/web.py`), down to the app used from headless Chromium."""
