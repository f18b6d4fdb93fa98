"""Logging to a file in the data directory, never to the terminal (it would print over the UI).

Every record passes a filter that replaces the API key, so no log line can carry it, and takes out control
characters, so printing the log cannot act on a terminal (a logged error may quote a server).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from tui_chat.safety import redact, sanitize


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(sanitize(record.getMessage()), self.secrets)
        record.msg, record.args = message, None
        if record.exc_info:
            record.exc_text = redact(sanitize(logging.Formatter().formatException(record.exc_info)), self.secrets)
            record.exc_info = None
        return True


def setup_logging(log_dir: Path, secrets: Iterable[str]) -> Path | None:
    """Send warnings and errors (and Python warnings) to `claude-tui.log`; return its path."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    logging.captureWarnings(True)
    path: Path | None = log_dir / "claude-tui.log"
    handler: logging.Handler
    try:
        log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(log_dir, 0o700)
        # Readable by its owner only (0o600), like the database: it holds error texts and file names.
        os.close(os.open(log_dir / "claude-tui.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(log_dir / "claude-tui.log", 0o600)
        handler = logging.FileHandler(log_dir / "claude-tui.log", encoding="utf-8")
    except OSError:
        path = None
        handler = logging.NullHandler()
    handler.addFilter(RedactSecrets(secrets))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    return path
