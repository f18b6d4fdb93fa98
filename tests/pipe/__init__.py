"""Tests of pipe mode (`tui_chat/pipe/`, `claude-tui -p`)."""
