"""The request a conversation sends next: its controls turned into Messages API parameters.

Pure Python (no SDK, no Textual). `request_params` is the one place a request body is decided:
the recorder streams it, `count_params` counts it, and `refusals` says beforehand what the chosen
model would reject, so nothing is sent that the model does not take without the user being told.
Client-side tools go in through `extra_tools` (after the server tools).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tui_chat.attachments import Attachment
from tui_chat.controls import EFFORT_LEVELS, RequestControls
from tui_chat.session.conversation import Conversation
from tui_chat.session.model_catalog import Capabilities

CACHE_CONTROL: dict[str, str] = {"type": "ephemeral"}
"""A prompt-cache breakpoint (five minutes, the default lifetime)."""

WEB_SEARCH_TOOL: dict[str, Any] = {"type": "web_search_20250305", "name": "web_search"}
WEB_FETCH_TOOL: dict[str, Any] = {"type": "web_fetch_20250910", "name": "web_fetch"}
CODE_EXECUTION_TOOL: dict[str, Any] = {"type": "code_execution_20250825", "name": "code_execution"}
"""The server tools' most widely accepted versions (a model supports "at least one version")."""

CACHED_USER_MESSAGES = 2
"""Breakpoints in the history: the last user message (written now) and the one before it (read back,
however many blocks the last answer added). With the system prompt's, three of the API's four."""

COUNTED_PARAMETERS = ("model", "messages", "system", "tools", "thinking", "tool_choice", "output_config")
"""What `POST /v1/messages/count_tokens` takes of a request."""


def thinking_param(controls: RequestControls) -> dict[str, Any] | None:
    if controls.thinking in ("summarized", "omitted"):
        return {"type": "adaptive", "display": controls.thinking}
    if controls.thinking == "off":
        return {"type": "disabled"}
    return None


def server_tools(controls: RequestControls) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = []
    if controls.web:
        tools += [dict(WEB_SEARCH_TOOL), dict(WEB_FETCH_TOOL)]
    if controls.code_execution:
        tools.append(dict(CODE_EXECUTION_TOOL))
    return tools


def request_params(
    conversation: Conversation,
    *,
    messages: list[dict[str, Any]] | None = None,
    extra_tools: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The parameters of the conversation's next request (`stream` is the stream's to add)."""
    controls = conversation.controls
    params: dict[str, Any] = {
        "model": conversation.model,
        "max_tokens": conversation.max_tokens,
        "messages": conversation.api_messages() if messages is None else messages,
    }
    if conversation.system:
        params["system"] = conversation.system
    tools = [*server_tools(controls), *extra_tools]
    if tools:
        params["tools"] = tools
    thinking = thinking_param(controls)
    if thinking is not None:
        params["thinking"] = thinking
    if controls.effort is not None:
        params["output_config"] = {"effort": controls.effort}
    if controls.cache:
        add_cache_breakpoints(params)
    return params


def add_cache_breakpoints(params: dict[str, Any]) -> None:
    """Mark the system prompt and the last `CACHED_USER_MESSAGES` user messages as cache breakpoints.

    The API caches the prompt up to each mark (tools, then system, then messages): the next turn
    reads back what this one wrote, and pays the cache price for it. Messages are copied, not changed.
    """
    system = params.get("system")
    if isinstance(system, str) and system:
        params["system"] = [{"type": "text", "text": system, "cache_control": dict(CACHE_CONTROL)}]
    messages = list(params.get("messages") or [])  # copied where marked, never deeply: a history can be megabytes
    marked = 0
    for position in range(len(messages) - 1, -1, -1):
        message = messages[position]
        if marked == CACHED_USER_MESSAGES:
            break
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "text": content}] if content else []
        if isinstance(content, list) and content and isinstance(content[-1], dict):
            last = {**content[-1], "cache_control": dict(CACHE_CONTROL)}
            messages[position] = {**message, "content": [*content[:-1], last]}
            marked += 1
    params["messages"] = messages


def count_params(params: dict[str, Any]) -> dict[str, Any]:
    """What `count_tokens` takes of a request's parameters."""
    return {name: value for name, value in params.items() if name in COUNTED_PARAMETERS}


def refusals(
    model: str,
    controls: RequestControls,
    capabilities: Capabilities | None,
    attachments: Sequence[Attachment] = (),
) -> list[str]:
    """A sentence for each control or attachment that `model` does not take (none when its capabilities
    are unknown: then the request goes as asked, and the API says if it refuses)."""
    if capabilities is None:
        return []
    problems: list[str] = []
    if controls.thinking in ("summarized", "omitted") and not capabilities.thinking_adaptive:
        problems.append(f"{model} does not take adaptive thinking (thinking {controls.thinking}).")
    if controls.thinking == "off" and not capabilities.thinking_disabled:
        problems.append(f"{model} always thinks: thinking cannot be turned off (/thinking omitted hides it).")
    if controls.effort is not None and controls.effort not in capabilities.effort:
        if capabilities.effort:
            levels = ", ".join(level for level in EFFORT_LEVELS if level in capabilities.effort)
            problems.append(f"{model} does not take effort {controls.effort} (it takes {levels}).")
        else:
            problems.append(f"{model} does not take an effort setting.")
    if controls.web and not capabilities.web_search:
        problems.append(f"{model} does not have the web search tool.")
    if controls.code_execution and not capabilities.code_execution:
        problems.append(f"{model} does not have the code execution tool.")
    kinds = {attachment.kind for attachment in attachments}
    if "image" in kinds and not capabilities.image_input:
        problems.append(f"{model} does not take images.")
    if "pdf" in kinds and not capabilities.pdf_input:
        problems.append(f"{model} does not take PDFs.")
    return problems


def wire_summary(controls: RequestControls) -> list[str]:
    """What the controls put on the wire, one line each (for notices and the README)."""
    lines: list[str] = []
    thinking = thinking_param(controls)
    if thinking is not None:
        lines.append(f"thinking={thinking}")
    if controls.effort is not None:
        lines.append(f"output_config={{'effort': '{controls.effort}'}}")
    tools = server_tools(controls)
    if tools:
        lines.append("tools=" + ", ".join(tool["type"] for tool in tools))
    if controls.cache:
        lines.append("cache_control on the system prompt and the last two user messages")
    if controls.tools:
        lines.append("tools: claude-tui's own tools (current_time, calculator, list_files, read_file, MCP servers')")
    return lines
