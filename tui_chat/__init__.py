"""claude-tui: a terminal chat client for Claude that shows the streaming protocol as it happens."""

__version__ = "0.1.0"
