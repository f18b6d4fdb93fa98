"""Tests of the session layer (`tui_chat/session/`): conversation state, the chat controller, the store, exports; no UI."""
