"""The event inspector's rows: one per wire event, SDK helper event, header block or note, for a whole session.

A long session has hundreds of thousands of events. The rows of an answer that has ended are kept as one
`PackedRun` over its packed wire record (`PackedEvents`): the event rows are made when they are drawn (a
screenful at a time), and its SDK helper rows are dropped (they were for watching the stream). Pure
Python, no Textual import.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from tui_chat.session.inspect import HelperEvent
from tui_chat.stream.wire import PackedEvents, RequestRecord, WireEvent, WireRecord, WireUnavailableError

MADE_ROWS_KEPT = 2000
"""Rows made from packed runs that are kept (a screenful is 40; the rest serve scrolling back a little)."""


@dataclass(slots=True, eq=False)
class InspectorRow:
    """A line: a request, a wire event, an SDK helper event, the response headers, or a note about the turn."""

    turn_id: int
    turn_number: int = 0
    wire: WireEvent | None = None
    helper: HelperEvent | None = None
    record: WireRecord | None = None
    """Set on the headers row ("event 0" of a turn)."""
    note: str = ""
    error: bool = False
    requesting: bool = False
    """A request row: the first of each request (`request` is None until it has been sent)."""
    request: RequestRecord | None = None

    @property
    def name(self) -> str:
        if self.wire is not None:
            return self.wire.name
        if self.helper is not None:
            return self.helper.type
        if self.requesting:
            return "request"
        return "headers" if self.record is not None else "note"

    @property
    def selectable(self) -> bool:
        return self.wire is not None or self.helper is not None or self.record is not None or self.request is not None


@dataclass(slots=True, eq=False)
class PackedRun:
    """The event rows of one finished answer: its packed frames, made into rows when asked for."""

    turn_id: int
    turn_number: int
    events: PackedEvents

    def __len__(self) -> int:
        return len(self.events)

    def row(self, index: int) -> InspectorRow:
        try:
            wire = self.events[index]
        except WireUnavailableError as error:
            note = f"event {index + 1} ({self.events.name(index)}): {error}"
            return InspectorRow(self.turn_id, self.turn_number, note=note, error=True)
        return InspectorRow(self.turn_id, self.turn_number, wire=wire)


Part = InspectorRow | PackedRun


class InspectorRows(Sequence[InspectorRow]):
    """Every row of the session, in order (see the module docstring)."""

    def __init__(self) -> None:
        self._parts: list[Part] = []
        self._starts: list[int] = []
        """The row index each part starts at."""
        self._length = 0
        self._made: dict[int, InspectorRow] = {}
        """Rows made from packed runs, by index (so a row drawn twice is the same object)."""
        self._places: dict[int, int] = {}
        """Index of each row object handed out, by `id` (kept rows and the rows in `_made`)."""

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> InspectorRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[InspectorRow]: ...
    def __getitem__(self, index: int | slice) -> InspectorRow | list[InspectorRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("inspector row index out of range")
        part_index = bisect.bisect_right(self._starts, index) - 1
        part = self._parts[part_index]
        if isinstance(part, InspectorRow):
            return part
        made = self._made.get(index)
        if made is None:
            if len(self._made) >= MADE_ROWS_KEPT:  # forget the older half (the rows just drawn stay)
                for old_index in list(itertools.islice(self._made, MADE_ROWS_KEPT // 2)):
                    self._places.pop(id(self._made.pop(old_index)), None)
            made = self._made[index] = part.row(index - self._starts[part_index])
            self._places[id(made)] = index
        return made

    def __iter__(self) -> Iterator[InspectorRow]:
        for part_index, part in enumerate(self._parts):
            if isinstance(part, InspectorRow):
                yield part
            else:
                start = self._starts[part_index]
                for offset in range(len(part)):
                    yield self[start + offset]

    def __contains__(self, row: object) -> bool:
        return isinstance(row, InspectorRow) and self._places.get(id(row)) is not None

    def index(self, row: object, start: int = 0, stop: int | None = None) -> int:
        """The index of `row` (a row handed out by this list and still in it)."""
        place = self._places.get(id(row)) if isinstance(row, InspectorRow) else None
        if place is None or place < start or (stop is not None and place >= stop):
            raise ValueError("the row is not in the inspector")
        return place

    def extend(self, rows: Sequence[InspectorRow]) -> None:
        start, stop = self._length, self._length + len(rows)
        self._parts.extend(rows)
        self._starts.extend(range(start, stop))
        self._places.update(zip(map(id, rows), range(start, stop), strict=True))
        self._length = stop

    def append(self, row: InspectorRow) -> None:
        self._add(row)

    def add_run(self, turn_id: int, turn_number: int, events: PackedEvents) -> None:
        """The event rows of a finished answer, packed."""
        if len(events):
            self._add(PackedRun(turn_id, turn_number, events))

    def _add(self, part: Part) -> None:
        self._parts.append(part)
        self._starts.append(self._length)
        if isinstance(part, InspectorRow):
            self._places[id(part)] = self._length
            self._length += 1
        else:
            self._length += len(part)

    def clear(self) -> None:
        self._parts.clear()
        self._starts.clear()
        self._length = 0
        self._made.clear()
        self._places.clear()

    def pack(self, runs: dict[int, PackedEvents]) -> int | None:
        """Replace the event rows of each turn in `runs` (by turn id) by a run over its packed events, and
        drop its SDK helper rows. The indices of the rows from the first one packed on change: that index,
        or None if nothing was packed."""
        if not runs:
            return None
        first: int | None = None
        tail: list[Part] = []
        placed: set[int] = set()
        for part_index, part in enumerate(self._parts):
            if isinstance(part, InspectorRow) and part.turn_id in runs and (part.wire or part.helper):
                if first is None:
                    first = part_index  # the parts before it stay as they are
                if part.turn_id not in placed:  # the run goes where the turn's first event was
                    placed.add(part.turn_id)
                    tail.append(PackedRun(part.turn_id, part.turn_number, runs[part.turn_id]))
                continue
            if first is not None:
                tail.append(part)
        if first is None:
            return None
        first_row = self._starts[first]
        for index in [index for index in self._made if index >= first_row]:  # rows made from there on
            self._places.pop(id(self._made.pop(index)), None)
        for part in self._parts[first:]:
            if isinstance(part, InspectorRow):
                self._places.pop(id(part), None)
        del self._parts[first:], self._starts[first:]
        self._length = first_row
        for part in tail:
            self._add(part)
        return first_row

    def positions(
        self, accepts: Callable[[InspectorRow], bool], accepts_name: Callable[[str], bool], start: int = 0
    ) -> array[int]:
        """The indices from `start` on of the rows a filter lets through: `accepts` for kept rows,
        `accepts_name` for the events of packed runs (by name: their rows are not made)."""
        listed: array[int] = array("I")
        first_part = max(0, bisect.bisect_right(self._starts, start) - 1)
        for part_index in range(first_part, len(self._parts)):
            part = self._parts[part_index]
            part_start = self._starts[part_index]
            if isinstance(part, InspectorRow):
                if part_start >= start and accepts(part):
                    listed.append(part_start)
            else:
                names = part.events.names()
                listed.extend(
                    part_start + offset
                    for offset, name in enumerate(names)
                    if part_start + offset >= start and accepts_name(name)
                )
        return listed
