"""The interop tier (marker `interop`): claude-tui against real third-party servers of the Messages API."""
