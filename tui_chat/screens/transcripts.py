"""What the chat screen keeps and hands out: the saved conversation, exports, recordings, copies.

Every turn is saved when it is sent, and when its answer completes, stops or fails; the answer
still streaming is checkpointed every second, so killing the process loses at most about a second.
"""

from __future__ import annotations

import sqlite3
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
from tui_chat.session.store import ConversationStore, StoreError

if TYPE_CHECKING:
    from tui_chat.screens.chat import ChatScreen


class Transcripts:
    """The chat screen's persistence and file/clipboard output. Failures become notifications."""

    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.store: ConversationStore | None = None
        self._warned = False

    # ------------------------------------------------------------------------- the saved copy
    def open_store(self) -> ConversationStore | None:
        if self.store is None and not self.screen.backend.settings.no_history:
            try:
                self.store = ConversationStore(data_dir())
            except (StoreError, OSError, sqlite3.Error) as error:
                self._failed("Conversations will not be saved", error)
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def save(self, turn: Turn, conversation: Conversation | None = None) -> None:
        """Commit `turn` (sent, or its answer ended) in its conversation (by default the one shown)."""
        store = self.store
        conversation = conversation or self.screen.conversation
        if store is None or turn not in conversation.turns:
            return
        try:
            store.save_turn(conversation, turn)
        except (StoreError, OSError, sqlite3.Error) as error:
            self._failed("Could not save the conversation", error)

    def checkpoint(self) -> None:
        """Save the partial answer that is streaming (called every second)."""
        store = self.store
        conversation = self.screen.conversation
        if store is None or not conversation.turns:
            return
        turn = conversation.turns[-1]
        if turn.role != "assistant" or turn.status is not TurnStatus.STREAMING:
            return
        try:
            store.checkpoint(conversation, turn)
        except (StoreError, OSError, sqlite3.Error) as error:
            self._failed("Could not checkpoint the answer", error)

    def _failed(self, what: str, error: BaseException) -> None:
        if self._warned:
            return
        self._warned = True
        detail = redact(sanitize_line(str(error)), self.screen.backend.settings.secrets)[:200]
        self.screen.notify(f"{what}: {detail}", severity="warning", markup=False, timeout=10)

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
        recording = recording_from_record(turn.wire, f"turn-{turn.number}")
        what = "Recording"
        if turn.status is TurnStatus.STREAMING:  # what has arrived so far; the answer goes on
            what = f"A partial recording ({len(turn.wire.events):,} events so far: the answer is still streaming)"
        written = self._write(what, argument or None, "sse", recording.body)
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
