"""MCP servers' tools, through the official `mcp` SDK: started when first needed, ended on quit.

A server is configured in `config.toml`:

    [mcp_servers.notes]              # a stdio server: claude-tui starts it
    command = "python"
    args = ["notes_server.py"]
    env = { NOTES_DIR = "/tmp/notes" }

    [mcp_servers.remote]             # a streamable HTTP server, already running
    url = "http://127.0.0.1:8000/mcp"

Each server lives in a task of its own (the SDK's client is entered and left in the same task); its
stderr goes to a log file, never to the terminal. A server that fails to start, or dies, is marked so
with the reason: its tools are left out and the conversation goes on without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui_chat.safety import redact, sanitize_line
from tui_chat.tools.base import ToolError, ToolOutput, ToolSpec

if TYPE_CHECKING:
    from mcp import Client

START_TIMEOUT = 20.0
"""Seconds a server has to start and list its tools."""
STOP_TIMEOUT = 5.0
LIST_PAGES = 20
TOOL_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class McpServerConfig:
    """One `[mcp_servers.NAME]` table: a stdio `command` (with `args`, `env`, `cwd`) or a streamable HTTP `url`."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None

    @property
    def describe(self) -> str:
        if self.url:
            return self.url
        return " ".join([self.command or "", *self.args]).strip()


def parse_mcp_servers(table: Any) -> tuple[dict[str, McpServerConfig], list[str]]:
    """`[mcp_servers]` of config.toml: the servers, and a sentence for each entry that was refused."""
    servers: dict[str, McpServerConfig] = {}
    problems: list[str] = []
    if not isinstance(table, Mapping):
        return servers, ["[mcp_servers] must be a table of [mcp_servers.NAME] tables"]
    for name, entry in table.items():
        where = f"[mcp_servers.{name}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where} must be a table (command = …, or url = …)")
            continue
        command, url = entry.get("command"), entry.get("url")
        if (command is None) == (url is None):
            problems.append(f"{where} needs either command (a stdio server) or url (a streamable HTTP server)")
            continue
        args, env, cwd = entry.get("args", []), entry.get("env", {}), entry.get("cwd")
        if command is not None and (not isinstance(command, str) or not command.strip()):
            problems.append(f"{where} command must be a non-empty string")
            continue
        if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
            problems.append(f"{where} url must start with http:// or https://")
            continue
        if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
            problems.append(f"{where} args must be a list of strings")
            continue
        if not isinstance(env, Mapping) or not all(isinstance(v, str) for v in env.values()):
            problems.append(f"{where} env must be a table of strings")
            continue
        if cwd is not None and not isinstance(cwd, str):
            problems.append(f"{where} cwd must be a string")
            continue
        servers[str(name)] = McpServerConfig(
            str(name), command=command, args=tuple(args), env={str(k): v for k, v in env.items()}, cwd=cwd, url=url
        )
    return servers, problems


def tool_name(server: str, tool: str) -> str:
    """The name the model sees for `tool` of `server`: `mcp__server__tool` (the API takes [A-Za-z0-9_-], ≤ 64)."""
    return TOOL_NAME.sub("_", f"mcp__{server}__{tool}")[:64]


class McpServer:
    """One configured server: its connection (a task of its own), its tools, and what went wrong."""

    def __init__(self, config: McpServerConfig, *, log_dir: Path | None = None, secrets: list[str] | None = None):
        self.config = config
        self.log_dir = log_dir
        self.secrets = list(secrets or [])
        self.tools: list[ToolSpec] = []
        self.problem: str | None = None
        """Why the server is not usable (failed to start, died), in plain words; None while it is."""
        self._client: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Event | None = None
        self._lock = asyncio.Lock()
        self._log: TextIO | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def running(self) -> bool:
        return self._client is not None and self.problem is None

    @property
    def log_path(self) -> Path | None:
        return None if self.log_dir is None else self.log_dir / f"mcp-{TOOL_NAME.sub('_', self.name)}.log"

    async def start(self) -> bool:
        """Start the server and list its tools, once; False (see `problem`) if it cannot be used."""
        async with self._lock:
            if self._client is not None or self.problem is not None:
                return self.problem is None
            ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._closing = asyncio.Event()
            self._task = asyncio.create_task(self._own(ready, self._closing), name=f"mcp server {self.name}")
            try:
                async with asyncio.timeout(START_TIMEOUT):
                    await asyncio.shield(ready)
            except TimeoutError:
                self._fail(f"it did not start within {START_TIMEOUT:g} seconds")
                self._closing.set()
            except Exception as error:
                self._fail(_reason(error))
            return self.problem is None

    async def _own(self, ready: asyncio.Future[None], closing: asyncio.Event) -> None:
        """Enter the SDK's client, list the tools, and stay in it until `aclose` (or the server dies)."""
        try:
            from mcp import Client, StdioServerParameters
            from mcp.client.stdio import stdio_client

            config = self.config
            target: Any
            if config.url:
                target = config.url
            else:
                assert config.command is not None
                self._log = self._open_log()
                parameters = StdioServerParameters(
                    command=config.command, args=list(config.args), env=dict(config.env) or None, cwd=config.cwd
                )
                target = stdio_client(parameters, errlog=self._log)
            async with Client(target, raise_exceptions=False) as client:
                self.tools = await self._list_tools(client)
                self._client = client
                if not ready.done():
                    ready.set_result(None)
                await closing.wait()
        except BaseException as error:  # the SDK raises exception groups, and the process may be gone
            if not ready.done():
                ready.set_exception(error if isinstance(error, Exception) else RuntimeError(str(error)))
            elif not closing.is_set():
                self._fail(f"it stopped ({_reason(error)})")
            if isinstance(error, asyncio.CancelledError):
                raise
        finally:
            self._client = None
            if self._log is not None:
                self._log.close()
                self._log = None

    def _open_log(self) -> TextIO:
        path = self.log_path
        if path is None:
            import os

            return open(os.devnull, "w", encoding="utf-8")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path.open("a", encoding="utf-8")

    async def _list_tools(self, client: Client) -> list[ToolSpec]:
        tools: list[ToolSpec] = []
        cursor: str | None = None
        for _ in range(LIST_PAGES):
            page = await client.list_tools(cursor=cursor)
            for tool in page.tools:
                schema = tool.input_schema if isinstance(tool.input_schema, dict) else {"type": "object"}
                description = sanitize_line(tool.description or tool.title or tool.name)[:1000]
                tools.append(
                    ToolSpec(tool_name(self.name, tool.name), description, schema, self.name, original_name=tool.name)
                )
            cursor = page.next_cursor
            if cursor is None:
                break
        return tools

    def _fail(self, reason: str) -> None:
        if self.problem is None:
            self.problem = redact(sanitize_line(reason), self.secrets)[:300] + self._stderr_tail()
            self.tools = []

    def _stderr_tail(self) -> str:
        """The last lines the server wrote to stderr (it often says why it failed)."""
        path = self.log_path
        if path is None or self.config.url:
            return ""
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        except OSError:
            return ""
        tail = redact(sanitize_line(" | ".join(line.strip() for line in lines)), self.secrets)[-300:]
        return f" — its last words: {tail}" if tail else ""

    async def call(self, spec: ToolSpec, arguments: dict[str, Any], seconds: float) -> ToolOutput:
        """Run one of its tools. A server that has died (or dies now) raises `ToolError` saying so."""
        client = self._client
        if client is None or self.problem is not None:
            raise ToolError(f"The MCP server {self.name} is not running: {self.problem or 'not started'}.")
        try:
            result = await client.call_tool(spec.original_name or spec.name, arguments, read_timeout_seconds=seconds)
        except (TimeoutError, asyncio.CancelledError):
            raise
        except Exception as error:
            if self._task is not None and (self._task.done() or "closed" in str(error).lower()):
                self._fail(f"it stopped ({_reason(error)})")
                raise ToolError(f"The MCP server {self.name} stopped: {self.problem}.") from None
            raise ToolError(f"The MCP server {self.name} answered with an error: {_reason(error)}.") from None
        return ToolOutput(_content(result.content, result.structured_content), bool(result.is_error))

    async def aclose(self) -> None:
        """End the connection (and a stdio server's process)."""
        if self._closing is not None:
            self._closing.set()
        task = self._task
        if task is not None and not task.done():
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await asyncio.shield(task)
            except (TimeoutError, Exception):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


def _content(blocks: list[Any], structured: Any) -> str | list[dict[str, Any]]:
    """An MCP result's content as `tool_result` content: text and images as they are, the rest described."""
    content: list[dict[str, Any]] = []
    for block in blocks:
        kind = getattr(block, "type", "")
        if kind == "text":
            content.append({"type": "text", "text": str(block.text)})
        elif kind == "image" and str(getattr(block, "mime_type", "")) in (
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
        ):
            source = {"type": "base64", "media_type": block.mime_type, "data": block.data}
            content.append({"type": "image", "source": source})
        else:
            dump = block.model_dump(mode="json", exclude_none=True) if hasattr(block, "model_dump") else str(block)
            content.append({"type": "text", "text": json.dumps(dump, ensure_ascii=False)[:4000]})
    if not content and structured is not None:
        content.append({"type": "text", "text": json.dumps(structured, ensure_ascii=False)})
    if len(content) == 1 and content[0]["type"] == "text":
        return str(content[0]["text"])
    return content or "(no output)"


def _reason(error: BaseException) -> str:
    """The innermost message of an error (the SDK wraps them in exception groups)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, FileNotFoundError):
        return f"command not found: {error.filename or error}"
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}" if not isinstance(error, OSError) else text
