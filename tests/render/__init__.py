"""Tests of the renderers (`tui_chat/render/`): lines for a width, without an app."""
