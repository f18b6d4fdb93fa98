"""claude-tui: a terminal chat client for Claude that shows the streaming protocol as it happens."""

import os

__version__ = "0.1.0"

# Textual paints at most TEXTUAL_FPS frames a second (60 by default), so a change waits up to a
# frame for its paint. At 120, a key typed while an answer streams shows sooner (the benchmark's
# keystroke echo), for no more CPU: the stream's own frames come five times a second either way.
# Set before Textual is imported; an explicit value wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
