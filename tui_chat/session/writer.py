"""`StoreWriter`: conversations written from a thread of its own, so a locked database never stalls the UI.

The UI hands it turns (`save_turn`, `checkpoint`, `save_conversation`); each call copies what it
writes at once (`StoreWrite`, a few references) and returns. The thread writes the copies in order,
one transaction each. A write that fails (the database locked by another program, a full disk, a
database that cannot be opened yet) is retried until it lands: nothing is dropped, and the writes
behind it wait their turn. A checkpoint replaces a checkpoint of the same turn still waiting, and a
full save of a turn makes them moot, so a long wait queues one write per turn, not one per second.

`state` (and the `on_change` callback, called from the writer thread) says how many writes wait and
why, so the UI can say "saving… waiting for the database lock" and, later, that they landed.
Pure Python: no Textual import.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from tui_chat.safety import sanitize_line
from tui_chat.session.conversation import Conversation, Turn
from tui_chat.session.store import ConversationStore, StoreError, StoreWrite

RETRY_EVERY = 0.25
"""Seconds between attempts while the database cannot be written."""

BUSY_TIMEOUT = 0.2
"""Seconds one attempt waits for another program's lock (SQLite's busy timeout)."""

FLUSH_TIMEOUT = 3.0
"""Seconds `close` waits for waiting writes to land before giving up on them."""


@dataclass(frozen=True, slots=True)
class WriterState:
    """What the writer is doing, for the UI."""

    pending: int = 0
    """Writes asked for that have not landed yet."""
    waiting: bool = False
    """The last attempt failed: the writes wait and are retried (see `reason`)."""
    reason: str = ""
    """Why the last attempt failed, in words ("" once one succeeds)."""
    saved: int = 0
    """Writes landed since the writer started."""
    lost: int = 0
    """Writes that could not be stored at all and were given up (not a lock or a full disk: those wait)."""

    @property
    def locked(self) -> bool:
        """The failure is another program holding the database's lock."""
        return "locked" in self.reason or "busy" in self.reason

    def describe(self) -> str:
        """One line for the UI: what waits, and for what."""
        what = f"{self.pending} change{'s' if self.pending != 1 else ''}"
        if self.locked:
            return f"Saving… waiting for the database lock (another program holds it): {what} kept until it is free."
        return f"Saving… the database cannot be written ({self.reason}): {what} kept, retrying."


class StoreWriter:
    """Writes to a `ConversationStore` on a daemon thread; see the module docstring."""

    def __init__(
        self,
        location: str | os.PathLike[str] | None = None,
        *,
        on_change: Callable[[WriterState], None] | None = None,
        retry_every: float = RETRY_EVERY,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> None:
        """`location` as for `ConversationStore` (opened in the thread, retried until it opens)."""
        self._location = location
        self._on_change = on_change
        self._retry_every = retry_every
        self._busy_timeout = busy_timeout
        self._queue: deque[StoreWrite] = deque()
        self._condition = threading.Condition()
        self._closing = False
        self._writing = False
        self._state = WriterState()
        self._store: ConversationStore | None = None
        self._saved_turns: set[int] = set()
        """Ids of turns a full save of which has landed."""
        self._current: StoreWrite | None = None
        self._thread = threading.Thread(target=self._run, name="claude-tui-store-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------------------- asking
    def save_conversation(self, conversation: Conversation) -> None:
        """The header, and no turn after the last one (e.g. after turns were discarded)."""
        self._put(StoreWrite.of_conversation(conversation))

    def save_turn(self, conversation: Conversation, turn: Turn) -> None:
        """`turn` in full, at its position in `conversation` (copied now; written soon)."""
        self._put(StoreWrite.of_turn(conversation, turn))

    def checkpoint(self, conversation: Conversation, turn: Turn) -> None:
        """The partial text of a streaming turn (a full save once it has ended)."""
        self._put(StoreWrite.of_checkpoint(conversation, turn))

    def save_draft(self, conversation_id: str, text: str) -> None:
        """Keep the prompt's unsent text (a newer draft of the same conversation replaces one still waiting)."""
        self._put(StoreWrite.of_draft(conversation_id, text))

    def _put(self, change: StoreWrite) -> None:
        with self._condition:
            if self._closing:
                raise RuntimeError("the store writer is closed")
            if change.draft is not None:
                for index, queued in enumerate(self._queue):
                    if queued.draft is not None and queued.conversation_id == change.conversation_id:
                        self._queue[index] = change
                        self._condition.notify_all()
                        return
            turn_id = change.turn_id
            if turn_id is not None:
                if change.checkpoint:
                    for index, queued in enumerate(self._queue):
                        if queued.checkpoint and queued.turn_id == turn_id:
                            self._queue[index] = change  # the newer text, in the older one's place
                            self._condition.notify_all()
                            return
                else:  # a full save holds everything its waiting checkpoints would write
                    kept = [q for q in self._queue if not (q.checkpoint and q.turn_id == turn_id)]
                    if len(kept) != len(self._queue):
                        self._queue = deque(kept)
            self._queue.append(change)
            self._set_state(replace(self._state, pending=self._pending()))
            self._condition.notify_all()

    # ------------------------------------------------------------------------------ reading
    @property
    def pending(self) -> int:
        """Writes asked for that have not landed yet."""
        with self._condition:
            return self._pending()

    @property
    def state(self) -> WriterState:
        with self._condition:
            return self._state

    def flush(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every write asked for so far to land; True if they did."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._pending():
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._condition.wait(left)
            return True

    def close(self, timeout: float = FLUSH_TIMEOUT) -> int:
        """Wait (at most `timeout` seconds) for the waiting writes, then stop. Returns how many writes could
        not be saved (0: everything landed)."""
        self.flush(timeout)
        with self._condition:
            self._closing = True
            self._condition.notify_all()
        self._thread.join(timeout=max(1.0, self._busy_timeout * 5))
        with self._condition:
            return self._pending()

    def saved(self, turn: Turn) -> bool:
        """Whether the database holds `turn` as it was last handed over in full (nothing of it waits)."""
        with self._condition:
            if turn.id not in self._saved_turns:
                return False
            waiting = [*self._queue, *([self._current] if self._current is not None else [])]
            return not any(change.turn_id == turn.id for change in waiting)

    def _pending(self) -> int:
        return len(self._queue) + (1 if self._writing else 0)

    # ----------------------------------------------------------------------------- the thread
    def _set_state(self, state: WriterState) -> None:
        """Set the state (the condition is held) and tell `on_change` (which must not block)."""
        if state == self._state:
            return
        self._state = state
        if self._on_change is not None:
            with contextlib.suppress(Exception):  # the UI may be gone (shutting down): the writes matter more
                self._on_change(state)

    def _run(self) -> None:
        try:
            while True:
                with self._condition:
                    while not self._queue and not self._closing:
                        self._condition.wait()
                    if not self._queue or (self._closing and self._state.waiting):
                        return  # closed: everything landed, or `close` gave up waiting
                    change = self._current = self._queue.popleft()
                    self._writing = True
                failure = self._attempt(change)
                with self._condition:
                    self._writing = False
                    self._current = None
                    state = self._state
                    if failure is None:
                        state = replace(state, waiting=False, reason="", saved=state.saved + 1)
                        if change.turn_id is not None and not change.checkpoint:
                            self._saved_turns.add(change.turn_id)
                    elif failure.retry:
                        self._queue.appendleft(change)  # first again: writes land in the order asked
                        state = replace(state, waiting=True, reason=failure.reason)
                    else:
                        state = replace(state, reason=failure.reason, lost=state.lost + 1)
                    self._set_state(replace(state, pending=self._pending()))
                    self._condition.notify_all()
                    if failure is not None and failure.retry and not self._closing:
                        self._condition.wait(self._retry_every)
        finally:
            if self._store is not None:
                self._store.close()
                self._store = None

    def _attempt(self, change: StoreWrite) -> _Failure | None:
        """Write `change`; None if it landed, else why not (retried, unless the write itself is at fault)."""
        try:
            if self._store is None:
                self._store = ConversationStore(self._location, busy_timeout=self._busy_timeout)
            self._store.write(change)
        except (StoreError, sqlite3.Error, OSError) as error:  # the database, not the write: try again
            return _Failure(_reason(error), retry=True)
        except Exception as error:  # this write cannot be stored (a bug): the ones behind it must not wait
            return _Failure(_reason(error), retry=False)
        return None


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str
    retry: bool


def _reason(error: BaseException) -> str:
    text = str(error.__cause__ or error) if isinstance(error, StoreError) and error.__cause__ else str(error)
    return sanitize_line(text).rstrip(".")[:200] or type(error).__name__
