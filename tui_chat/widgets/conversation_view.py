"""The conversation: user and assistant turns, scrolled to the newest while it streams."""

from __future__ import annotations

from textual.containers import VerticalScroll

from tui_chat.messages import BlockCompleted, BlockStarted, BlockText, RetryScheduled, TurnEnded
from tui_chat.session.model import Turn
from tui_chat.widgets.assistant_message import AssistantMessage
from tui_chat.widgets.user_message import UserMessage


class ConversationView(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        padding: 0 1 1 1;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.assistant: dict[int, AssistantMessage] = {}

    def on_mount(self) -> None:
        self.anchor()

    async def add_user(self, turn: Turn) -> None:
        await self.mount(UserMessage(turn))
        self.anchor()

    async def add_assistant(self, turn: Turn) -> AssistantMessage:
        widget = AssistantMessage(turn)
        self.assistant[turn.id] = widget
        await self.mount(widget)
        self.anchor()
        return widget

    async def remove_turn(self, turn_id: int) -> None:
        widget = self.assistant.pop(turn_id, None)
        if widget is not None:
            await widget.remove()

    async def clear_all(self) -> None:
        self.assistant.clear()
        await self.remove_children()

    async def on_block_started(self, message: BlockStarted) -> None:
        widget = self.assistant.get(message.turn_id)
        if widget is not None:
            await widget.start_block(message.block)

    def on_block_text(self, message: BlockText) -> None:
        widget = self.assistant.get(message.turn_id)
        if widget is not None:
            widget.add_text(message.index, message.text)

    async def on_block_completed(self, message: BlockCompleted) -> None:
        widget = self.assistant.get(message.turn_id)
        if widget is not None:
            await widget.complete_block(message.block)

    def on_retry_scheduled(self, message: RetryScheduled) -> None:
        widget = self.assistant.get(message.turn_id)
        if widget is not None:
            widget.show_retry(message.notice)

    async def on_turn_ended(self, message: TurnEnded) -> None:
        widget = self.assistant.get(message.turn.id)
        if widget is not None:
            await widget.end()
