"""Markdown for an answer that is still arriving: fed text, re-rendered at a bounded rate, not per token.

`Markdown.append` re-parses the last top-level block each time, so appending every token costs
~6 ms a token (TEXTUAL-NOTES.md). Text is buffered here and appended at once when the widget is
idle (so the first token shows without delay), then at most every `MIN_INTERVAL` seconds, at most
`MAX_APPEND` characters at a time; when an append is slow the interval grows to three times its
cost, so the event loop is never held long.

Fenced code is the expensive case: Textual's `MarkdownFence` re-highlights the whole open block on
every append (242 ms at 52k characters). `ChunkedFence` replaces it: the code is cut into pieces of
`CHUNK_LINES` lines, each its own label, and an append re-highlights only the pieces that changed
(the last one, while the block streams). The cost of an append no longer grows with the block.
"""

from __future__ import annotations

import time

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.app import ComposeResult
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Label, Markdown
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

CHUNK_LINES = 40
"""Lines of code per label of a `ChunkedFence`: the most an append re-highlights."""

_PARSER = MarkdownIt("gfm-like")
"""One parser for every answer (building one costs more than parsing a short append)."""


def _parser() -> MarkdownIt:
    return _PARSER


def split_chunks(code: str) -> list[str]:
    """`code` in pieces of `CHUNK_LINES` lines (joined with newlines they give `code` back)."""
    lines = code.split("\n")
    return ["\n".join(lines[start : start + CHUNK_LINES]) for start in range(0, len(lines), CHUNK_LINES)]


class ChunkedFence(MarkdownFence):
    """A fenced code block highlighted piece by piece, so a growing block costs only its last piece.

    Each piece is highlighted on its own, as if the lexer started fresh at its first line: a string
    or comment spanning two pieces may be coloured differently from a whole-block highlight.
    """

    DEFAULT_CSS = """
    ChunkedFence { padding: 1 0; }
    ChunkedFence > Label { padding: 0 2; }
    ChunkedFence:ansi { padding: 1 0; }
    ChunkedFence:ansi > Label { padding: 0 0; }
    """

    def __init__(self, markdown: Markdown, token: Token, code: str) -> None:
        MarkdownBlock.__init__(self, markdown, token)  # not MarkdownFence's: it highlights everything now
        self.code = code
        self.lexer = token.info
        self.auto_links = False
        self.chunks = split_chunks(code)
        self._labels: list[Label] = []

    def _highlight_chunk(self, chunk: str) -> Content:
        app = self.app
        return self.highlight(chunk, self.lexer, ansi=app.native_ansi_color, dark=app.current_theme.dark)

    @property
    def _highlighted_code(self) -> Content:  # type: ignore[override]  # computed: MarkdownFence stores it
        return self._highlight_chunk(self.code)

    def compose(self) -> ComposeResult:
        self._labels = [Label(self._highlight_chunk(chunk), expand=True) for chunk in self.chunks]
        yield from self._labels

    def notify_style_update(self) -> None:
        """Re-highlight for the new theme (every piece, once)."""
        for label, chunk in zip(self._labels, self.chunks, strict=False):
            label.update(self._highlight_chunk(chunk))
        MarkdownBlock.notify_style_update(self)

    def _copy_context(self, block: MarkdownBlock) -> None:
        if isinstance(block, MarkdownFence):
            self.code = block.code
            self.lexer = block.lexer
        MarkdownBlock._copy_context(self, block)

    def set_content(self, content: Content) -> None:
        """Show `content` as the whole block (one piece)."""
        self._content = content
        for label in self._labels[1:]:
            label.remove()
        del self._labels[1:]
        if self._labels:
            self._labels[0].update(content)

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        if not isinstance(block, ChunkedFence):
            await super()._update_from_block(block)
            return
        relexed = block.lexer != self.lexer
        self._copy_context(block)
        old, new = self.chunks, block.chunks
        same = 0
        if not relexed:
            while same < min(len(old), len(new)) and old[same] == new[same]:
                same += 1
        self.chunks = list(new)
        if not self.is_mounted:
            return
        mounts: list[Label] = []
        for index in range(same, len(new)):
            content = self._highlight_chunk(new[index])
            if index < len(self._labels):
                self._labels[index].update(content)
            else:
                mounts.append(Label(content, expand=True))
        if len(self._labels) > len(new):
            doomed = self._labels[len(new) :]
            del self._labels[len(new) :]
            await self.remove_children(doomed)
        if mounts:
            self._labels.extend(mounts)
            await self.mount_all(mounts)


class AnswerMarkdown(Markdown):
    """One text block of an answer. `feed()` while it streams, `finish()` at the end; `source` is the text."""

    MIN_INTERVAL = 0.05
    MAX_INTERVAL = 1.0
    MAX_APPEND = 3000
    """Characters per append at most: a burst (a fast stream, a slow frame) is rendered in pieces."""

    BLOCKS: dict[str, type[MarkdownBlock]] = {  # noqa: RUF012  # as Markdown declares it
        **Markdown.BLOCKS,
        "fence": ChunkedFence,
        "code_block": ChunkedFence,
    }

    DEFAULT_CSS = """
    AnswerMarkdown {
        margin: 0;
        padding: 0;
        background: transparent;
    }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(text, id=id, classes=classes, open_links=False, parser_factory=_parser)
        self._pending: list[str] = []
        self._timer: Timer | None = None
        self._interval = self.MIN_INTERVAL
        self._flushing = False
        self._last_flush = 0.0
        self.last_append_seconds = 0.0

    def feed(self, text: str) -> None:
        """Queue text: rendered now if the widget is idle, else at the next flush."""
        if text:
            self._pending.append(text)
            self._schedule()

    async def feed_now(self, text: str) -> None:
        """Queue text and, unless the last append was too recent (or is still running), render it now:
        called with a batch of the stream, the text then appears in the batch's repaint."""
        if text:
            self._pending.append(text)
        idle = self._timer is None and not self._flushing and self.is_mounted
        if idle and time.perf_counter() >= self._last_flush + self._interval:
            await self._flush()
            return
        self._schedule()

    def on_mount(self) -> None:
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is None and not self._flushing and self._pending and self.is_mounted:
            wait = self._last_flush + self._interval - time.perf_counter()
            self._timer = self.set_timer(max(wait, 0.001), self._flush)

    def _take(self) -> str:
        """The next piece to render: what is pending, at most about `MAX_APPEND` characters (cut
        after a newline where there is one), so a burst of text never becomes one long append."""
        text = "".join(self._pending)
        self._pending.clear()
        if len(text) > self.MAX_APPEND:
            cut = text.rfind("\n", self.MAX_APPEND // 2, self.MAX_APPEND) + 1 or self.MAX_APPEND
            self._pending.append(text[cut:])
            text = text[:cut]
        return text

    async def _flush(self) -> None:
        self._timer = None
        if not self._pending or self._flushing:
            return
        text = self._take()
        self._flushing = True
        started = time.perf_counter()
        try:
            await self.append(text)
        finally:
            self._flushing = False
        took = time.perf_counter() - started
        self._last_flush = time.perf_counter()
        self.last_append_seconds = took
        self._interval = min(self.MAX_INTERVAL, max(self.MIN_INTERVAL, 3 * took))
        self._schedule()

    async def finish(self) -> None:
        """Render everything still queued, now (in pieces, yielding between them)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        while self._pending:
            await self.append(self._take())
