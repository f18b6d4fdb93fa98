"""Tests of the benchmark (`tui_chat/bench/`): it runs and reports; no timing is asserted."""
