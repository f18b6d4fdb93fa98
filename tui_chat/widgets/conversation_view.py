"""The conversation: user and assistant turns, scrolled to the newest while it streams."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widget import Widget

from tui_chat.messages import BlockCompleted, BlockStarted, BlockText, RetryScheduled, TurnEnded
from tui_chat.session.model import Turn
from tui_chat.widgets.assistant_message import AssistantMessage
from tui_chat.widgets.earlier_turns import EarlierTurns
from tui_chat.widgets.empty_hint import EmptyHint
from tui_chat.widgets.user_message import UserMessage

RECENT_TURNS = 40
"""Turns rendered when a conversation is opened; older ones wait behind a button (the DOM stays small)."""


class ConversationView(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        padding: 0 1 1 1;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None, hints: bool = True) -> None:
        super().__init__(id=id)
        self.assistant: dict[int, AssistantMessage] = {}
        self.hints = hints
        """Show the help text while the conversation is empty."""

    async def on_mount(self) -> None:
        self.anchor()
        await self._show_hint()

    async def _show_hint(self) -> None:
        if self.hints and not self.children:
            await self.mount(EmptyHint())

    async def _hide_hint(self) -> None:
        for hint in self.query(EmptyHint):
            await hint.remove()

    async def add_extra(self, widget: Widget) -> None:
        """Add something that is not a turn (a TTFT experiment's result) at the end."""
        await self._hide_hint()
        await self.mount(widget)
        self.anchor()

    async def add_user(self, turn: Turn) -> None:
        await self._hide_hint()
        await self.mount(UserMessage(turn))
        self.anchor()

    async def add_assistant(self, turn: Turn) -> AssistantMessage:
        widget = AssistantMessage(turn)
        self.assistant[turn.id] = widget
        await self.mount(widget)
        self.anchor()
        return widget

    async def remove_turns(self, turn_ids: set[int]) -> None:
        """Remove the widgets of these turns (user and assistant)."""
        doomed = [
            child
            for child in self.children
            if isinstance(child, UserMessage | AssistantMessage) and child.turn.id in turn_ids
        ]
        for turn_id in turn_ids:
            self.assistant.pop(turn_id, None)
        if doomed:
            await self.remove_children(doomed)

    async def clear_all(self) -> None:
        self.assistant.clear()
        await self.remove_children()
        await self._show_hint()

    async def show_turns(self, turns: list[Turn], *, recent: int = RECENT_TURNS) -> None:
        """Render finished turns (a resumed conversation). Only the last `recent` get widgets at first."""
        await self.clear_all()
        if turns:
            await self._hide_hint()
        hidden = turns[:-recent] if len(turns) > recent else []
        widgets: list[Widget] = []
        if hidden:
            widgets.append(EarlierTurns(hidden))
        widgets.extend(self._widget(turn) for turn in turns[len(hidden) :])
        with self.app.batch_update():
            await self.mount_all(widgets)
        self.anchor()

    def _widget(self, turn: Turn) -> Widget:
        if turn.role == "user":
            return UserMessage(turn)
        widget = AssistantMessage(turn)
        self.assistant[turn.id] = widget
        return widget

    async def on_earlier_turns_show(self, message: EarlierTurns.Show) -> None:
        """Mount the turns that were left out, above the ones shown."""
        placeholder = message.placeholder
        widgets = [self._widget(turn) for turn in placeholder.turns]
        with self.app.batch_update():
            await self.mount_all(widgets, after=placeholder)
            await placeholder.remove()

    async def on_block_started(self, message: BlockStarted) -> None:
        widget = self.assistant.get(message.turn_id)
        if widget is not None:
            await widget.start_block(message.block)

    async def on_block_text(self, message: BlockText) -> None:
        widget = self.assistant.get(message.turn_id)
        if widget is not None:
            await widget.add_text(message.index, message.text)

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
