"""Exports of a conversation: a markdown transcript, the API-ready JSON request, a turn's raw SSE recording.

Pure Python (no SDK, no Textual). `write_export` writes atomically and never leaves a half-written
file behind; its errors are `ExportError`s whose message can be shown as is.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from tui_chat.files import write_atomically
from tui_chat.safety import sanitize_line, untrusted_line, untrusted_text
from tui_chat.session.conversation import (
    Block,
    Conversation,
    Turn,
    TurnStatus,
    cut_short,
    format_tokens,
    unreadable_note,
)
from tui_chat.wording import count_of, duration

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

EXPORT_EXTENSIONS = {"markdown": "md", "md": "md", "json": "json", "sse": "sse"}

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>&~#|])")
_SENTINEL = "claude-tui-export-sentinel-7f3a"


class ExportError(Exception):
    """An export could not be written; the message says why, in plain words."""


# --- markdown --------------------------------------------------------------------------------------


def conversation_to_markdown(conversation: Conversation, *, include_metrics: bool = True) -> str:
    """The conversation as a markdown document that reads well on GitHub.

    Each turn gets an `## You · N` or `## Claude · N` heading after a thematic break. Answers are
    included verbatim; one that would swallow the rest of the document (a fence cut off by a stop)
    has its fence closed at the end of the turn.
    """
    title = sanitize_line(conversation.title).strip() or f"Conversation {conversation.id}"
    parts = [f"# {escape_inline(title)}", _metadata(conversation)]
    if conversation.load_notes:
        parts.append(f"> {escape_inline(unreadable_note(conversation.load_notes))}")
    if conversation.system:
        parts.append("**System prompt:**\n\n" + fenced(untrusted_text(conversation.system), "text"))
    user_number = 0
    for turn in conversation.turns:
        if turn.is_tool_results:
            parts.append("\n\n".join(_tool_result_parts(turn)))
            continue
        if turn.role == "user":
            user_number += 1
            heading = f"## You · {user_number}"
            body = [seal_markdown(turn.text)] if turn.text.strip() else []
            if turn.attachments:  # a line each: what was attached, never its bytes
                files = [f"- Attached: {escape_inline(sanitize_line(a.describe()))}" for a in turn.attachments]
                body.insert(0, "\n".join(files))
            if turn.load_notes:
                body.append(f"> {escape_inline(unreadable_note(turn.load_notes))}")
        elif turn.request_index:
            heading = f"### Claude · {turn.number}, continued with the tool results (request {turn.request_index + 1})"
            body = list(_assistant_parts(conversation, turn, include_metrics=include_metrics))
        else:
            heading = f"## Claude · {turn.number}"
            body = list(_assistant_parts(conversation, turn, include_metrics=include_metrics))
        parts.append("---")
        parts.append(heading)
        parts.extend(body)
    return "\n\n".join(part for part in parts if part) + "\n"


def turn_to_markdown(conversation: Conversation, turn: Turn, *, include_metrics: bool = False) -> str:
    """One answer as the transcript writes it (thinking folded, tool calls fenced, a stop or failure said)."""
    return (
        "\n\n".join(part for part in _assistant_parts(conversation, turn, include_metrics=include_metrics) if part)
        + "\n"
    )


def _metadata(conversation: Conversation) -> str:
    created = conversation.created.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"- **Date:** {created}",
        f"- **Model:** {inline_code(sanitize_line(conversation.model))}",
        f"- **Max tokens:** {untrusted_line(conversation.max_tokens)}",
    ]
    if not conversation.controls.is_default:
        lines.append(f"- **Requests:** {escape_inline(', '.join(conversation.controls.changed()))}")
    lines.append(f"- **Conversation:** {inline_code(untrusted_line(conversation.id))}")
    return "\n".join(lines)


def _assistant_parts(conversation: Conversation, turn: Turn, *, include_metrics: bool) -> Iterator[str]:
    for run in _block_runs(turn.blocks):
        first = run[0]
        if first.kind == "text":
            text = "".join(block.text for block in run)
            if text.strip():
                yield seal_markdown(text)
            citations = list(dict.fromkeys(line for block in run for line in block.citations))
            if citations:
                yield "**Sources:**\n\n" + "\n".join(
                    f"{n}. {escape_inline(line)}" for n, line in enumerate(citations, 1)
                )
        elif first.kind == "thinking":
            yield _details("Thinking", first.text)
        elif first.is_tool_use:
            label = "Tool call" if first.kind == "tool_use" else f"Tool call ({escape_inline(first.kind)})"
            ident = f" ({inline_code(first.tool_id)})" if first.tool_id else ""
            yield f"**{label}:** {inline_code(first.name or '?')}{ident}\n\n" + fenced(first.text, "json")
        else:
            note = f": {escape_inline(sanitize_line(first.text))}" if first.text.strip() else ""
            yield f"*Block {inline_code(first.kind)}{note}*"
    status = _status_line(turn)
    if status:
        yield status
    if include_metrics:
        line = _metrics_line(conversation, turn)
        if line:
            yield line


TOOL_DECISIONS = {
    "approved": "approved",
    "always": "approved (always, for this conversation)",
    "refused": "refused",
    "stopped": "stopped by the user",
    "unavailable": "not run",
}
LONG_RESULT = 600
"""A result longer than this (or of more than 8 lines) is folded in `<details>`."""


def _tool_result_parts(turn: Turn) -> Iterator[str]:
    """Each tool call's outcome: who decided what, and its result (folded in `<details>` when long)."""
    for block in turn.blocks:
        decision = TOOL_DECISIONS.get(block.decision, block.decision or "sent")
        error = " — **error**" if block.is_error and block.decision not in ("refused", "stopped", "unavailable") else ""
        note = f" · {escape_inline(sanitize_line(block.note))}" if block.note else ""
        call = f"{inline_code(block.name or '?')} ({inline_code(block.tool_id)})"
        head = f"**Tool result:** {call} — {decision}{error}{note}"
        text = block.text
        if len(text) > LONG_RESULT or text.count("\n") >= 8:
            yield f"{head}\n\n{_details(f'Result ({len(text):,} characters)', text)}"
        else:
            yield f"{head}\n\n{fenced(text, 'text')}"


def _block_runs(blocks: list[Block]) -> Iterator[list[Block]]:
    """Consecutive text blocks together (one answer split by citations); every other block alone."""
    run: list[Block] = []
    for block in blocks:
        if block.kind == "text":
            run.append(block)
            continue
        if run:
            yield run
            run = []
        yield [block]
    if run:
        yield run


def _details(summary: str, text: str) -> str:
    """A folded section whose content is shown literally (so its HTML or markdown cannot break out)."""
    return f"<details>\n<summary>{summary}</summary>\n\n{fenced(text, 'text')}\n\n</details>"


def _status_line(turn: Turn) -> str:
    lines: list[str] = []
    if turn.retries:
        attempts = "; ".join(
            f"attempt {notice.attempt}: {notice.reason} (waited {notice.wait:.1f} s)" for notice in turn.retries
        )
        lines.append(f"> Retried after {count_of(len(turn.retries), 'failed attempt')} — {escape_inline(attempts)}")
    cut = cut_short(turn)
    if cut is not None:
        label = f"{cut.label[:1].upper()}{cut.label[1:]}"
        lines.append(f"> {cut.mark} **{escape_inline(label)}:** {escape_inline(cut.explanation)}")
    if turn.status is TurnStatus.STOPPED:
        lines.append("> **Stopped** by the user; the answer above is partial.")
    elif turn.status is TurnStatus.INCOMPLETE:
        lines.append("> **Incomplete:** the stream ended without `message_stop`; the answer above may be partial.")
    elif turn.status is TurnStatus.STREAMING:
        lines.append("> **Streaming:** the answer was still arriving when this was exported.")
    elif turn.status is TurnStatus.FAILED:
        error = turn.error
        if error is None:
            lines.append("> **Failed.**")
        else:
            request_id = error.request_id or turn.metrics.request_id
            suffix = f" (request-id {inline_code(request_id)})" if request_id else ""
            lines.append(f"> **Failed:** {escape_inline(error.headline)}{suffix}")
            if error.hint:
                lines.append(f"> {escape_inline(error.hint)}")
    if turn.load_notes:
        lines.append(f"> {escape_inline(unreadable_note(turn.load_notes))}")
    return "\n>\n".join(lines)


def _metrics_line(conversation: Conversation, turn: Turn) -> str:
    metrics = turn.metrics
    parts: list[str] = []
    if metrics.ttft is not None:
        parts.append(f"TTFT {duration(metrics.ttft)}")
    if metrics.client_wait is not None and metrics.client_wait >= 0.05:
        parts.append(f"client wait {duration(metrics.client_wait)}")
    if metrics.ended_at is not None:
        parts.append(f"total {duration(metrics.ended_at)}")
    if metrics.input_count is not None:
        parts.append(f"{metrics.input_count:,} tokens in")
    output, estimated = metrics.output_count
    if output is not None:
        parts.append(f"{format_tokens(output, estimated)} out")
    if metrics.stop_reason:
        parts.append(f"stop {inline_code(metrics.stop_reason)}")
    if turn.model and turn.model != conversation.model:
        parts.append(f"model {inline_code(turn.model)}")
    return f"<sub>{' · '.join(parts)}</sub>" if parts else ""


# --- markdown helpers ------------------------------------------------------------------------------


def escape_inline(text: str) -> str:
    """Plain text made safe for one line of markdown: characters markdown would interpret are escaped."""
    return _INLINE_SPECIALS.sub(r"\\\1", text)


def inline_code(text: str) -> str:
    """`text` as a code span, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip(" ") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(text: str, info: str = "") -> str:
    """`text` as a fenced code block whose fence no line of `text` can close."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{fence}{info}\n{body}{fence}"


def seal_markdown(text: str) -> str:
    """`text` (markdown, kept verbatim) made unable to swallow what follows it in a document.

    A fence or raw-HTML block left open (an answer stopped inside a code block) would run on to
    the end of the document. An open fence is closed; anything else still open is shown as a
    literal code block instead.
    """
    text = text.rstrip("\n")
    if _ends_cleanly(text):
        return text
    fence = _open_fence(text)
    if fence is not None:
        closed = f"{text}\n{fence}"
        if _ends_cleanly(closed):
            return closed
    return fenced(text, "text")


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # markdown-it-py comes with Textual; imported only when exporting

    return MarkdownIt("commonmark")


def _ends_cleanly(text: str) -> bool:
    """Whether a heading after `text` (and a blank line) is a top-level heading of the document."""
    tokens = _parser().parse(f"{text}\n\n## {_SENTINEL}\n")
    if len(tokens) < 3:
        return False
    opening, inline, closing = tokens[-3:]
    return (
        opening.type == "heading_open"
        and opening.level == 0
        and inline.content == _SENTINEL
        and closing.type == "heading_close"
    )


def _open_fence(text: str) -> str | None:
    """The fence that would close the top-level code block still open at the end of `text`, if any."""
    tokens = [token for token in _parser().parse(text) if token.level == 0]
    if not tokens or tokens[-1].type != "fence":
        return None
    return tokens[-1].markup


# --- JSON and SSE ----------------------------------------------------------------------------------


def conversation_to_api_json(conversation: Conversation) -> str:
    """The request that would continue this conversation (model, max_tokens, system, messages), pretty-printed.

    The content is exactly what the model produced; the characters `safety.sanitize` takes out of shown
    text (C1 and bidi controls; the zero-width space, word joiner, BOM and tag characters) are written as
    `\\uXXXX` escapes, so the file shows them and can be printed safely (JSON encoders already escape C0).
    """
    request: dict[str, object] = {"model": conversation.model, "max_tokens": conversation.max_tokens}
    if conversation.system:
        request["system"] = conversation.system
    request["messages"] = conversation.api_messages(answer_pending=True)
    return escape_unsafe_json(json.dumps(request, indent=2, ensure_ascii=False)) + "\n"


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the BMP: a surrogate pair, as JSON spells it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_unsafe_json(text: str) -> str:
    """JSON text with the characters above escaped (only strings can hold them, so the data is unchanged)."""
    return _JSON_UNSAFE.sub(_json_escape, text)


def turn_to_sse(turn: Turn) -> bytes:
    """The turn's response body exactly as received (a `.sse` recording)."""
    if turn.wire is None:
        raise ExportError("This turn has no wire recording (it was not streamed in this session).")
    return turn.wire.sse_bytes()


# --- files -----------------------------------------------------------------------------------------


def default_export_name(kind: str, now: datetime | None = None) -> str:
    """A timestamped file name such as `claude-tui-2026-11-22-143005.md` (`kind`: markdown, md, json or sse)."""
    try:
        extension = EXPORT_EXTENSIONS[kind]
    except KeyError:
        raise ValueError(f"Unknown export kind {kind!r}; expected one of {', '.join(EXPORT_EXTENSIONS)}.") from None
    moment = now if now is not None else datetime.now().astimezone()
    return f"claude-tui-{moment:%Y-%m-%d-%H%M%S}.{extension}"


def write_export(path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = False) -> Path:
    """Write `data` to `path` atomically (text as UTF-8, newlines untouched) with mode 0o600.

    Raises `FileExistsError` if `path` exists and `overwrite` is false, and `ExportError` with a
    readable message for anything else that prevents writing (a name too long, `~nobody/…`, a folder
    that cannot be read...): never another exception.
    """
    try:
        target = Path(path).expanduser()
    except RuntimeError as error:  # `~name/…` for a user that does not exist
        shown = sanitize_line(str(path))
        raise ExportError(f"Cannot write {shown}: its ~ names no user of this machine.") from error
    shown = sanitize_line(str(target))
    try:
        _check_target(target, shown, overwrite=overwrite)
    except OSError as error:
        if isinstance(error, FileExistsError):
            raise
        raise ExportError(f"Cannot write {shown}: {_reason(error)}.") from error
    try:
        write_atomically(target, data, overwrite=overwrite)
    except FileExistsError:
        raise FileExistsError(f"{shown} already exists; choose another name or allow overwriting.") from None
    except OSError as error:
        raise ExportError(f"Cannot write {shown}: {_reason(error)}.") from error
    return target


def _check_target(target: Path, shown: str, *, overwrite: bool) -> None:
    """Refuse a folder, a missing folder, or (unless `overwrite`) an existing file. May raise `OSError`."""
    if target.is_dir():
        raise ExportError(f"{shown} is a folder; give a file name.")
    if not target.parent.is_dir():
        folder = sanitize_line(str(target.parent))
        problem = "is not a folder" if target.parent.exists() else "does not exist"
        raise ExportError(f"Cannot write {shown}: {folder} {problem}.")
    if not overwrite and target.exists():
        raise FileExistsError(f"{shown} already exists; choose another name or allow overwriting.")


def _reason(error: OSError) -> str:
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "no space left on the device",
        errno.ENAMETOOLONG: "the name is too long",
        errno.ENOENT: "no such file or folder",
        errno.ENOTDIR: "part of the path is not a folder",
    }
    return reasons.get(error.errno or 0) or sanitize_line(error.strerror or str(error)).lower()
