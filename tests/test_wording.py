"""One formatter for times: the metrics pane, the inspector, the TTFT bars, F3 and the exports."""

from __future__ import annotations

from tui_chat.wording import duration


def test_duration_in_each_unit() -> None:
    assert duration(None) == duration(None, "ms") == "—"
    assert duration(1.25) == "1.25 s"
    assert duration(1234.5) == "1,234.50 s"
    assert duration(0.0504, "ms") == "50 ms"
    assert duration(12.3456, "ms", compact=True) == "12,346ms"
    assert duration(0.123, "auto") == "123 ms"
    assert duration(9.9994, "auto") == "9,999 ms"
    assert duration(12.34, "auto") == "12.3 s"
