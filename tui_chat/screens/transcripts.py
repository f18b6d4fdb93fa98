"""What the chat screen keeps and hands out: the saved conversation, exports, recordings, copies.

Every turn is saved when it is sent, and when its answer completes, stops or fails; the answer
still streaming is checkpointed every second, so killing the process loses at most about a second
(while the database is free: see `StoreWriter`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

from tui_chat.config import data_dir
from tui_chat.safety import redact, sanitize_line
from tui_chat.session.clipboard import write_clipboard_fallback
from tui_chat.session.export import (
    ExportError,
    conversation_to_api_json,
    conversation_to_markdown,
    default_export_name,
    write_export,
)
from tui_chat.session.model import Conversation, Turn, TurnStatus
from tui_chat.session.recording import meta_path, recording_from_record, recording_meta
from tui_chat.session.store import DB_FILENAME, ConversationStore, StoreError, load_wire_body
from tui_chat.session.writer import StoreWriter, WriterState
from tui_chat.stream.wire import WireUnavailableError

if TYPE_CHECKING:
    from tui_chat.screens.chat import ChatScreen
    from tui_chat.stream.wire import PackedEvents


class Transcripts:
    """The chat screen's persistence and file/clipboard output. Failures become notifications.

    Writes go through a `StoreWriter` (its own thread): a locked database never stalls the UI, and
    what waits for it is kept and saved once it is free (the screen is told both). `store` is a
    connection of the UI's own, for reading (the conversation list, `--continue`)."""

    READ_BUSY_TIMEOUT = 1.0
    """Seconds a read on the UI thread waits for another program's lock (writes never wait here)."""

    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.store: ConversationStore | None = None
        self.writer: StoreWriter | None = None
        self._told_waiting = False
        self._lost = 0
        self._unreleased: list[tuple[Conversation, Turn, PackedEvents, bool]] = []
        """Packed records whose bytes wait for their save to land before they are released."""

    # ------------------------------------------------------------------------- the saved copy
    def start(self) -> None:
        """Start saving (unless --no-history): the writer thread opens the database when it can."""
        if self.writer is not None or self.screen.backend.settings.no_history:
            return
        loop = asyncio.get_running_loop()

        def changed(state: WriterState) -> None:  # on the writer's thread
            with contextlib.suppress(RuntimeError):  # the loop is closed: the app is gone
                loop.call_soon_threadsafe(self._writer_changed, state)

        self.writer = StoreWriter(data_dir(), on_change=changed)

    def open_store(self) -> ConversationStore | None:
        """The UI's reading connection (None, with a notification, if the database cannot be read now)."""
        if self.store is None and not self.screen.backend.settings.no_history:
            try:
                self.store = ConversationStore(data_dir(), busy_timeout=self.READ_BUSY_TIMEOUT)
            except (StoreError, OSError, sqlite3.Error) as error:
                detail = redact(sanitize_line(str(error)), self.screen.backend.settings.secrets)[:200]
                self.screen.notify(
                    f"Saved conversations cannot be read now: {detail}", severity="warning", markup=False, timeout=10
                )
        return self.store

    def close(self) -> None:
        """Wait a little for writes still waiting (a locked database); say what could not be saved."""
        if self.writer is not None:
            writer, self.writer = self.writer, None
            unsaved = writer.close()
            if unsaved:
                reason = writer.state.reason or "the database could not be written"
                message = (
                    f"claude-tui: {unsaved} change{'s' if unsaved != 1 else ''} to the conversation could not be "
                    f"saved before quitting ({reason}). Export with /export before quitting next time the "
                    "database is locked."
                )
                notes = getattr(self.screen.app, "exit_notes", None)
                if isinstance(notes, list):
                    notes.append(redact(message, self.screen.backend.settings.secrets))
        if self.store is not None:
            self.store.close()
            self.store = None

    def save(self, turn: Turn, conversation: Conversation | None = None) -> None:
        """Save `turn` (sent, or its answer ended) in its conversation (by default the one shown)."""
        writer = self.writer
        conversation = conversation or self.screen.conversation
        if writer is None or turn not in conversation.turns:
            return
        writer.save_turn(conversation, turn)

    def checkpoint(self) -> None:
        """Save the partial answer that is streaming (called every second)."""
        writer = self.writer
        conversation = self.screen.conversation
        if writer is None or not conversation.turns:
            return
        turn = conversation.turns[-1]
        if turn.role != "assistant" or turn.status is not TurnStatus.STREAMING:
            return
        writer.checkpoint(conversation, turn)

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
    def store_path(self) -> Path:
        return self.store.path if self.store is not None else data_dir() / DB_FILENAME

    def _writer_changed(self, state: WriterState) -> None:
        """Say when writes start waiting for the database, and when they have all landed."""
        secrets = self.screen.backend.settings.secrets
        if state.lost > self._lost:
            self._lost = state.lost
            detail = redact(state.reason, secrets)
            self.screen.notify(f"A change could not be saved: {detail}", severity="error", markup=False, timeout=15)
        if state.waiting and not self._told_waiting:
            self._told_waiting = True
            self.screen.notify(redact(state.describe(), secrets), severity="warning", markup=False, timeout=30)
        elif self._told_waiting and not state.waiting and state.pending == 0:
            self._told_waiting = False
            self.screen.notify("Saved: the database is free again, nothing was lost.", markup=False, timeout=8)
        if state.pending == 0 and self._unreleased:
            self._release_saved()

    # ------------------------------------------------------------------------------- files
    def _write(self, what: str, path_text: str | None, kind: str, data: str | bytes) -> Path | None:
        path = Path(path_text).expanduser() if path_text else Path.cwd() / default_export_name(kind)
        try:
            written = write_export(path, data)
        except FileExistsError:
            self.screen.notify(
                f"{path} already exists; nothing was overwritten. Give another name: /export NAME",
                severity="warning",
                markup=False,
                timeout=10,
            )
            return None
        except ExportError as error:
            self.screen.notify(sanitize_line(str(error)), severity="error", markup=False, timeout=10)
            return None
        self.screen.notify(f"{what} saved to {written}", markup=False, timeout=8)
        return written

    def export_markdown(self, argument: str = "") -> Path | None:
        """`[--no-metrics] [PATH]`: the transcript as markdown."""
        words = argument.split()
        include_metrics = "--no-metrics" not in words
        path = " ".join(w for w in words if w != "--no-metrics") or None
        text = conversation_to_markdown(self.screen.conversation, include_metrics=include_metrics)
        return self._write("Transcript", path, "markdown", text)

    def export_json(self, argument: str = "") -> Path | None:
        return self._write(
            "Messages (JSON)", argument or None, "json", conversation_to_api_json(self.screen.conversation)
        )

    def save_recording(self, argument: str = "") -> Path | None:
        """The last answer's wire stream: `NAME.sse` (exact bytes) and `NAME.sse.json` (timing)."""
        turn = next((t for t in reversed(self.screen.conversation.turns) if t.wire and t.wire.events), None)
        if turn is None or turn.wire is None:
            self.screen.notify("No answer with a recorded stream yet.", severity="warning")
            return None
        try:
            recording = recording_from_record(turn.wire, f"turn-{turn.number}")
        except WireUnavailableError as error:
            self.screen.notify(f"Not saved: {error}.", severity="error", markup=False, timeout=10)
            return None
        written = self._write("Recording", argument or None, "sse", recording.body)
        if written is not None:
            try:
                write_export(meta_path(written), recording_meta(recording))
            except (ExportError, FileExistsError) as error:
                self.screen.notify(f"Timing not saved: {sanitize_line(str(error))}", severity="warning", markup=False)
        return written

    # ---------------------------------------------------------------------------- clipboard
    def copy(self, text: str, what: str) -> None:
        """OSC 52 (reaches the local terminal over SSH), plus a file for terminals that refuse it."""
        self.screen.app.copy_to_clipboard(text)
        try:
            fallback = write_clipboard_fallback(text, data_dir())
            also = f" Also in {fallback} (for terminals that ignore OSC 52)."
        except OSError:
            also = ""
        self.screen.notify(f"Copied {what} ({len(text):,} characters).{also}", markup=False, timeout=8)
