"""What the inspector says of an event (`session/inspect.py`): explanations and bounded lines."""

from __future__ import annotations

import json
from typing import Any

from tests.support.hostile_streams import text_delta


def test_server_tool_blocks_are_explained() -> None:
    from tui_chat.session.inspect import explain_wire
    from tui_chat.stream.wire import WireEvent

    def start(block: dict[str, Any]) -> WireEvent:
        payload = {"type": "content_block_start", "index": 1, "content_block": block}
        return WireEvent.from_frame(0, 0.0, f"event: content_block_start\ndata: {json.dumps(payload)}\n\n".encode())

    assert "A server tool call" in explain_wire(start({"type": "server_tool_use", "id": "s", "name": "web_search"}))
    assert "encrypted_content" in explain_wire(start({"type": "web_search_tool_result", "content": []}))
    assert "sandbox" in explain_wire(start({"type": "bash_code_execution_tool_result", "content": {}}))
    assert "display: omitted" in explain_wire(start({"type": "thinking", "thinking": "", "signature": ""}))
    citation = {"type": "content_block_delta", "index": 3, "delta": {"type": "citations_delta", "citation": {}}}
    delta = WireEvent.from_frame(0, 0.0, f"event: content_block_delta\ndata: {json.dumps(citation)}\n\n".encode())
    assert "A citation" in explain_wire(delta)


def test_inspector_lines_and_details_of_a_huge_event_are_bounded() -> None:
    from tui_chat.session.inspect import SHOWN_DETAIL_CHARACTERS, pretty_json, raw_lines, summarize
    from tui_chat.stream.wire import WireEvent

    wire = WireEvent.from_frame(0, 0.1, text_delta("é\n" * 2_000_000))
    line = summarize(wire, limit=80)
    assert len(line) <= 80 and line.endswith("…")
    raw = raw_lines(wire)
    assert len(raw) < SHOWN_DETAIL_CHARACTERS * 3 and "more bytes not shown" in raw
    pretty = pretty_json(wire)
    assert len(pretty) < SHOWN_DETAIL_CHARACTERS + 200 and "more characters not shown" in pretty


def test_a_run_of_deltas_shows_its_count_and_the_start_of_its_text_reading_only_that() -> None:
    from tui_chat.session.inspect import summarize_run
    from tui_chat.stream.wire import WireEvent

    read: list[int] = []

    def deltas(count: int) -> Any:
        for index in range(count):
            read.append(index)
            yield WireEvent.from_frame(index, 0.0, text_delta(f"w{index} \n"))

    line = summarize_run(deltas(5000), 5000, helpers=3, limit=60)
    assert line.startswith('×5000 +3 sdk "w0 \\nw1 \\nw2 \\n') and line.endswith("…") and len(line) == 60
    assert len(read) < 100  # a run of thousands: only the deltas the row has room for are read
    read.clear()
    assert summarize_run(deltas(3), 3, limit=60) == '×3 "w0 \\nw1 \\nw2 \\n"' and len(read) == 3
    signature = {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "xyz"}}
    frame = f"event: content_block_delta\ndata: {json.dumps(signature)}\n\n".encode()
    assert summarize_run([WireEvent.from_frame(0, 0.0, frame)], 1, limit=60) == "×1 signature (3 chars)"
    assert summarize_run([], 0) == "×0"
