"""A real stdio MCP server for the tests, written with the `mcp` SDK's server API.

`MCP_TEST_PID_FILE` (if set) gets the process id, so a test can check the process ended;
`MCP_TEST_HTTP_PORT` serves it over streamable HTTP on 127.0.0.1 instead of stdio.
"""

from __future__ import annotations

import os
import sys

import anyio
from mcp.server.mcpserver import MCPServer

server = MCPServer("notes")


@server.tool()
def shout(text: str) -> str:
    """Return the text in capital letters."""
    return text.upper()


@server.tool()
def boom() -> str:
    """Always fails."""
    raise ValueError("the notes are on fire")


@server.tool()
async def slow(seconds: float) -> str:
    """Wait, then answer."""
    await anyio.sleep(seconds)
    return "finally"


@server.tool()
def die() -> str:
    """End the server's process at once."""
    os._exit(3)


@server.tool()
def leak() -> str:
    """Return something shaped like an API key (claude-tui must never pass one on)."""
    return "the key is sk-ant-api03-" + "x" * 40 + " and " + os.environ.get("NOTES_SECRET", "")


if __name__ == "__main__":
    pid_file = os.environ.get("MCP_TEST_PID_FILE")
    if pid_file:
        with open(pid_file, "w") as file:
            file.write(str(os.getpid()))
    print("notes server starting", file=sys.stderr)
    port = os.environ.get("MCP_TEST_HTTP_PORT")
    if port:  # a streamable HTTP server on loopback instead
        server.run("streamable-http", host="127.0.0.1", port=int(port))
    else:
        server.run()
