"""Tests of the stream layer (`tui_chat/stream/`): the real SDK over loopback, no session, no UI."""
