"""The saved copy of the conversations: every turn saved when it is sent and when its answer ends.

The answer still streaming is checkpointed every second, so killing the process loses at most about a
second (while the database is free). Writes go through a `StoreWriter` (its own thread): a locked
database never stalls the UI, and what waits for it is kept and saved once it is free (the user is told
both, as `Notice`s). `store` is a reading connection of the caller's own (the conversation list,
`--continue`). Nothing here raises to the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui_chat.safety import redact, sanitize_line
from tui_chat.session.conversation import Conversation, Turn, TurnStatus
from tui_chat.session.reports import Notice
from tui_chat.session.store import DB_FILENAME, ConversationStore, StoreError, load_wire_body
from tui_chat.session.writer import StoreWriter, WriterState

if TYPE_CHECKING:
    from tui_chat.stream.wire import PackedEvents


class History:
    """Saves turns through a writer thread, reads through a connection of its own, and keeps the
    frames of finished answers packed (their bytes read back from the database when asked for)."""

    READ_BUSY_TIMEOUT = 1.0
    """Seconds a read on the caller's thread waits for another program's lock (writes never wait there)."""

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
        self.writer: StoreWriter | None = None
        self._secrets = list(secrets)
        self._notify = notify
        self._told_waiting = False
        self._lost = 0
        self._unreleased: list[tuple[Conversation, Turn, PackedEvents, bool]] = []
        """Packed records whose bytes wait for their save to land before they are released."""

    # ------------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start saving (unless `--no-history`): the writer thread opens the database when it can. Call it
        from the event loop that should hear about the writer (its news comes back on that loop)."""
        if self.writer is not None or self.directory is None:
            return
        loop = asyncio.get_running_loop()

        def changed(state: WriterState) -> None:  # on the writer's thread
            with contextlib.suppress(RuntimeError):  # the loop is closed: the app is gone
                loop.call_soon_threadsafe(self._writer_changed, state)

        self.writer = StoreWriter(self.directory, on_change=changed)

    def open_store(self) -> ConversationStore | None:
        """The reading connection (None, with a notice, if the database cannot be read now)."""
        if self.store is None and self.directory is not None:
            try:
                self.store = ConversationStore(self.directory, busy_timeout=self.READ_BUSY_TIMEOUT)
            except (StoreError, OSError, sqlite3.Error) as error:
                detail = redact(sanitize_line(str(error)), self._secrets)[:200]
                self._notify(Notice(f"Saved conversations cannot be read now: {detail}", "warning", timeout=10))
        return self.store

    def close(self) -> list[str]:
        """Wait a little for writes still waiting (a locked database); return what could not be saved, in
        sentences for the terminal once the app has left the screen."""
        notes: list[str] = []
        if self.writer is not None:
            writer, self.writer = self.writer, None
            unsaved = writer.close()
            if unsaved:
                reason = writer.state.reason or "the database could not be written"
                notes.append(
                    redact(
                        f"claude-tui: {unsaved} change{'s' if unsaved != 1 else ''} to the conversation could not "
                        f"be saved before quitting ({reason}). Export with /export before quitting next time the "
                        "database is locked.",
                        self._secrets,
                    )
                )
        if self.store is not None:
            self.store.close()
            self.store = None
        return notes

    # -------------------------------------------------------------------------------- writes
    SETTLE_SECONDS = 3.0
    """How long a read waits for the writes asked for before it (a locked database: then it reads without)."""

    async def settle(self) -> None:
        """Let the writes asked for so far land (in a thread; at most `SETTLE_SECONDS`): before reading the
        database back (a conversation just saved may be the one opened)."""
        writer = self.writer
        if writer is not None and writer.pending:
            await asyncio.to_thread(writer.flush, self.SETTLE_SECONDS)

    def _started(self) -> StoreWriter | None:
        """The writer, started on first use (from the event loop)."""
        if self.writer is None and self.directory is not None:
            self.start()
        return self.writer

    def save(self, conversation: Conversation, turn: Turn) -> None:
        """Save `turn` (sent, or its answer ended) in `conversation`."""
        if turn in conversation.turns and (writer := self._started()) is not None:
            writer.save_turn(conversation, turn)

    def save_header(self, conversation: Conversation) -> None:
        """Save the conversation's own settings (model, system prompt, controls) once it has turns."""
        if conversation.turns and (writer := self._started()) is not None:
            writer.save_conversation(conversation)

    def save_draft(self, key: str, text: str) -> None:
        """Keep the prompt's unsent `text` under `key` (a conversation id, "" for a new one); "" removes it."""
        if (writer := self._started()) is not None:
            writer.save_draft(key, text)

    def draft(self, key: str) -> str:
        """The unsent text kept under `key` ("" if none, or without a store)."""
        store = self.open_store()
        if store is None:
            return ""
        try:
            return store.draft(key)
        except (StoreError, OSError, sqlite3.Error):
            return ""  # (a draft that cannot be read is no reason to bother anyone)

    def checkpoint(self, conversation: Conversation) -> None:
        """Save the partial answer of `conversation` that is streaming, if any."""
        if self._started() is None or self.writer is None or not conversation.turns:
            return
        turn = conversation.turns[-1]
        if turn.role == "assistant" and turn.status is TurnStatus.STREAMING:
            self.writer.checkpoint(conversation, turn)

    def _writer_changed(self, state: WriterState) -> None:
        """Say when writes start waiting for the database, and when they have all landed."""
        if state.lost > self._lost:
            self._lost = state.lost
            self._notify(
                Notice(f"A change could not be saved: {redact(state.reason, self._secrets)}", "error", timeout=15)
            )
        if state.waiting and not self._told_waiting:
            self._told_waiting = True
            self._notify(Notice(redact(state.describe(), self._secrets), "warning", timeout=30))
        elif self._told_waiting and not state.waiting and state.pending == 0:
            self._told_waiting = False
            self._notify(Notice("Saved: the database is free again, nothing was lost.", timeout=8))
        if state.pending == 0 and self._unreleased:
            self._release_saved()

    # ---------------------------------------------------------------------------- memory
    def compact(self, conversation: Conversation, *, stored: bool = False) -> None:
        """Pack the wire records of the conversation's finished answers (see `PackedEvents`) and, once the
        database holds them (`stored`: it was loaded from there), release their bytes from memory: they are
        read back when asked for. Run when a new answer starts: a long session holds every answer's frames."""
        for turn in conversation.turns:
            wire = turn.wire
            if turn.role != "assistant" or wire is None or turn.status is TurnStatus.STREAMING:
                continue
            packed = wire.pack()
            if isinstance(turn.metrics.delta_times, list):
                turn.metrics.delta_times = array("d", turn.metrics.delta_times)  # 8 bytes a delta, not 32
            if not packed.released:
                self._unreleased.append((conversation, turn, packed, stored))
        self._release_saved()

    def _release_saved(self) -> None:
        """Release the packed bytes the database holds (the rest wait for their save to land)."""
        writer, path = self.writer, self.store_path
        if path is None:
            self._unreleased.clear()
            return
        waiting: list[tuple[Conversation, Turn, PackedEvents, bool]] = []
        for conversation, turn, packed, stored in self._unreleased:
            if packed.released:
                continue
            position = next((i for i, candidate in enumerate(conversation.turns) if candidate is turn), None)
            if position is None:
                continue  # (discarded: it will not be saved again, nor its bytes be in the database)
            if stored or (writer is not None and writer.saved(turn)):
                # Read back by its place, which stays while it is in the conversation (edits drop what
                # follows them); the bytes are checked against their length and CRC all the same.
                packed.release(functools.partial(load_wire_body, path, conversation.id, position))
            elif writer is not None:
                waiting.append((conversation, turn, packed, stored))
        self._unreleased = waiting

    @property
    def store_path(self) -> Path | None:
        if self.store is not None:
            return self.store.path
        return self.directory / DB_FILENAME if self.directory is not None else None
