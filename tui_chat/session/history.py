"""The saved copy of the conversations: every turn committed when it is sent and when its answer ends.

The answer still streaming is checkpointed every second, so killing the process loses at most about a
second. Failures become one `Notice` (not one per turn); nothing here raises to the caller.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from tui_chat.safety import redact, sanitize_line
from tui_chat.session.model import Conversation, Turn, TurnStatus
from tui_chat.session.reports import Notice
from tui_chat.session.store import ConversationStore, StoreError


class History:
    """Opens the store lazily (never with `--no-history`) and saves turns into it."""

    def __init__(
        self,
        directory: Path | None,
        *,
        secrets: Sequence[str] = (),
        notify: Callable[[Notice], None] = lambda notice: None,
    ) -> None:
        """`directory`: where the database lives; None saves nothing (`--no-history`)."""
        self.directory = directory
        self.store: ConversationStore | None = None
        self._secrets = list(secrets)
        self._notify = notify
        self._warned = False

    def open_store(self) -> ConversationStore | None:
        if self.store is None and self.directory is not None:
            try:
                self.store = ConversationStore(self.directory)
            except (StoreError, OSError, sqlite3.Error) as error:
                self.directory = None  # asked once: the session goes on without saving
                self._failed("Conversations will not be saved", error)
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def save(self, conversation: Conversation, turn: Turn) -> None:
        """Commit `turn` (sent, or its answer ended) in `conversation`."""
        store = self.store
        if store is None or turn not in conversation.turns:
            return
        try:
            store.save_turn(conversation, turn)
        except (StoreError, OSError, sqlite3.Error) as error:
            self._failed("Could not save the conversation", error)

    def checkpoint(self, conversation: Conversation) -> None:
        """Save the partial answer of `conversation` that is streaming, if any."""
        store = self.store
        if store is None or not conversation.turns:
            return
        turn = conversation.turns[-1]
        if turn.role != "assistant" or turn.status is not TurnStatus.STREAMING:
            return
        try:
            store.checkpoint(conversation, turn)
        except (StoreError, OSError, sqlite3.Error) as error:
            self._failed("Could not checkpoint the answer", error)

    def save_draft(self, key: str, text: str) -> None:
        """Keep the prompt's unsent `text` under `key` (a conversation id, "" for a new one); "" removes it."""
        store = self.store
        if store is None:
            return
        try:
            store.save_draft(key, text)
        except (StoreError, OSError, sqlite3.Error) as error:
            self._failed("Could not save the draft", error)

    def draft(self, key: str) -> str:
        """The unsent text kept under `key` ("" if none, or without a store)."""
        store = self.store
        if store is None:
            return ""
        try:
            return store.draft(key)
        except (StoreError, OSError, sqlite3.Error) as error:
            self._failed("Could not read the draft", error)
            return ""

    def _failed(self, what: str, error: BaseException) -> None:
        if self._warned:
            return
        self._warned = True
        detail = redact(sanitize_line(str(error)), self._secrets)[:200]
        self._notify(Notice(f"{what}: {detail}", "warning", timeout=10))
