"""The demo server's side of the tool loop: it asks for the client tools a request offers, then reads the
`tool_result`s it is sent back and answers with them, as a model would.

`tool …` asks for one tool (chosen by the words of the message: time, calc/calculate, list/files, read
PATH, or a tool's own name); `parallel tools` asks for two or three at once; `tool chain` asks again after
the first results; `tool loop` never stops asking (the client's round-trip cap ends it). Without client
tools in the request (tools off), it says how to offer them: the API never calls a tool it was not given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from tui_chat.demo.script import Block, Reply

DEFAULT_EXPRESSION = "(17 * 23) + 2 ** 10"


@dataclass(frozen=True)
class ClientTools:
    """What a request says about client tools: those offered, and the results its last message carries."""

    offered: dict[str, dict[str, Any]]
    """Client tools offered (name → input schema), in order."""
    results: list[dict[str, Any]]
    """The `tool_result` blocks of the latest user message."""
    calls: dict[str, dict[str, Any]]
    """Every `tool_use` of the history, by id (to name the tool a result answers)."""
    asked: str
    """The user's latest words (the message before the tool results)."""
    rounds: int
    """Tool-result messages since the user's latest words."""


def read_client_tools(body: dict[str, Any]) -> ClientTools:
    offered: dict[str, dict[str, Any]] = {}
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and tool.get("type") in (None, "custom") and isinstance(tool.get("name"), str):
            schema = tool.get("input_schema")
            offered[tool["name"]] = schema if isinstance(schema, dict) else {}
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    calls: dict[str, dict[str, Any]] = {}
    for message in messages:
        for block in _blocks(message):
            if block.get("type") == "tool_use":
                calls[str(block.get("id"))] = block
    results = [b for b in _blocks(messages[-1]) if b.get("type") == "tool_result"] if messages else []
    asked, rounds = "", 0
    for message in reversed(messages):
        if message.get("role") != "user":
            continue
        texts = [str(b.get("text", "")) for b in _blocks(message) if b.get("type") == "text"]
        if any(text.strip() for text in texts):
            asked = "\n".join(texts)
            break
        rounds += 1
    return ClientTools(offered, results, calls, asked, rounds)


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for block in content if isinstance(block, dict)] if isinstance(content, list) else []


TOOLS_OFF = (
    "I would use a tool for this, but this request offers me none: the Messages API only lets me call the "
    "tools a request lists in `tools`. Turn claude-tui's tools on with **/tools on** (or start it with "
    "`--tools`) and ask again: I will call one, claude-tui will ask you before running it, and send me its "
    "`tool_result`."
)


def ask_for_tools(tools: ClientTools, text: str, turn: int, *, parallel: bool) -> Reply:
    """The first answer: a sentence, then one `tool_use` (or several, `parallel`)."""
    if not tools.offered:
        return Reply([Block("text", TOOLS_OFF)])
    chosen = _choose(tools, text, parallel=parallel)
    names = ", ".join(f"`{name}`" for name, _ in chosen)
    intro = (
        f"I'll call {names} at once: both calls are in this one answer, and their results go back together."
        if len(chosen) > 1
        else f"I'll use the {names} tool for that."
    )
    blocks = [Block("text", intro)]
    for position, (name, arguments) in enumerate(chosen):
        tool_id = f"toolu_demo_{turn:03d}_{tools.rounds}{position}"
        blocks.append(Block("tool_use", json.dumps(arguments, ensure_ascii=False), name=name, block_id=tool_id))
    return Reply(blocks, stop_reason="tool_use")


def _choose(tools: ClientTools, text: str, *, parallel: bool) -> list[tuple[str, dict[str, Any]]]:
    offered = tools.offered
    lower = text.lower()
    wanted: list[tuple[str, dict[str, Any]]] = []
    for name in offered:  # a tool named in the message (an MCP server's, a program's own)
        if name.lower() in lower or name.lower().split("__")[-1] in lower.split():
            wanted.append((name, _example_input(name, offered[name], text)))
    rules = [
        (r"\b(calc|calculate|compute|sum|math)\b|\d\s*[-+*/^]\s*\d", "calculator"),
        (r"\b(list|files|folder|directory)\b", "list_files"),
        (r"\bread\b", "read_file"),
        (r"\b(time|date|today|clock)\b", "current_time"),
    ]
    for pattern, name in rules:
        if re.search(pattern, lower) and name in offered and all(name != w for w, _ in wanted):
            wanted.append((name, _example_input(name, offered[name], text)))
    if parallel:  # those the message asks for (two at least), else the time, the calculator and the files
        target = 2 if wanted else 3
        for name in ("current_time", "calculator", "list_files", *offered):
            if len(wanted) >= target:
                break
            if name in offered and all(name != w for w, _ in wanted):
                wanted.append((name, _example_input(name, offered[name], text)))
        return wanted[:3]
    if wanted:
        return wanted[:1]
    name = "current_time" if "current_time" in offered else next(iter(offered))
    return [(name, _example_input(name, offered[name], text))]


def _example_input(name: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    if name == "calculator":
        found = re.search(r"[\d(][\d\s.+\-*/%^()]*[\d)]", text)
        expression = found.group().strip() if found and re.search(r"[-+*/%^]", found.group()) else DEFAULT_EXPRESSION
        return {"expression": expression}
    if name == "list_files":
        return {"path": "."}
    if name == "read_file":
        found = re.search(r"\bread\s+(\S+)", text)
        return {"path": found.group(1) if found else "README.md"}
    if name == "current_time":
        return {}
    arguments: dict[str, Any] = {}  # any other tool: its required properties, from its schema
    found_properties = schema.get("properties")
    properties: dict[str, Any] = found_properties if isinstance(found_properties, dict) else {}
    required = schema.get("required")
    for key in required if isinstance(required, list) else list(properties)[:1]:
        entry = properties.get(key)
        kind = entry.get("type") if isinstance(entry, dict) else "string"
        arguments[key] = {"integer": 2, "number": 0.5, "boolean": True}.get(str(kind), "hello from the demo server")
    return arguments


def answer_with_results(tools: ClientTools) -> Reply:
    """The continuation: what each result said, used in the answer (or another round: `chain`, `loop`)."""
    words = tools.asked.lower()
    again = bool(re.search(r"\bloop\b", words)) or (bool(re.search(r"\bchain\b", words)) and tools.rounds < 2)
    if again and tools.offered:
        follow = ask_for_tools(tools, tools.asked, 90 + tools.rounds, parallel=False)
        note = f"Round {tools.rounds} done; I need one more result."
        return Reply([Block("text", note), *follow.blocks[1:]], stop_reason="tool_use")
    lines = []
    for result in tools.results:
        call = tools.calls.get(str(result.get("tool_use_id")), {})
        name = str(call.get("name", "the tool"))
        content = _plain(result.get("content"))
        shown = content if len(content) <= 400 else content[:400] + "…"
        if not result.get("is_error"):
            lines.append(f"- **`{name}`** returned: {shown}")
        elif content.startswith("The user refused"):
            reason = shown.removeprefix("The user refused to run this tool call.").strip()
            lines.append(f"- You declined to run **`{name}`**. {reason}".rstrip())
        else:
            lines.append(f"- **`{name}`** failed: {shown}")
    summary = "\n".join(lines) or "- (no results came back)"
    plural = "s" if len(tools.results) != 1 else ""
    return Reply(
        [
            Block(
                "text",
                f"Here is what came back in the `tool_result` block{plural} claude-tui sent me:\n\n{summary}\n\n"
                "That request was the loop's continuation: open the inspector (F2) to see its request row carrying "
                "the results, then this second stream.",
            )
        ]
    )


def _plain(content: Any) -> str:
    if isinstance(content, str):
        return " ".join(content.split())
    if isinstance(content, list):
        parts = [
            str(b.get("text", "")) if b.get("type") == "text" else f"[{b.get('type')}]"
            for b in content
            if isinstance(b, dict)
        ]
        return " ".join(" ".join(parts).split())
    return ""
