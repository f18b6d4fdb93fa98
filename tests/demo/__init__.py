"""Tests of the demo server (`tui_chat/demo/`): it speaks the Messages API as the real one does."""
