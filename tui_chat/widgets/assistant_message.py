"""An assistant turn: a header, its content blocks as they stream, and a notice if it went wrong."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
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

    def compose(self) -> ComposeResult:
        yield self._header

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

    async def start_block(self, block: Block) -> None:
        widget: BlockWidget
        if block.kind == "text":
            widget = AnswerMarkdown()
        elif block.kind == "thinking":
            widget = ThinkingBlock()
        elif block.is_tool_use:
            widget = ToolUseBlock(block)
        else:
            widget = OpaqueBlock(block)
        self.blocks[block.index] = widget
        if self._notice is not None:
            await self.mount(widget, before=self._notice)
        else:
            await self.mount(widget)

    def add_text(self, index: int, text: str) -> None:
        widget = self.blocks.get(index)
        if isinstance(widget, AnswerMarkdown):
            widget.feed(text)
        elif isinstance(widget, ThinkingBlock | ToolUseBlock):
            widget.add_text(text)

    async def complete_block(self, block: Block) -> None:
        widget = self.blocks.get(block.index)
        if isinstance(widget, AnswerMarkdown):
            await widget.finish()
            if block.citations:
                sources = "\n".join(f"{n}. {line}" for n, line in enumerate(block.citations, 1))
                await self.mount(
                    Static(Content("Sources:\n" + sources), classes="citations", markup=False), after=widget
                )
        elif isinstance(widget, ThinkingBlock):
            widget.complete(block.text)
        elif isinstance(widget, ToolUseBlock):
            widget.complete(block)

    def show_retry(self, notice: RetryNotice) -> None:
        self._set_notice(TurnNotice.for_retry(notice), error=False)

    async def end(self) -> None:
        for widget in self.blocks.values():
            if isinstance(widget, AnswerMarkdown):
                await widget.finish()
        turn = self.turn
        self._header.update(self._header_text())
        self.set_class(turn.status in (TurnStatus.FAILED, TurnStatus.INCOMPLETE), "-failed")
        self.set_class(turn.status is TurnStatus.STOPPED, "-stopped")
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
