"""Stream layer: the SDK-facing code. No Textual here.

Import submodules directly: `tui_chat.stream.wire` and `tui_chat.stream.types` are pure Python,
while `tui_chat.stream.event_stream` imports the `anthropic` SDK (slow to import, so the UI loads
it after the first frame).
"""
