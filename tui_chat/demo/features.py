"""What the demo server does with a request's controls: thinking, effort, server tools, caching, attachments.

Each is answered as the Messages API would, on a small scale and deterministically: adaptive thinking
comes first and is summarized or omitted (only its signature) as asked; effort changes how long the
answer is; web search, web fetch and code execution run (made up, offline) with the real block types
and citations; `cache_control` marks write the prompt cache and a later request reads it back; images,
PDFs and text documents are accepted and described; `count_tokens` counts exactly what was sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tui_chat.attachments import IMAGE_MAX_BYTES, IMAGE_TYPES, format_size, image_size
from tui_chat.demo.script import Block, Reply, count_tokens

EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
THINKING_TYPES = ("adaptive", "disabled", "enabled", "between_tools")
SERVER_TOOLS = {
    "web_search_20250305": "web_search",
    "web_search_20260209": "web_search",
    "web_search_20260318": "web_search",
    "web_fetch_20250910": "web_fetch",
    "web_fetch_20260209": "web_fetch",
    "web_fetch_20260309": "web_fetch",
    "web_fetch_20260318": "web_fetch",
    "code_execution_20250522": "code_execution",
    "code_execution_20250825": "code_execution",
    "code_execution_20260120": "code_execution",
    "code_execution_20260521": "code_execution",
}
"""Server tool versions the demo knows, by the capability each needs."""

MAX_BREAKPOINTS = 4
CACHE_LOOKBACK = 20
"""Block boundaries before a breakpoint at which the API looks for an earlier cache entry."""
CACHE_TTL = 300.0
PROMPT_OVERHEAD = 8
"""Tokens every request costs beyond its blocks (never cached)."""
MIN_CACHEABLE = 32
"""The shortest prefix the demo caches, in its tokens (the API's minimum is 1,024 or more, depending on the
model: the demo's conversations are short, and it should show caching all the same)."""


@dataclass(frozen=True)
class ModelFeatures:
    """What a demo model accepts (published in `GET /v1/models` as `capabilities`)."""

    thinking_disabled: bool = True
    thinking_adaptive: bool = True
    thinking_enabled: bool = False
    effort: tuple[str, ...] = ("low", "medium", "high", "max")
    web_search: bool = True
    code_execution: bool = True
    image_input: bool = True
    pdf_input: bool = True

    def capabilities(self) -> dict[str, Any]:
        """The Models API's `capabilities` object (every key present, as the API promises)."""

        def yes(value: bool) -> dict[str, bool]:
            return {"supported": value}

        effort: dict[str, Any] = {"supported": bool(self.effort)}
        for level in EFFORT_LEVELS:
            effort[level] = yes(level in self.effort)
        return {
            "batch": yes(True),
            "citations": yes(True),
            "code_execution": yes(self.code_execution),
            "context_management": {"supported": False},
            "effort": effort,
            "image_input": yes(self.image_input),
            "pdf_input": yes(self.pdf_input),
            "server_tools": {
                "supported": self.web_search or self.code_execution,
                "web_search": yes(self.web_search),
                "code_execution": yes(self.code_execution),
            },
            "structured_outputs": yes(True),
            "thinking": {
                "supported": self.thinking_adaptive or self.thinking_enabled,
                "types": {
                    "adaptive": yes(self.thinking_adaptive),
                    "between_tools": yes(self.thinking_adaptive),
                    "disabled": yes(self.thinking_disabled),
                    "enabled": yes(self.thinking_enabled),
                },
            },
        }


# ----------------------------------------------------------------------------- the request
@dataclass(frozen=True)
class Features:
    """The controls a request carries."""

    thinking: str | None = None
    """`adaptive`, `disabled`, ... or None (not sent)."""
    display: str = "summarized"
    effort: str | None = None
    tools: frozenset[str] = frozenset()
    """Server tools offered, by name (`web_search`, `web_fetch`, `code_execution`)."""
    attachments: tuple[str, ...] = ()
    """One description per attached image or document in the latest user message."""


def read_features(body: dict[str, Any]) -> Features:
    thinking = _dict(body.get("thinking"))
    output_config = _dict(body.get("output_config"))
    tools = frozenset(
        SERVER_TOOLS[str(tool.get("type"))]
        for tool in body.get("tools") or []
        if isinstance(tool, dict) and str(tool.get("type")) in SERVER_TOOLS
    )
    messages = body.get("messages") or []
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    content = last.get("content")
    blocks: list[Any] = content if isinstance(content, list) else []
    attachments = tuple(describe_block(block) for block in blocks if _is_attachment(block))
    display = thinking.get("display") or "summarized"
    return Features(
        thinking=thinking.get("type"),
        display=str(display),
        effort=output_config.get("effort"),
        tools=tools,
        attachments=attachments,
    )


def validate(body: dict[str, Any], model_id: str, model: ModelFeatures) -> str | None:
    """The message of the 400 the API would answer for a control this model does not take (None: fine)."""
    thinking = body.get("thinking")
    if thinking is not None:
        kind = thinking.get("type") if isinstance(thinking, dict) else None
        if kind not in THINKING_TYPES:
            return f"thinking.type: Input should be one of {', '.join(THINKING_TYPES)}"
        accepted = {
            "adaptive": model.thinking_adaptive,
            "between_tools": model.thinking_adaptive,
            "disabled": model.thinking_disabled,
            "enabled": model.thinking_enabled,
        }
        if not accepted[kind]:
            return f"thinking.type: '{kind}' is not supported by {model_id}"
        if kind == "adaptive" and thinking.get("display") not in (None, "summarized", "omitted"):
            return "thinking.display: Input should be 'summarized' or 'omitted'"
    output_config = body.get("output_config")
    if output_config is not None:
        effort = output_config.get("effort") if isinstance(output_config, dict) else "?"
        if effort is not None and effort not in EFFORT_LEVELS:
            return f"output_config.effort: Input should be one of {', '.join(EFFORT_LEVELS)}"
        if effort is not None and effort not in model.effort:
            return f"output_config.effort: '{effort}' is not supported by {model_id}"
    for position, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict):
            return f"tools.{position}: Input should be an object"
        kind = str(tool.get("type", "custom"))
        if kind in SERVER_TOOLS:
            needed = SERVER_TOOLS[kind]
            if not (model.code_execution if needed == "code_execution" else model.web_search):
                return f"tools.{position}: '{kind}' is not supported by {model_id}"
        elif kind == "custom":
            if not tool.get("name") or not isinstance(tool.get("input_schema"), dict):
                return f"tools.{position}: name and input_schema: Field required"
        else:
            return f"tools.{position}.type: '{kind}' is not a known tool type"
    marks = _count_marks(body.get("tools")) + _count_marks(body.get("system")) + _count_marks(body.get("messages"))
    if marks > MAX_BREAKPOINTS:
        return f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {marks}."
    for index, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        for position, block in enumerate(content if isinstance(content, list) else []):
            problem = _check_block(block, model_id, model)
            if problem is not None:
                return f"messages.{index}.content.{position}: {problem}"
    return None


def _count_marks(value: Any) -> int:
    """Blocks with `cache_control` in a list of tools, system blocks or messages."""
    if isinstance(value, dict):
        return int(isinstance(value.get("cache_control"), dict)) + _count_marks(value.get("content"))
    if isinstance(value, list):
        return sum(_count_marks(item) for item in value)
    return 0


def _check_block(block: Any, model_id: str, model: ModelFeatures) -> str | None:
    if not isinstance(block, dict) or block.get("type") not in ("image", "document"):
        return None
    source = _dict(block.get("source"))
    media_type = str(source.get("media_type", ""))
    if block["type"] == "image":
        if not model.image_input:
            return f"image input is not supported by {model_id}"
        if media_type not in IMAGE_TYPES:
            return f"image.source.media_type: Input should be one of {', '.join(IMAGE_TYPES)}"
        data = _decoded(source)
        if data is None:
            return "image.source.data: not valid base64"
        if len(data) > IMAGE_MAX_BYTES:
            return f"image.source.base64: image exceeds {format_size(IMAGE_MAX_BYTES)} maximum: {len(data)} bytes"
        return None
    if media_type == "application/pdf":
        if not model.pdf_input:
            return f"PDF input is not supported by {model_id}"
        if _decoded(source) is None:
            return "document.source.data: not valid base64"
    elif media_type != "text/plain":
        return "document.source.media_type: Input should be 'application/pdf' or 'text/plain'"
    return None


def _dict(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (request bodies are untrusted)."""
    return value if isinstance(value, dict) else {}


def _decoded(source: dict[str, Any]) -> bytes | None:
    try:
        return base64.b64decode(str(source.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        return None


def _is_attachment(block: Any) -> bool:
    return isinstance(block, dict) and block.get("type") in ("image", "document")


def describe_block(block: dict[str, Any]) -> str:
    """An attached image or document in a few words: `a PNG image, 800×600 px, 240 KB`."""
    source = _dict(block.get("source"))
    media_type = str(source.get("media_type", ""))
    title = block.get("title")
    named = f"“{title}”, " if isinstance(title, str) and title else ""
    if block.get("type") == "image":
        data = _decoded(source) or b""
        size = image_size(media_type, data)
        pixels = f", {size[0]}×{size[1]} px" if size else ""
        return f"a {IMAGE_TYPES.get(media_type, 'image')} image{pixels}, {format_size(len(data))}"
    if media_type == "application/pdf":
        data = _decoded(source) or b""
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
        counted = f", {pages} page{'' if pages == 1 else 's'}" if pages else ""
        return f"a PDF {named}{format_size(len(data))}{counted}".replace(", ,", ",")
    text = str(source.get("data", ""))
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    begins = f", beginning “{first[:60]}”" if first else ""
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    return f"a text document {named}{lines:,} lines{begins}"


# ----------------------------------------------------------------------------- tokens and the cache
@dataclass(frozen=True)
class PromptUnit:
    """One cacheable piece of a prompt, in the API's order: each tool, each system block, each message block."""

    key: str
    tokens: int
    marked: bool


def prompt_units(body: dict[str, Any]) -> list[PromptUnit]:
    units: list[PromptUnit] = []

    def add(prefix: str, block: Any) -> None:
        marked = isinstance(block, dict) and isinstance(block.get("cache_control"), dict)
        clean = {k: v for k, v in block.items() if k != "cache_control"} if isinstance(block, dict) else block
        key = prefix + json.dumps(clean, sort_keys=True, ensure_ascii=False)
        units.append(PromptUnit(key, _tokens(clean), marked))

    for tool in body.get("tools") or []:
        add("tool:", tool)
    system = body.get("system")
    if isinstance(system, str):
        if system:
            add("system:", {"type": "text", "text": system})
    elif isinstance(system, list):
        for block in system:
            add("system:", block)
    for number, message in enumerate(body.get("messages") or []):
        if not isinstance(message, dict):
            continue
        role = str(message.get("role"))
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        for position, block in enumerate(blocks if isinstance(blocks, list) else []):
            add(f"{number}:{role}:{position}:", block)
    return units


def _tokens(block: Any) -> int:
    """The demo's token count of one block (images and PDFs by their size, as the API roughly does)."""
    if isinstance(block, dict) and block.get("type") in ("image", "document"):
        source = _dict(block.get("source"))
        media_type = str(source.get("media_type", ""))
        if block["type"] == "image":
            size = image_size(media_type, _decoded(source) or b"")
            return min(1600, max(1, size[0] * size[1] // 750)) if size else 1000
        if media_type == "application/pdf":
            data = _decoded(source) or b""
            pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) or max(1, len(data) // 3000)
            return pages * 1500
        return max(1, count_tokens(str(source.get("data", ""))) // 2) + 4
    if isinstance(block, dict) and block.get("type") == "text" and isinstance(block.get("text"), str):
        return max(1, count_tokens(block["text"]) // 2)
    return max(1, count_tokens(json.dumps(block, ensure_ascii=False)) // 2)


def total_tokens(body: dict[str, Any], units: list[PromptUnit] | None = None) -> int:
    """What `count_tokens` answers: every block of the prompt, as sent (`units`: its `prompt_units`)."""
    return sum(unit.tokens for unit in (prompt_units(body) if units is None else units)) + PROMPT_OVERHEAD


@dataclass(frozen=True)
class CacheUsage:
    input_tokens: int
    """After the last breakpoint (or the whole prompt, with no breakpoint): never cached."""
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens


@dataclass
class PromptCache:
    """The prompt cache of one demo server: prefixes written at breakpoints, read back for five minutes."""

    clock: Callable[[], float] = time.monotonic
    entries: dict[str, float] = field(default_factory=dict)
    """Prefix hash → when it expires."""

    def use(self, body: dict[str, Any], units: list[PromptUnit] | None = None) -> CacheUsage:
        """Read the longest cached prefix, write one at every breakpoint; the usage this request reports
        (`units`: the body's `prompt_units`, when already made)."""
        units = prompt_units(body) if units is None else units
        now = self.clock()
        self.entries = {key: expires for key, expires in self.entries.items() if expires > now}
        digest = hashlib.sha256(str(body.get("model")).encode())
        prefixes: list[str] = []
        for unit in units:
            digest.update(unit.key.encode())
            prefixes.append(digest.hexdigest())
        marks, prefix = [], 0
        for index, unit in enumerate(units):
            prefix += unit.tokens
            if unit.marked and prefix >= MIN_CACHEABLE:  # a shorter prefix is not cached (no error either)
                marks.append(index)
        if not marks:
            return CacheUsage(sum(unit.tokens for unit in units) + PROMPT_OVERHEAD)
        read_to = -1
        for index in range(marks[-1], -1, -1):
            if prefixes[index] in self.entries and any(0 <= mark - index < CACHE_LOOKBACK for mark in marks):
                read_to = index
                break
        for mark in marks:
            self.entries[prefixes[mark]] = now + CACHE_TTL
        if read_to >= 0:
            self.entries[prefixes[read_to]] = now + CACHE_TTL  # a hit refreshes its entry
        last = marks[-1]
        read = sum(unit.tokens for unit in units[: read_to + 1])
        written = sum(unit.tokens for unit in units[read_to + 1 : last + 1])
        rest = sum(unit.tokens for unit in units[last + 1 :]) + PROMPT_OVERHEAD
        return CacheUsage(rest, written, read)


# ----------------------------------------------------------------------------- the reply
SIGNATURE = "ZGVtby1hZGFwdGl2ZS1zaWduYXR1cmUtbm90LXJlYWw="
URL = re.compile(r"https?://[^\s<>\"')\]]+")
CODE_WORDS = re.compile(r"\b(run|calculate|compute|execute|python|sum)\b", re.IGNORECASE)
SEARCH_WORDS = re.compile(r"\b(search|web|news|latest|look\s+up|find|sources?)\b", re.IGNORECASE)

SEARCH_RESULTS = [
    {
        "title": "Server-sent events — the event stream format",
        "url": "https://sse.example.org/format",
        "page_age": "3 months ago",
        "cited": "Each event is a block of field lines such as event: and data:, ended by a blank line.",
        "claim": "A server-sent event is a few `field: value` lines ended by a blank line",
    },
    {
        "title": "Streaming Messages — event types",
        "url": "https://api-notes.example.org/streaming",
        "page_age": "2 weeks ago",
        "cited": "A stream opens with message_start and ends with message_stop; content arrives in deltas.",
        "claim": "a Messages stream runs from `message_start` to `message_stop`, with the content in deltas",
    },
    {
        "title": "Why chat clients stream",
        "url": "https://ux.example.org/streaming-latency",
        "page_age": "1 year ago",
        "cited": "Streaming cuts the time to the first visible token from seconds to a fraction of one.",
        "claim": "streaming brings the first visible token down to a fraction of a second",
    },
]


def apply(reply: Reply, features: Features, view_text: str, turn: int, *, plain: bool) -> Reply:
    """`reply` as a request with these controls gets it: server tools, attachments, effort, thinking.
    `plain`: no scenario word chose the reply (so web search, when offered, answers it)."""
    if reply.fixed_pace or reply.error_after is not None or reply.drop_after is not None:
        return reply  # the benchmark's and the failure scenarios' replies are exact
    if reply.stall_after is not None or reply.omit_message_stop:
        return reply
    blocks = list(reply.blocks)
    tool_blocks = _server_tool_blocks(features, view_text, turn, plain)
    if tool_blocks:
        blocks = tool_blocks
    if features.attachments:
        blocks.insert(0, Block("text", _attachment_note(features.attachments)))
    if features.effort is not None:
        blocks = _with_effort(blocks, features.effort)
    blocks = _with_thinking(blocks, features, view_text)
    stop_reason = reply.stop_reason if not tool_blocks else "end_turn"
    return replace(reply, blocks=blocks, stop_reason=stop_reason)


def server_tool_counts(reply: Reply) -> dict[str, int]:
    """`usage.server_tool_use` of a reply: how many searches and fetches it made."""
    names = [block.name for block in reply.blocks if block.kind == "server_tool_use"]
    return {"web_search_requests": names.count("web_search"), "web_fetch_requests": names.count("web_fetch")}


def _server_tool_blocks(features: Features, text: str, turn: int, plain: bool) -> list[Block]:
    tools = features.tools
    if "code_execution" in tools and CODE_WORDS.search(text):
        return _code_execution(turn)
    url = URL.search(text)
    if "web_fetch" in tools and url:
        return _web_fetch(url.group(0).rstrip(".,;:"), turn)
    if "web_search" in tools and (plain or SEARCH_WORDS.search(text)):
        return _web_search(text, turn)
    return []


def _web_search(text: str, turn: int) -> list[Block]:
    query = " ".join(text.split())[:60] or "streaming"
    tool_id = f"srvtoolu_demo_search_{turn:04d}"
    results = [
        {
            "type": "web_search_result",
            "title": result["title"],
            "url": result["url"],
            "encrypted_content": base64.b64encode(f"demo page {n}".encode()).decode(),
            "page_age": result["page_age"],
        }
        for n, result in enumerate(SEARCH_RESULTS)
    ]
    blocks = [
        Block("text", "I'll search the web for that."),
        Block(
            "server_tool_use",
            json.dumps({"query": query}, ensure_ascii=False),
            name="web_search",
            block_id=tool_id,
        ),
        Block("web_search_tool_result", extra={"tool_use_id": tool_id, "content": results}),
        Block("text", "Here is what the search found (the demo server's results are made up, offline). "),
    ]
    for position, result in enumerate(SEARCH_RESULTS):
        citation = {
            "type": "web_search_result_location",
            "cited_text": result["cited"],
            "url": result["url"],
            "title": result["title"],
            "encrypted_index": base64.b64encode(f"demo index {position}".encode()).decode(),
        }
        claim = result["claim"]
        blocks.append(Block("text", claim[0].upper() + claim[1:] if position == 0 else claim, citations=[citation]))
        blocks.append(Block("text", "; " if position < len(SEARCH_RESULTS) - 1 else "."))
    blocks.append(
        Block(
            "text",
            "\n\nEach claim above is its own text block with a `citations_delta` before its text: the "
            "conversation numbers the sources, and the inspector shows the `server_tool_use` and "
            "`web_search_tool_result` blocks (Enter on one explains it).",
        )
    )
    return blocks


def _web_fetch(url: str, turn: int) -> list[Block]:
    tool_id = f"srvtoolu_demo_fetch_{turn:04d}"
    page = (
        f"Demo page for {url}\n\nThe demo server cannot reach the web, so it made this page up. A real "
        "web_fetch returns the page's text (or a PDF) as a document block."
    )
    result = {
        "type": "web_fetch_result",
        "url": url,
        "retrieved_at": "2026-11-22T10:00:00Z",
        "content": {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": page},
            "title": f"Demo page: {url[:60]}",
        },
    }
    return [
        Block("text", "Let me fetch that page."),
        Block("server_tool_use", json.dumps({"url": url}), name="web_fetch", block_id=tool_id),
        Block("web_fetch_tool_result", extra={"tool_use_id": tool_id, "content": result}),
        Block(
            "text",
            f"I fetched `{url}`: the result arrived whole in a `web_fetch_tool_result` block (a `document` "
            "with the page's text). The demo server made the page up; the API would fetch it for real.",
        ),
    ]


def _code_execution(turn: int) -> list[Block]:
    tool_id = f"srvtoolu_demo_bash_{turn:04d}"
    command = "python3 -c 'print(sum(range(1, 101)))'"
    result = {"type": "bash_code_execution_result", "stdout": "5050\n", "stderr": "", "return_code": 0, "content": []}
    return [
        Block("text", "I'll work that out in the code execution sandbox."),
        Block("server_tool_use", json.dumps({"command": command}), name="bash_code_execution", block_id=tool_id),
        Block("bash_code_execution_tool_result", extra={"tool_use_id": tool_id, "content": result}),
        Block(
            "text",
            "The sandbox printed **5050**: the sum of 1 to 100. The command went out as a `server_tool_use` "
            "block named `bash_code_execution` and its output came back whole in a "
            "`bash_code_execution_tool_result` block (stdout, stderr, return code). The demo server ran "
            "nothing: this result is made up.",
        ),
    ]


def _attachment_note(descriptions: tuple[str, ...]) -> str:
    items = "\n".join(f"- {description}" for description in descriptions)
    return (
        f"You attached {len(descriptions)} file{'' if len(descriptions) == 1 else 's'}; the request carried "
        f"each as a content block before your text:\n\n{items}\n\nThe demo server cannot look inside "
        "them, but it counted them in the input tokens.\n\n"
    )


def _with_effort(blocks: list[Block], effort: str) -> list[Block]:
    """Effort sets how long the answer is: the last text block keeps a share of its paragraphs."""
    last = next((i for i in range(len(blocks) - 1, -1, -1) if blocks[i].kind == "text"), None)
    if last is None:
        return blocks
    paragraphs = blocks[last].text.split("\n\n")
    note = paragraphs.pop() if len(paragraphs) > 1 and paragraphs[-1].startswith("_Turn ") else None
    share = {"low": 0.25, "medium": 0.5}.get(effort, 1.0)
    kept = paragraphs[: max(1, round(len(paragraphs) * share))]
    extra = {"xhigh": 1, "max": 2}.get(effort, 0)
    kept += [
        "Going further, with more effort: the same events carry every kind of content, so a client that "
        "handles them once handles text, thinking and tools alike."
    ][:extra]
    if extra > 1:
        kept.append(
            "And at maximum effort: every count in `message_delta.usage` is cumulative, so a careful client "
            "overwrites its numbers rather than adding them up."
        )
    kept.append(
        f"_Effort `{effort}` (`output_config.effort`): {len(kept)} of this answer's paragraphs where the "
        f"model's default gives {len(paragraphs)}._"
    )
    if note is not None:
        kept.append(note)
    return [*blocks[:last], replace(blocks[last], text="\n\n".join(kept)), *blocks[last + 1 :]]


def _with_thinking(blocks: list[Block], features: Features, text: str) -> list[Block]:
    if features.thinking == "disabled":
        return [block for block in blocks if block.kind not in ("thinking", "redacted_thinking")]
    if features.thinking not in ("adaptive", "enabled"):
        return blocks
    if not any(block.kind == "thinking" for block in blocks):
        blocks = [Block("thinking", _thinking_text(features, text), extra={"signature": SIGNATURE}), *blocks]
    if features.display == "omitted":
        blocks = [replace(block, text="") if block.kind == "thinking" else block for block in blocks]
    return blocks


def _thinking_text(features: Features, text: str) -> str:
    asked = " ".join(text.split())[:80]
    sentences = [
        f"The user wrote “{asked}”.",
        "Adaptive thinking is on, so I decide how much to think before answering; this block streams as "
        "thinking_delta events and ends with a signature_delta.",
    ]
    if features.attachments:
        sentences.append("They attached files: I should say what arrived.")
    if "web_search" in features.tools:
        sentences.append("I have web search: I should look this up and cite my sources.")
    if "code_execution" in features.tools:
        sentences.append("I can run code in the sandbox if a calculation helps.")
    if features.effort in ("high", "xhigh", "max"):
        sentences.append(f"Effort is {features.effort}: I can afford to be thorough and check my answer twice.")
    if features.effort == "low":
        sentences = [*sentences[:1], "Effort is low: a short answer will do."]
    return " ".join(sentences)
