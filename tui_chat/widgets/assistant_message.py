"""An assistant turn: a header, its content blocks as they stream, and a notice if it went wrong."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from tui_chat.session.model import Block, Turn, TurnStatus
from tui_chat.stream.types import RetryNotice
from tui_chat.widgets.answer_markdown import AnswerMarkdown
from tui_chat.widgets.opaque_block import OpaqueBlock
from tui_chat.widgets.thinking_block import ThinkingBlock
from tui_chat.widgets.tool_use_block import ToolUseBlock
from tui_chat.widgets.turn_notice import TurnNotice

BlockWidget = AnswerMarkdown | ThinkingBlock | ToolUseBlock | OpaqueBlock


class AssistantMessage(Vertical):
    DEFAULT_CSS = """
    AssistantMessage {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $primary;
    }
    AssistantMessage > .assistant-header { color: $text-muted; }
    AssistantMessage.-failed { border-left: thick $error; }
    AssistantMessage.-stopped { border-left: thick $warning; }
    """

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn
        self.blocks: dict[int, BlockWidget] = {}
        self._header = Static(self._header_text(), classes="assistant-header", markup=False)
        self._notice: TurnNotice | None = None
        self.ended = False
        """True once the end of the turn has been rendered (all text flushed, notice shown)."""
        self._countdown: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self._header
        turn = self.turn
        if turn.status is TurnStatus.STREAMING:
            return
        # A finished turn (a resumed conversation): everything at once.
        for block in turn.blocks:
            widget = self._widget_for(block, complete=True)
            self.blocks[block.index] = widget
            yield widget
            if block.kind == "text" and block.citations:
                yield self._citations(block)
        notice = TurnNotice.for_turn(turn)
        if notice is not None:
            self._notice = TurnNotice(notice, markup=False)
            self._notice.set_class(turn.status is not TurnStatus.STOPPED, "-error")
            yield self._notice

    def on_mount(self) -> None:
        if self.turn.status is not TurnStatus.STREAMING:
            self._set_status_classes()
            self.ended = True

    @staticmethod
    def _widget_for(block: Block, *, complete: bool) -> BlockWidget:
        if block.kind == "text":
            return AnswerMarkdown(block.text if complete else "")
        if block.kind == "thinking":
            widget = ThinkingBlock()
            if complete:
                widget.complete(block.text)
            return widget
        if block.is_tool_use:
            tool = ToolUseBlock(block)
            if complete:
                tool.complete(block)
            return tool
        return OpaqueBlock(block)

    @staticmethod
    def _citations(block: Block) -> Static:
        sources = "\n".join(f"{n}. {line}" for n, line in enumerate(block.citations, 1))
        return Static(Content("Sources:\n" + sources), classes="citations", markup=False)

    def _set_status_classes(self) -> None:
        status = self.turn.status
        self.set_class(status in (TurnStatus.FAILED, TurnStatus.INCOMPLETE), "-failed")
        self.set_class(status is TurnStatus.STOPPED, "-stopped")

    def _header_text(self) -> Content:
        turn = self.turn
        state = {
            TurnStatus.STREAMING: "● streaming",
            TurnStatus.COMPLETE: "✓",
            TurnStatus.STOPPED: "■ stopped",
            TurnStatus.FAILED: "✗ failed",
            TurnStatus.INCOMPLETE: "✗ incomplete",
        }[turn.status]
        return Content.from_markup("[b]Claude[/b] · $model · $state", model=turn.model, state=state)

    def add_note(self, text: str) -> None:
        """Add a line under the turn's notice (e.g. the models to choose from after a 404)."""
        if self._notice is not None:
            current = self._notice.content
            base = current if isinstance(current, Content) else Content(str(current))
            self._notice.update(Content("\n").join([base, Content(text)]))

    async def start_block(self, block: Block) -> None:
        self._stop_countdown()
        self._header.update(self._header_text())  # message_start has named the model that answers
        if self._notice is not None and self.turn.status is TurnStatus.STREAMING:
            await self._notice.remove()  # the retry notice: the stream has started
            self._notice = None
        widget = self._widget_for(block, complete=False)
        self.blocks[block.index] = widget
        if self._notice is not None:
            await self.mount(widget, before=self._notice)
        else:
            await self.mount(widget)

    async def add_text(self, index: int, text: str) -> None:
        widget = self.blocks.get(index)
        if isinstance(widget, AnswerMarkdown):
            await widget.feed_now(text)
        elif isinstance(widget, ThinkingBlock | ToolUseBlock):
            widget.add_text(text)

    async def complete_block(self, block: Block) -> None:
        widget = self.blocks.get(block.index)
        if isinstance(widget, AnswerMarkdown):
            await widget.finish()
            if block.citations:
                await self.mount(self._citations(block), after=widget)
        elif isinstance(widget, ThinkingBlock):
            widget.complete(block.text)
        elif isinstance(widget, ToolUseBlock):
            widget.complete(block)

    def show_retry(self, notice: RetryNotice) -> None:
        """Say that an attempt failed and count down to the next one (ten times a second)."""
        self._stop_countdown()
        deadline = time.monotonic() + notice.wait

        def tick() -> None:
            remaining = max(0.0, deadline - time.monotonic())
            self._set_notice(TurnNotice.for_retry(notice, remaining), error=False)
            if remaining <= 0:
                self._stop_countdown()

        tick()
        self._countdown = self.set_interval(0.1, tick)

    def _stop_countdown(self) -> None:
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None

    async def end(self) -> None:
        self._stop_countdown()
        for widget in self.blocks.values():
            if isinstance(widget, AnswerMarkdown):
                await widget.finish()
        turn = self.turn
        self._header.update(self._header_text())
        self._set_status_classes()
        notice = TurnNotice.for_turn(turn)
        if notice is None:
            if self._notice is not None:
                await self._notice.remove()
                self._notice = None
        else:
            self._set_notice(notice, error=turn.status is not TurnStatus.STOPPED)
        self.ended = True

    def _set_notice(self, content: Content, *, error: bool) -> None:
        if self._notice is None:
            self._notice = TurnNotice(content, markup=False)
            self.mount(self._notice)
        else:
            self._notice.update(content)
        self._notice.set_class(error, "-error")
