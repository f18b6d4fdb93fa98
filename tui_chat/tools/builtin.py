"""claude-tui's own tools: the date and time, a calculator, and read-only files under the start folder."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tui_chat.tools.base import Tool, ToolError, ToolSpec
from tui_chat.tools.calculator import CalculatorError, calculate, format_number
from tui_chat.tools.files import FileGuard, FileToolError

CURRENT_TIME = ToolSpec(
    "current_time",
    "The current date and time on the user's computer, with its time zone (or in the IANA time zone given).",
    {
        "type": "object",
        "properties": {
            "timezone": {
                "type": "string",
                "description": "An IANA time zone such as Europe/Paris or America/New_York (default: the user's).",
            }
        },
    },
)
CALCULATOR = ToolSpec(
    "calculator",
    "Compute an arithmetic expression exactly: numbers, parentheses and + - * / // % ** only "
    "(no names or functions). Use it for any arithmetic instead of computing in your head.",
    {
        "type": "object",
        "properties": {"expression": {"type": "string", "description": "For example (17 * 23) / 4 + 2 ** 10."}},
        "required": ["expression"],
    },
)
LIST_FILES = ToolSpec(
    "list_files",
    "List a folder under the directory claude-tui was started in (read-only). Paths are relative to it.",
    {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "A folder, relative to the start folder (default .)."}
        },
    },
)
READ_FILE = ToolSpec(
    "read_file",
    "Read a text file under the directory claude-tui was started in (read-only; up to 64 KB at a time). "
    ".env files and files holding API keys are refused.",
    {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "A file, relative to the start folder."},
            "offset": {"type": "integer", "description": "Byte to start at, to read a long file on (default 0)."},
        },
        "required": ["path"],
    },
)


def current_time(timezone: str | None = None, *, now: datetime | None = None) -> str:
    """`Wednesday 2026-12-02 14:05:09 CET (UTC+01:00), time zone Europe/Paris`."""
    moment = (now or datetime.now()).astimezone()
    zone_name = ""
    if timezone:
        try:
            moment = moment.astimezone(ZoneInfo(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise ToolError(f"Unknown time zone {timezone!r}; give an IANA name such as Europe/Paris.") from None
        zone_name = timezone
    offset = moment.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    zone = f", time zone {zone_name}" if zone_name else ""
    return f"{moment:%A %Y-%m-%d %H:%M:%S} {moment.tzname() or ''} ({offset}){zone}; ISO 8601: {moment.isoformat()}"


def _text(arguments: dict[str, Any], name: str, default: str | None = None) -> str:
    value = arguments.get(name, default)
    if not isinstance(value, str):
        raise ToolError(f"The input needs {name!r} as a string.")
    return value


def builtin_tools(root: Path, *, private: Sequence[Path] = (), secrets: Sequence[str] = ()) -> list[Tool]:
    """The four built-ins, the file tools rooted at `root`."""
    guard = FileGuard(root, private=private, secrets=secrets)

    async def run_time(arguments: dict[str, Any]) -> str:
        zone = arguments.get("timezone")
        return current_time(zone if isinstance(zone, str) and zone.strip() else None)

    async def run_calculator(arguments: dict[str, Any]) -> str:
        expression = _text(arguments, "expression")
        try:
            return f"{expression.strip()} = {format_number(calculate(expression))}"
        except CalculatorError as error:
            raise ToolError(str(error)) from None

    async def run_list(arguments: dict[str, Any]) -> str:
        path = _text(arguments, "path", ".")
        try:
            return await asyncio.to_thread(guard.list_files, path)
        except FileToolError as error:
            raise ToolError(str(error)) from None

    async def run_read(arguments: dict[str, Any]) -> str:
        path = _text(arguments, "path")
        offset = arguments.get("offset", 0)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ToolError("'offset' must be a whole number of bytes, 0 or more.")
        try:
            return await asyncio.to_thread(guard.read_file, path, offset)
        except FileToolError as error:
            raise ToolError(str(error)) from None

    return [
        Tool(CURRENT_TIME, run_time),
        Tool(CALCULATOR, run_calculator),
        Tool(LIST_FILES, run_list),
        Tool(READ_FILE, run_read),
    ]
