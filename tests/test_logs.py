"""The log file: private, and inert when printed."""

from __future__ import annotations

from pathlib import Path

from tests.support.attacks import ATTACK, UNSAFE
from tui_chat.config import load_settings


def test_the_log_and_the_endpoint_are_inert(tmp_path: Path) -> None:
    """Item 1 for two more places text enters: a logged error quoting a server (the log is printed with `cat`),
    and a base URL from a `.env` in the current folder (shown in the top bar)."""
    import logging

    from tui_chat.logs import setup_logging

    path = setup_logging(tmp_path, ["k-logged-0123456789"])
    assert path is not None
    try:
        try:
            raise RuntimeError("EXC" + ATTACK + " k-logged-0123456789")
        except RuntimeError:
            logging.getLogger("tui_chat").exception("server said %s", "MSG" + ATTACK)
    finally:
        for handler in list(logging.getLogger().handlers):
            logging.getLogger().removeHandler(handler)
            handler.close()
    logged = path.read_text(encoding="utf-8")
    assert "MSG]0;TITLE" in logged and "EXC]0;TITLE" in logged
    assert not UNSAFE.search(logged.replace("\n", "")) and "k-logged-0123456789" not in logged

    (tmp_path / ".env").write_bytes(b"ANTHROPIC_BASE_URL=http://127.0.0.1:9/\x1b]0;T\x07\n")
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.base_url is not None and "\x1b" in settings.base_url
    assert settings.endpoint == "http://127.0.0.1:9/]0;T"
