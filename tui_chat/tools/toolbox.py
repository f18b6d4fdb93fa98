"""The tools a conversation can offer: the built-ins and the MCP servers' tools, run with a timeout.

`definitions()` is what goes in a request's `tools`; `run()` runs one call and always returns a
`ToolOutput` (a failure, a timeout or an unknown tool becomes an `is_error` result the model reads).
Every result is cleaned before it leaves: no secret, no key-shaped string, no control character.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_chat.safety import redact, sanitize_line
from tui_chat.tools.base import BUILT_IN, Tool, ToolError, ToolOutput, ToolSpec, clean_output
from tui_chat.tools.builtin import builtin_tools
from tui_chat.tools.mcp import McpServer, McpServerConfig

DEFAULT_TIMEOUT = 30.0
"""Seconds a tool call may take."""
DEFAULT_MAX_ROUNDS = 10
"""Round trips (an answer asking for tools, its results sent back) in one turn before claude-tui stops."""


@dataclass
class ToolSettings:
    """The `[tools]` table of config.toml, and the `[mcp_servers.*]` tables."""

    timeout: float = DEFAULT_TIMEOUT
    max_rounds: int = DEFAULT_MAX_ROUNDS
    mcp_servers: Mapping[str, McpServerConfig] | None = None


def parse_tool_settings(table: Any) -> tuple[ToolSettings, list[str]]:
    """`[tools]` of config.toml (`timeout`, `max_rounds`); a sentence for each value refused."""
    settings = ToolSettings()
    problems: list[str] = []
    if not isinstance(table, Mapping):
        return settings, ["[tools] must be a table (timeout = 30, max_rounds = 10)"]
    timeout, rounds = table.get("timeout"), table.get("max_rounds")
    if timeout is not None:
        if isinstance(timeout, int | float) and not isinstance(timeout, bool) and 0 < timeout <= 3600:
            settings.timeout = float(timeout)
        else:
            problems.append("[tools] timeout must be a number of seconds between 0 and 3600")
    if rounds is not None:
        if isinstance(rounds, int) and not isinstance(rounds, bool) and 1 <= rounds <= 100:
            settings.max_rounds = rounds
        else:
            problems.append("[tools] max_rounds must be a whole number from 1 to 100")
    return settings, problems


class Toolbox:
    """Built-in tools (the file tools rooted at `root`), extra tools a program adds, and MCP servers."""

    def __init__(
        self,
        root: Path,
        *,
        secrets: Sequence[str] = (),
        private: Sequence[Path] = (),
        settings: ToolSettings | None = None,
        extra: Iterable[Tool] = (),
        log_dir: Path | None = None,
    ) -> None:
        self.settings = settings or ToolSettings()
        self.secrets = list(secrets)
        self.local: dict[str, Tool] = {}
        for tool in [*builtin_tools(root, private=private, secrets=self.secrets), *extra]:
            self.local[tool.spec.name] = tool
        self.servers = {
            name: McpServer(config, log_dir=log_dir, secrets=self.secrets)
            for name, config in (self.settings.mcp_servers or {}).items()
        }

    @property
    def timeout(self) -> float:
        return self.settings.timeout

    @property
    def max_rounds(self) -> int:
        return self.settings.max_rounds

    async def start_servers(self) -> list[McpServer]:
        """Start every MCP server not started yet (together); return those that failed just now."""
        waiting = [server for server in self.servers.values() if not server.running and server.problem is None]
        if not waiting:
            return []
        await asyncio.gather(*(server.start() for server in waiting))
        return [server for server in waiting if server.problem is not None]

    def specs(self) -> list[ToolSpec]:
        """Every tool known now: the local ones, then each running server's."""
        specs = [tool.spec for tool in self.local.values()]
        for server in self.servers.values():
            if server.running:
                specs.extend(server.tools)
        return specs

    def find(self, name: str) -> ToolSpec | None:
        return next((spec for spec in self.specs() if spec.name == name), None)

    def definitions(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The request's `tools` entries: all known tools, or only those `names` (with a stand-in for a
        name no longer known, so a history that used it is still a valid request)."""
        if names is None:
            return [spec.definition() for spec in self.specs()]
        definitions = []
        for name in dict.fromkeys(names):
            spec = self.find(name)
            if spec is not None:
                definitions.append(spec.definition())
            else:
                stand_in = ToolSpec(name, "No longer available in this session.", {"type": "object"})
                definitions.append(stand_in.definition())
        return definitions

    async def run(self, name: str, arguments: Any) -> ToolOutput:
        """Run a call with the timeout; whatever happens, a cleaned `ToolOutput` (errors as `is_error`)."""
        spec = self.find(name)
        try:
            if spec is None:
                raise ToolError(f"There is no tool named {name!r} here (it may belong to a server that stopped).")
            if not isinstance(arguments, dict):
                raise ToolError("The tool input must be a JSON object.")
            async with asyncio.timeout(self.timeout):
                output = await self._run(spec, arguments)
        except TimeoutError:
            output = ToolOutput(f"The tool did not finish within {self.timeout:g} seconds and was stopped.", True)
        except ToolError as error:
            output = ToolOutput(str(error), True)
        except Exception as error:  # a tool's own bug: the model is told, the loop goes on
            detail = redact(sanitize_line(str(error)), self.secrets)[:500]
            output = ToolOutput(f"The tool failed: {type(error).__name__}: {detail}", True)
        return clean_output(output, self.secrets)

    async def _run(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutput:
        if spec.source == BUILT_IN or spec.name in self.local:
            return ToolOutput(await self.local[spec.name].run(arguments))
        return await self.servers[spec.source].call(spec, arguments, self.timeout)

    async def aclose(self) -> None:
        """End every MCP server (their processes too)."""
        await asyncio.gather(*(server.aclose() for server in self.servers.values()), return_exceptions=True)


def input_json(arguments: Any) -> str:
    """A call's input as shown to the user: pretty JSON."""
    return json.dumps(arguments, indent=2, ensure_ascii=False)
