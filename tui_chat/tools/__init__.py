"""Client tools: the built-ins (time, calculator, read-only files) and MCP servers' tools, in one `Toolbox`.

No Textual and no SDK import: the chat controller runs them, the UI only shows what it reports.
"""
