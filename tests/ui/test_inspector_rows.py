"""The inspector's rows (`widgets/inspector_rows.py`, pure Python): packing a finished answer's rows keeps
the rows before it where they were, and a listing from a row on is the tail of the whole listing."""

from __future__ import annotations

from tests.support.hostile_streams import block_stop, text_delta
from tui_chat.session.inspect import HelperEvent
from tui_chat.stream.wire import WireEvent, WireRecord
from tui_chat.widgets.inspector_rows import InspectorRow, InspectorRows


def answer(turn_id: int, deltas: int) -> tuple[list[InspectorRow], WireRecord]:
    """A turn's note, its delta rows (each followed by an SDK helper row), a stop row, and its record."""
    frames = [text_delta(f"t{turn_id}.{n}") for n in range(deltas)] + [block_stop()]
    events = [WireEvent.from_frame(index, index / 100, raw) for index, raw in enumerate(frames)]
    rows = [InspectorRow(turn_id, turn_id, note=f"turn {turn_id}")]
    for event in events:
        rows.append(InspectorRow(turn_id, turn_id, wire=event))
        if event.name == "content_block_delta":
            rows.append(InspectorRow(turn_id, turn_id, helper=HelperEvent("text", event.at, None, event.index)))
    return rows, WireRecord(status=200, events=events)


def accepts(row: InspectorRow) -> bool:
    return row.wire is not None or row.note.startswith("turn")


def accepts_name(name: str) -> bool:
    return True


def test_packing_keeps_the_rows_before_in_place_and_says_where_the_change_starts() -> None:
    rows = InspectorRows()
    first, first_record = answer(1, 3)
    second, second_record = answer(2, 4)
    rows.extend(first)
    rows.extend(second)
    before = [rows[i] for i in range(len(first))]
    listed = rows.positions(accepts, accepts_name)

    assert rows.pack({}) is None
    assert rows.pack({2: second_record.pack()}) == len(first) + 1  # after turn 2's note
    assert [rows[i] for i in range(len(first))] == before  # the same objects, at the same places
    assert all(rows.index(row) == i for i, row in enumerate(before))
    assert len(rows) == len(first) + 1 + 5  # the note, then the 5 frames (the helper rows dropped)
    assert [rows[i].wire.raw for i in range(len(first) + 1, len(rows))] == [e.raw for e in second_record.events]
    assert list(rows.positions(accepts, accepts_name))[: len(listed) - 9] == list(listed)[: len(listed) - 9]

    assert rows.pack({1: first_record.pack()}) == 1
    assert rows[0] is before[0] and rows[len(rows) - 1].wire.raw == second_record.events[-1].raw


def test_a_listing_from_a_row_on_is_the_tail_of_the_whole_listing() -> None:
    rows = InspectorRows()
    for turn_id in (1, 2, 3):
        rows.extend(answer(turn_id, 5)[0])
    rows.pack({1: answer(1, 5)[1].pack()})
    whole = list(rows.positions(accepts, accepts_name))
    for start in range(len(rows) + 1):
        assert list(rows.positions(accepts, accepts_name, start=start)) == [i for i in whole if i >= start]
