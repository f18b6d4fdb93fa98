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
