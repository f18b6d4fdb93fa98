"""Make untrusted text inert: control characters out, secrets redacted.

Model output, server error messages, headers and file names are hostile input. Escape sequences
would reach the terminal through every Textual widget, so they are stripped once, where text
enters the app. This module has no dependencies so every layer can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 controls except TAB (0x09) and LF (0x0A), DEL, the C1 block (U+0080-U+009F), and the bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what is displayed
# ("Trojan Source"). Right-to-left text itself needs none of them; the marks LRM/RLM are kept.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters that reorder or hide text: bidi embeddings/overrides/isolates and zero-width joiners.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def sanitize(text: str) -> str:
    """Return `text` without C0 (except newline and tab), DEL, C1 and bidi override characters.

    `\\r\\n` becomes `\\n`; a lone `\\r` is dropped. ESC is a C0 control, so no escape sequence
    survives: what is left of one is ordinary printable text.
    """
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def sanitize_line(text: str) -> str:
    """Sanitize for a one-line place (titles, notifications, status): newlines and tabs become spaces."""
    return sanitize(text).replace("\n", " ").replace("\t", " ")


def reveal_invisible(text: str) -> str:
    """Show bidi and zero-width controls as visible `<U+XXXX>` marks (for the inspector's raw views)."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each non-trivial secret in `text` with a fixed placeholder."""
    for secret in secrets:
        if secret and len(secret) >= 8 and secret in text:
            text = text.replace(secret, "[REDACTED]")
    return text
