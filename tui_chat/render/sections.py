"""The conversation as lines of `Content`: each piece of a turn renders itself at a width.

A `Section` is one piece of the conversation view (a user message, an answer's header, one content
block, a notice, a TTFT result...). It knows its lines at a given inner width and bumps `version`
when they change; the conversation view draws the bar on its left, pads, caches and scrolls.
Text from the model or a server only ever enters as plain text (never markup).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.content import Content

from tui_chat.commands import active_keymap
from tui_chat.render.markdown import MarkdownDocument
from tui_chat.render.wrap import wrap as wrap_text
from tui_chat.session.conversation import Block, Turn, TurnStatus, cut_short, unreadable_note
from tui_chat.session.ttft import TtftExperiment, TtftRun
from tui_chat.stream.types import RetryNotice
from tui_chat.wording import duration

SHOWN_USER_CHARACTERS = 8_000
"""A huge paste is shown cut here (all of it is sent): laying out a megabyte would stall the UI."""

SHOWN_BLOCK_CHARACTERS = 200_000
"""An answer's block (text, thinking, tool input) is drawn up to here, the rest counted in a note: laying
out and re-parsing megabytes as they stream would stall the UI. All of it is kept (exports,
copies, the database): only the drawing stops. The longest real answers are a few hundred kilobytes."""

SHOWN_LINE_CHARACTERS = 10_000
"""A line is drawn up to here, then `…`: a megabyte without a newline is one markdown paragraph, parsed
again from its start for every piece that arrives."""

SHOWN_CITATIONS = 100
"""Citations listed under a text block (the rest are counted)."""

BAR_WIDTH = 22
EIGHTHS = " ▏▎▍▌▋▊▉█"


class Section:
    """One piece of the conversation view."""

    bar: str | None = None
    """Component class of the bar drawn on the left (None: no bar)."""
    background: str | None = None
    """Component class of the background behind the section, right of the bar (None: the view's)."""
    margin_top = 0

    def __init__(self) -> None:
        self.version = 0
        self._cache: tuple[int, int, list[Content]] | None = None

    @property
    def gutter(self) -> str | None:
        """The bar's component class now (it may follow the state of the turn)."""
        return self.bar

    def changed(self) -> None:
        self.version += 1

    def lines(self, width: int) -> list[Content]:
        """The section's lines at `width` cells (cached until it changes)."""
        cache = self._cache
        if cache is not None and cache[0] == width and cache[1] == self.version:
            return cache[2]
        lines = self.render(max(1, width))
        self._cache = (width, self.version, lines)
        return lines

    def render(self, width: int) -> list[Content]:
        raise NotImplementedError

    def click(self, line: int) -> bool:
        """The user clicked line `line` of the section; True if that did something."""
        return False

    @property
    def busy(self) -> bool:
        """True while the section holds text it has not rendered yet."""
        return False

    def step(self) -> bool:
        """Render the next piece of pending text; True if anything changed."""
        return False


class Bounder:
    """Lets text through to be drawn up to `limit` characters, each line up to `line_limit` (a cut line ends
    with `…`), fed piece by piece as an answer streams; counts what it holds back."""

    def __init__(self, limit: int = SHOWN_BLOCK_CHARACTERS, line_limit: int = SHOWN_LINE_CHARACTERS) -> None:
        self.limit = limit
        self.line_limit = line_limit
        self.fed = 0
        """Characters fed."""
        self.shown = 0
        """Characters let through (the `…` of cut lines included)."""
        self.lines_cut = 0
        self.full = False
        """`limit` was reached: nothing more is let through."""
        self._source_shown = 0
        self._line = 0
        self._line_cut = False

    @property
    def hidden(self) -> int:
        """Characters fed that are not drawn."""
        return self.fed - self._source_shown

    def admit(self, text: str) -> str:
        """The part of `text` to draw (it follows what was admitted before)."""
        self.fed += len(text)
        parts: list[str] = []
        start = 0
        while not self.full:
            end = text.find("\n", start)
            line = text[start:] if end < 0 else text[start:end]
            kept = line[: max(0, self.line_limit - self._line)]
            self._line += len(line)
            budget = self.limit - self.shown
            if len(kept) > budget:
                kept, self.full = kept[:budget], True
            parts.append(kept)
            self.shown += len(kept)
            self._source_shown += len(kept)
            if len(kept) < len(line) and not self._line_cut and not self.full:
                self._line_cut = True
                self.lines_cut += 1
                parts.append("…")
                self.shown += 1
            if end < 0:
                break
            if self.shown >= self.limit:
                self.full = True
                break
            parts.append("\n")
            self.shown += 1
            self._source_shown += 1
            self._line, self._line_cut = 0, False
            start = end + 1
        return "".join(parts)

    def note(self) -> Content | None:
        """What was held back, in words (None if nothing was)."""
        if not self.hidden:
            return None
        why = []
        if self.lines_cut:
            why.append(f"lines over {self.line_limit:,} characters are cut at …")
        if self.full:
            why.append(f"an answer is drawn up to {self.limit:,} characters")
        reason = "; ".join(why)
        return Content.styled(
            f"… {self.hidden:,} more characters not shown here ({reason}). All of it is kept: "
            "ctrl+s exports it, /copy copies it.",
            "italic $text-muted",
        )


def bounded(text: str, limit: int = SHOWN_BLOCK_CHARACTERS) -> tuple[str, Content | None]:
    """`text` as drawn (see `Bounder`), and the note saying what was held back (None if nothing). Costs
    no more for a text of megabytes than for one of `limit` characters."""
    bounder = Bounder(limit)
    head = text[: limit * 2]  # (lines cut short can leave room for more of them: some margin)
    shown = bounder.admit(head)
    bounder.fed += len(text) - len(head)
    return shown, bounder.note()


def wrap(content: Content, width: int) -> list[Content]:
    """`content` wrapped to `width` cells (newlines kept, long words folded, CJK line-breaking rules)."""
    return wrap_text(content, width) if content.plain else [Content("")]


def boxed(
    body: list[Content],
    width: int,
    title: Content | None = None,
    subtitle: Content | None = None,
    *,
    border: str = "$primary 60%",
) -> list[Content]:
    """`body` (lines fitted to `width - 4`) inside a rounded box, with an optional title and subtitle."""
    inner = max(1, width - 4)

    def edge(left: str, label: Content | None, right: str) -> Content:
        if label is None or not label.plain or width < 8:
            return Content.styled(left + "─" * max(0, width - 2) + right, border)
        label = label.truncate(max(1, width - 6), ellipsis=True)
        rest = max(0, width - 5 - label.cell_length)
        return Content.assemble((left + "─ ", border), label, (" " + "─" * rest + right, border))

    lines = [edge("╭", title, "╮")]
    for line in body:
        pad = max(0, inner - line.cell_length)
        lines.append(Content.assemble(("│ ", border), line, " " * pad, (" │", border)))
    lines.append(edge("╰", subtitle, "╯"))
    return lines


# ------------------------------------------------------------------------------- the hint
HINT_TITLE = "Ask anything, then press Enter."
HINT_DEMO = ("In demo mode, try a message with: ", "long · code · think · tool · error · drop · slow · 429 · 日本語")


def hint_rows() -> list[list[tuple[str, str]]]:
    """Key and what it does (the keys the user has: their `[keys]` applied); two on a row side by side
    where they fit, one under the other where not."""
    keys = active_keymap()
    return [
        [(keys.label("toggle_inspector"), "the event inspector: every server-sent event of the answer as it arrives")],
        [(keys.label("help"), "every key and slash command"), (keys.label("command_palette"), "the command palette")],
        [(keys.label("conversations"), "saved conversations"), ("/replay", "recorded streams, step by step")],
    ]


def _hint_item(key: str, text: str, key_width: int, width: int) -> list[Content]:
    """`key  text`, the text wrapped under itself (never under the key)."""
    lines = wrap(Content(text), max(1, width - key_width))
    first = Content.assemble((key.ljust(key_width), "bold"), lines[0])
    return [first, *(Content.assemble(" " * key_width, line) for line in lines[1:])]


def hint_lines(width: int) -> list[Content]:
    """The empty conversation's hint at `width` cells: no row breaks mid-phrase."""
    rows = hint_rows()
    key_width = max(len(key) for row in rows for key, _ in row) + 2
    column = max(key_width + len(row[0][1]) for row in rows if len(row) > 1) + 4
    lines = [Content.styled(HINT_TITLE, "bold"), Content("")]
    for row in rows:
        if len(row) == 2 and column + key_width + len(row[1][1]) <= width:
            (key, text), (second_key, second_text) = row
            left = Content.assemble((key.ljust(key_width), "bold"), text.ljust(column - key_width))
            lines.append(Content.assemble(left, (second_key.ljust(key_width), "bold"), second_text))
        else:
            for key, text in row:
                lines += _hint_item(key, text, key_width, width)
    lines.append(Content(""))
    lines += wrap(Content.assemble((HINT_DEMO[0], "dim"), (HINT_DEMO[1], "dim italic")), width)
    return lines


class HintSection(Section):
    """What an empty conversation shows: how to start, and where to look (off with `hints = false`)."""

    margin_top = 2

    def render(self, width: int) -> list[Content]:
        box_width = max(10, width - 4)
        text_width = max(1, box_width - 6)
        body = [Content(""), *(Content.assemble(" ", line) for line in hint_lines(text_width)), Content("")]
        box = boxed(body, box_width, border="$primary 30%")
        return [Content.assemble("  ", line).stylize_before("$text-muted") for line in box]


# ---------------------------------------------------------------------------- user turns
class UserSection(Section):
    """The user's message, as typed: plain text, never markup."""

    bar = "user-bar"
    background = "user"
    margin_top = 1

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn
        text = turn.text
        if len(text) > SHOWN_USER_CHARACTERS:
            hidden = len(text) - SHOWN_USER_CHARACTERS
            note = f"… and {hidden:,} more characters (all of it was sent; ctrl+s exports it)"
            text = f"{text[:SHOWN_USER_CHARACTERS]}\n{note}"
        if turn.load_notes:
            text = f"{text}\n{unreadable_note(turn.load_notes)}"
        self.text = text

    def render(self, width: int) -> list[Content]:
        lines: list[Content] = []
        for attachment in self.turn.attachments:  # sent before the text
            lines += wrap(Content.styled(f"📎 {attachment.describe()}", "$text-muted"), width)
        return lines + wrap(Content(self.text), width)


# ------------------------------------------------------------------------ assistant turns
def status_bar(turn: Turn) -> str:
    """The bar's component class for an answer in this state."""
    if turn.status in (TurnStatus.FAILED, TurnStatus.INCOMPLETE):
        return "failed-bar"
    if turn.status is TurnStatus.STOPPED or cut_short(turn) is not None:
        return "stopped-bar"
    return "assistant-bar"


class AnswerSection(Section):
    """A piece of an answer: its bar follows the turn's state."""

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn

    @property
    def gutter(self) -> str | None:
        return status_bar(self.turn)


class HeaderSection(AnswerSection):
    """`Claude · model · state`."""

    margin_top = 1

    def render(self, width: int) -> list[Content]:
        state = {
            TurnStatus.STREAMING: "● streaming",
            TurnStatus.COMPLETE: "✓",
            TurnStatus.STOPPED: "■ stopped",
            TurnStatus.FAILED: "✗ failed",
            TurnStatus.INCOMPLETE: "✗ incomplete",
        }[self.turn.status]
        cut = cut_short(self.turn)
        if cut is not None:
            state = f"{cut.mark} {cut.label}"
        model = self.turn.model or "replay"  # a replay's model is named by its stream's message_start
        model = model if len(model) <= 200 else model[:199] + "…"
        header = Content.assemble(("Claude", "bold"), " · ", model, " · ", state)
        if self.turn.request_index:
            header = Content.assemble(
                header, f" · continued with the tool results (request {self.turn.request_index + 1})"
            )
        return wrap(header.stylize_before("$text-muted"), width)


class TextSection(AnswerSection):
    """A text block: markdown, fed while it streams and rendered at most `STEP` characters at a time, up
    to `SHOWN_BLOCK_CHARACTERS` (lines up to `SHOWN_LINE_CHARACTERS`), with a note for the rest."""

    STEP = 2000
    """Characters appended to the markdown per render step: a burst never becomes one long stall."""

    def __init__(self, turn: Turn, text: str = "", *, complete: bool = False) -> None:
        super().__init__(turn)
        self.bounder = Bounder()
        self.document = MarkdownDocument(self.bounder.admit(text) if complete else "")
        self._pending: list[str] = []
        if text and not complete:
            self.feed(text)
        self._finishing = complete
        self._finished = False
        if complete:
            self.step()

    @property
    def source(self) -> str:
        """All the text fed so far that is drawn (rendered or not yet): see `Bounder`."""
        return self.document.source + "".join(self._pending)

    @property
    def rendered_source(self) -> str:
        """The text the rendered lines show."""
        return self.document.source

    def feed(self, text: str) -> None:
        if not text:
            return
        hidden = self.bounder.hidden
        shown = self.bounder.admit(text)
        if shown:
            self._pending.append(shown)
        if self.bounder.hidden != hidden:
            self.changed()  # the note under the text counts what is held back

    def finish(self) -> None:
        """No more text: once everything is rendered, re-parse the whole once (see `MarkdownDocument`)."""
        self._finishing = True

    @property
    def busy(self) -> bool:
        return bool(self._pending) or (self._finishing and not self._finished)

    def step(self) -> bool:
        """Render the next piece of pending text (or the final re-parse); True if anything changed."""
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            if len(text) > self.STEP:
                cut = text.rfind("\n", self.STEP // 2, self.STEP) + 1 or self.STEP
                self._pending.append(text[cut:])
                text = text[:cut]
            self.document.append(text)
        elif self._finishing and not self._finished:
            self._finished = True
            self.document.finish()
        else:
            return False
        self.changed()
        return True

    def render(self, width: int) -> list[Content]:
        lines = self.document.lines(width)
        note = self.bounder.note()
        return lines if note is None else [*lines, *wrap(note, width)]


class ThinkingSection(AnswerSection):
    """A thinking block: folded to one line unless opened (click it, or `t`)."""

    def __init__(self, turn: Turn, block: Block) -> None:
        super().__init__(turn)
        self.block = block
        self.expanded = False

    def toggle(self, expanded: bool | None = None) -> None:
        self.expanded = not self.expanded if expanded is None else expanded
        self.changed()

    def click(self, line: int) -> bool:
        if line == 0:
            self.toggle()
            return True
        return False

    def render(self, width: int) -> list[Content]:
        text = self.block.text
        if self.block.complete and not text:
            title = "Thinking (display omitted: only its signature came back)"
        elif self.block.complete:
            title = f"Thinking ({len(text):,} characters)"
        else:
            title = f"Thinking… ({len(text):,} characters so far)"
        marker = "▼ " if self.expanded else "▶ "
        hint = "" if self.expanded else " · click to open"
        header = Content.assemble((marker + title, "bold $text-muted"), (hint, "$text-muted 50%"))
        lines = wrap(header, width)
        if self.expanded:
            shown, note = bounded(text)
            body = wrap(Content.styled(shown or "…", "$text-muted"), max(1, width - 2))
            if note is not None:
                body += wrap(note, max(1, width - 2))
            lines += [Content.assemble("  ", line) for line in body]
        return lines


class ToolSection(AnswerSection):
    """A tool call: its name, and its JSON input as it streams (pretty-printed when complete)."""

    def __init__(self, turn: Turn, block: Block) -> None:
        super().__init__(turn)
        self.block = block

    def render(self, width: int) -> list[Content]:
        block = self.block
        where = {
            "server_tool_use": "runs on the server",
            "mcp_tool_use": "runs on an MCP server, called by the API",
        }.get(block.kind, "a client tool: claude-tui asks you before it runs")
        title = Content.assemble(("⚙ tool call: ", "bold"), (block.name or block.kind, "bold $secondary"))
        shown, note = bounded(block.text)
        body = wrap(Content.styled(shown or "…", "$text-muted"), max(1, width - 4))
        if note is not None:
            body += wrap(note, max(1, width - 4))
        return boxed(body, width, title, Content.styled(where, "$text-muted"))


class ToolResultSection(AnswerSection):
    """A server tool's result (web search, web fetch, code execution): what came back, summarised."""

    TITLES: ClassVar[dict[str, str]] = {
        "web_search_tool_result": "web search results",
        "web_fetch_tool_result": "fetched page",
        "code_execution_tool_result": "code execution output",
        "bash_code_execution_tool_result": "code execution output",
        "text_editor_code_execution_tool_result": "sandbox file edit",
    }

    def __init__(self, turn: Turn, block: Block) -> None:
        super().__init__(turn)
        self.block = block

    def render(self, width: int) -> list[Content]:
        kind = self.block.kind
        title = Content.assemble(("↳ ", "bold"), (self.TITLES.get(kind, kind), "bold $secondary"))
        body = wrap(Content.styled(self.block.text or "…", "$text-muted"), max(1, width - 4))
        return boxed(body, width, title, Content.styled(kind, "$text-muted"), border="$secondary 50%")


class ToolCallResultSection(AnswerSection):
    """What one client tool call came to: run (its result, folded when long), refused, stopped…"""

    FOLDED_LINES = 8
    """A longer result shows this many lines until clicked."""
    DECISIONS: ClassVar[dict[str, str]] = {
        "approved": "approved",
        "always": "always allowed",
        "refused": "refused",
        "stopped": "stopped",
        "unavailable": "not run",
    }

    def __init__(self, turn: Turn, block: Block) -> None:
        super().__init__(turn)
        self.block = block
        self.expanded = False

    def click(self, line: int) -> bool:
        self.expanded = not self.expanded
        self.changed()
        return True

    def render(self, width: int) -> list[Content]:
        block = self.block
        decision = self.DECISIONS.get(block.decision, block.decision or "waiting")
        if not block.complete:
            state, colour = f"{decision} · running… (Esc stops)", "$warning"
        elif block.is_error:
            state, colour = decision if block.decision in ("refused", "stopped", "unavailable") else "error", "$error"
        else:
            state, colour = decision, "$success"
        title = Content.assemble(("↳ ", "bold"), (block.name, "bold $secondary"), " · ", (state, f"bold {colour}"))
        text = block.text if block.complete else "…"
        lines = text.splitlines() or [""]
        hidden = 0 if self.expanded else max(0, len(lines) - self.FOLDED_LINES)
        shown = "\n".join(lines[: len(lines) - hidden]) if hidden else text
        inner = max(1, width - 4)
        body = wrap(Content.styled(shown, "$text-muted"), inner)
        if hidden:
            body.append(Content.styled(f"… {hidden:,} more lines (click to open)", "italic $text-muted"))
        elif self.expanded and len(lines) > self.FOLDED_LINES:
            body.append(Content.styled("(click to fold)", "italic $text-muted"))
        note = Content.styled(block.note or "tool result", "$text-muted")
        return boxed(body, width, title, note, border=f"{colour} 50%")


class OpaqueSection(AnswerSection):
    """A block that arrives whole and is not text: redacted thinking, server tool results, unknown types."""

    def __init__(self, turn: Turn, block: Block) -> None:
        super().__init__(turn)
        self.block = block

    def render(self, width: int) -> list[Content]:
        line = Content.assemble((self.block.kind, "bold"), " · ", self.block.text)
        return wrap(line.stylize_before("italic $text-muted"), width)


class CitationsSection(AnswerSection):
    """The sources the text above cites, numbered as the marks in the text (`[1]`)."""

    def __init__(self, turn: Turn, sources: list[tuple[int, str]]) -> None:
        super().__init__(turn)
        self.sources = sources
        """(number, citation line) in the order they were first cited."""

    def add(self, number: int, line: str) -> None:
        if all(known != number for known, _ in self.sources):
            self.sources.append((number, line))
            self.changed()

    def render(self, width: int) -> list[Content]:
        lines = [Content.styled("Sources:", "bold $text-muted")]
        sources = self.sources
        for number, citation in sources[:SHOWN_CITATIONS]:
            shown = citation if len(citation) <= 1000 else citation[:999] + "…"
            lines += wrap(Content.styled(f"[{number}] {shown}", "$text-muted"), width)
        if len(sources) > SHOWN_CITATIONS:
            more = f"… and {len(sources) - SHOWN_CITATIONS:,} more (the export has them all)"
            lines += wrap(Content.styled(more, "italic $text-muted"), width)
        return lines


class NoticeSection(AnswerSection):
    """What happened to an answer that did not simply complete: stopped, failed, retrying."""

    margin_top = 1

    def __init__(self, turn: Turn, content: Content, *, error: bool) -> None:
        super().__init__(turn)
        self.content = content
        self.error = error
        self.notes: list[str] = []

    def set(self, content: Content, *, error: bool) -> None:
        self.content, self.error = content, error
        self.changed()

    def add_note(self, text: str) -> None:
        self.notes.append(text)
        self.changed()

    def render(self, width: int) -> list[Content]:
        colour = "$error" if self.error else "$warning"
        inner = max(1, width - 3)
        body = self.content if not self.notes else Content("\n").join([self.content, *map(Content, self.notes)])
        lines: list[Content] = []
        for line in wrap(body, inner):
            pad = " " * max(0, inner - line.cell_length)
            row = Content.assemble((" ", ""), line, pad, " ").stylize_before(f"on {colour} 12%")
            lines.append(Content.assemble(("▌", colour), row))
        return lines


def notice_for_retry(notice: RetryNotice, remaining: float | None = None) -> Content:
    left = notice.wait if remaining is None else remaining
    when = f"Retrying in {left:.1f} s (Esc cancels)." if left > 0 else "Retrying now…"
    return Content.assemble(
        (f"Attempt {notice.attempt} of {notice.max_attempts} failed", "bold"), f" — {notice.reason}.\n{when}"
    )


def notice_for_turn(turn: Turn) -> Content | None:
    """The notice under an answer that did not complete or was cut short, or that could not all be read
    from the database (None for a complete answer read in full)."""
    notice = _state_notice(turn)
    if not turn.load_notes:
        return notice
    unreadable = Content(unreadable_note(turn.load_notes))
    return unreadable if notice is None else Content("\n").join([notice, unreadable])


def _state_notice(turn: Turn) -> Content | None:
    elapsed = f"{turn.metrics.elapsed():.1f}"
    retry = active_keymap().label("retry")
    cut = cut_short(turn)
    if cut is not None:
        return Content.assemble((f"{cut.mark} {cut.label[:1].upper()}{cut.label[1:]}", "bold"), f" — {cut.explanation}")
    if turn.status is TurnStatus.STOPPED:
        kept = "the partial answer above is kept" if turn.blocks else "nothing had arrived yet"
        return Content.assemble(("■ Stopped", "bold"), f" after {elapsed} s — {kept}. {retry} asks again.")
    if turn.status in (TurnStatus.FAILED, TurnStatus.INCOMPLETE):
        error = turn.error
        if error is None:
            return Content.assemble(("✗ Failed", "bold"), f" after {elapsed} s. {retry} retries.")
        if error.summary_repeats_kind:  # `✗ HTTP 400 invalid_request_error: …`: the kind said once, in bold
            before, _, after = error.summary.partition(error.kind)
            lines = [Content.assemble("✗ ", before, (error.kind, "bold"), after)]
        else:
            lines = [Content.assemble((f"✗ {error.kind}", "bold"), f" — {error.summary}")]
        details = []
        if error.request_id:
            details.append(f"request-id {error.request_id}")
        if turn.blocks:
            details.append("partial answer kept")
        if details:
            lines.append(Content.styled(" · ".join(details), "dim"))
        if error.hint:
            lines.append(Content.assemble(f"{error.hint} ", (retry, "bold"), " retries."))
        return Content("\n").join(lines)
    return None


# --------------------------------------------------------------------- everything else
class EarlierSection(Section):
    """Stands in for the older turns of a long conversation until the user asks to see them."""

    margin_top = 1

    def __init__(self, turns: list[Turn], show: Callable[[EarlierSection], None]) -> None:
        super().__init__()
        self.turns = turns
        self._show = show

    def click(self, line: int) -> bool:
        self._show(self)
        return True

    def render(self, width: int) -> list[Content]:
        label = f" Show {len(self.turns)} earlier messages (click, or ctrl+e in the conversation) "
        return [Content.styled(label, "bold reverse $primary").center(width)]


def bar(value: float | None, scale: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar `value/scale` of `width` cells, in eighths of a cell."""
    if value is None or scale <= 0:
        return " " * width
    eighths = max(1, round(min(value / scale, 1.0) * width * 8))
    full, rest = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[rest] if rest else "")).ljust(width)


class TtftSection(Section):
    """The TTFT experiment: time to first token and to the whole answer, as bars (never sent as history)."""

    margin_top = 1

    def __init__(self, experiment: TtftExperiment | None = None, *, model: str = "", prompt: str = "") -> None:
        super().__init__()
        self.experiment = experiment
        self._waiting = f"Running: the same prompt to {model}, streaming first, then not streaming…\n“{prompt}”"

    def show(self, experiment: TtftExperiment) -> None:
        self.experiment = experiment
        self.changed()

    def render(self, width: int) -> list[Content]:
        inner = max(1, width - 4)
        body = self._result(inner) if self.experiment is not None else Content(self._waiting)
        lines = [line for part in body.split("\n") for line in wrap(part, inner)]
        return boxed(lines, width, Content.styled("TTFT experiment", "bold $success"))

    def _result(self, width: int) -> Content:
        experiment = self.experiment
        assert experiment is not None
        scale = max((run.total or 0.0) for run in (experiment.streaming, experiment.non_streaming)) or 1.0
        bars = max(4, min(BAR_WIDTH, (width - 44) // 2))  # label 15 and figures 29 cells share the width
        lines = [
            Content.assemble(
                (experiment.model, "bold"), f" · max_tokens {experiment.max_tokens} · “", experiment.prompt, "”"
            ),
            Content(""),
            Content.assemble("".ljust(15), ("first token".ljust(bars + 11), "dim"), ("whole answer", "dim")),
        ]
        for label, run in (("streaming", experiment.streaming), ("not streaming", experiment.non_streaming)):
            lines.append(self._row(label, run, scale, bars))
        lines += [Content(""), Content(self._verdict(experiment))]
        return Content("\n").join(lines)

    @staticmethod
    def _row(label: str, run: TtftRun, scale: float, width: int) -> Content:
        if run.error:
            return Content.assemble((label.ljust(15), "bold"), (f"failed: {run.error}", "$error"))
        tokens = "—" if run.output_tokens is None else f"{run.output_tokens:,} tokens"
        return Content.assemble(
            (label.ljust(15), "bold"),
            (bar(run.ttft, scale, width), "$success" if run.streaming else "$warning"),
            f" {duration(run.ttft):>8}  ",
            (bar(run.total, scale, width), "$primary"),
            f" {duration(run.total):>8}  {tokens}",
        )

    @staticmethod
    def _verdict(experiment: TtftExperiment) -> str:
        speedup = experiment.speedup
        if speedup is None:
            return "One of the requests failed, so there is nothing to compare."
        both = (experiment.streaming.total or 0.0, experiment.non_streaming.total or 0.0)
        similar = min(both) / max(both) > 0.8 if max(both) else True
        tail = (
            "The whole answer took about as long either way: streaming changes when you see it, not how long it takes."
            if similar
            else "The totals differ more than usual; run it again to see how much is noise."
        )
        return f"Streaming showed the first token {speedup:,.1f}× sooner. {tail}"
