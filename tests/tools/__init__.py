"""Tests of the tools Claude can call (`tui_chat/tools/`): the built-in ones and MCP servers'."""
