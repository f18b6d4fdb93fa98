"""Make untrusted text inert: control characters out, hidden characters shown, secrets redacted.

Model output, server error messages, headers, file names and stored conversations are hostile input.
Escape sequences would reach the terminal through every Textual widget, so they are stripped once,
where text enters the app; characters that would hide text (zero-width, tag characters) are shown as
visible `<U+XXXX>` marks at the same place, so what is shown, copied, saved and exported is the same
text. This module has no dependencies so every layer can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

_T = TypeVar("_T")

# C0 controls except TAB (0x09) and LF (0x0A), DEL, the C1 block (U+0080-U+009F), and the bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what is displayed
# ("Trojan Source"). Right-to-left text itself needs none of them; the marks LRM/RLM are kept.
_CONTROL_CLASS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROL_CLASS}]")
# Characters that display as nothing and carry text no one sees: the zero-width space, word joiner and
# invisible operators, the BOM (zero-width no-break space), and the tag characters (U+E0000-U+E007F,
# "ASCII smuggling": a model reads them as text). Shown as `<U+XXXX>` wherever text is shown or copied.
# The joiners ZWNJ/ZWJ (U+200C/D: joined emoji, Persian and Indic text) and the marks LRM/RLM (U+200E/F:
# right-to-left text) shape visible text and are kept; the inspector's raw views reveal them too.
_HIDDEN_CLASS = "\u200b\u2060-\u2064\ufeff\U000e0000-\U000e007f"
_HIDDEN = re.compile(f"[{_HIDDEN_CLASS}]")
_UNSAFE = re.compile(f"[{_CONTROL_CLASS}{_HIDDEN_CLASS}]")
# For the inspector's raw views: every format character, including the joiners and marks kept above.
_INVISIBLE = re.compile(f"[\u200b-\u200f\u202a-\u202e\u2066-\u2069{_HIDDEN_CLASS}]")

REDACTED = "[REDACTED]"
_KEY_SHAPED = re.compile(r"sk-ant-[A-Za-z0-9_\-]{4,}")
"""An Anthropic key (`sk-ant-api03-…`, `sk-ant-admin01-…`), whoever's it is."""
_KEY_PIECES = re.compile(r"[^\x21-\x7e]+")
"""What splits a key into the pieces an error text may show on their own: anything that is not
printable ASCII (a line break, a space, a non-ASCII character shown as `\\xc3\\xa9`...)."""
MIN_SECRET_PIECE = 8
"""Shorter pieces of a secret are not redacted (they would match ordinary words)."""


def _mark(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def sanitize(text: str) -> str:
    """Return `text` without C0 (except newline and tab), DEL, C1 and bidi override characters, and
    with the hidden characters (zero-width space, word joiner, BOM, tag characters) shown as `<U+XXXX>`.

    `\\r\\n` becomes `\\n`; a lone `\\r` is dropped. ESC is a C0 control, so no escape sequence
    survives: what is left of one is ordinary printable text.
    """
    if not _UNSAFE.search(text):
        return text
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    return _HIDDEN.sub(_mark, text)


def sanitize_line(text: str) -> str:
    """Sanitize for a one-line place (titles, notifications, status): newlines and tabs become spaces."""
    return sanitize(text).replace("\n", " ").replace("\t", " ")


def untrusted_text(value: object) -> str:
    """Any stored or received value as sanitized text (newlines kept; `None` as an empty string): for
    fields that should be text but come from a file or a server, where they may be anything."""
    if value is None:
        return ""
    return sanitize(value if isinstance(value, str) else str(value))


def untrusted_line(value: object) -> str:
    """`untrusted_text` as one line (titles, names, ids, header values)."""
    if value is None:
        return ""
    return sanitize_line(value if isinstance(value, str) else str(value))


def untrusted_number(value: object, default: _T) -> float | _T:
    """`value` if it is a number (an int or a float, not a bool), else `default`: a stored row or a
    server's JSON may hold anything where a number belongs, and numbers are shown as they are."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return default


def reveal_invisible(text: str) -> str:
    """Show bidi, zero-width and tag characters as visible `<U+XXXX>` marks (for the inspector's raw views)."""
    return _INVISIBLE.sub(_mark, text)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every secret replaced by `[REDACTED]`, in whatever form an error shows it, and with
    anything shaped like an Anthropic key (`sk-ant-…`) redacted too.

    A secret is found whole, and piece by piece: split at line breaks, spaces and non-ASCII characters,
    each piece of 8 characters or more is redacted on its own, so a key shown escaped (`repr`: `\\n`),
    as bytes (`\\xc3\\xa9`) or split across lines is still found.
    """
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms.add(secret)
        for piece in _KEY_PIECES.split(secret):
            forms.add(piece)
            forms.add(piece.replace("\\", "\\\\"))  # as `repr` shows a backslash
    for form in sorted(forms, key=len, reverse=True):  # the whole secret before its pieces
        if len(form) >= MIN_SECRET_PIECE and form in text:
            text = text.replace(form, REDACTED)
    if "sk-ant-" in text:
        text = _KEY_SHAPED.sub(REDACTED, text)
    return text


def error_line(error: BaseException | str, secrets: Iterable[str | None] = ()) -> str:
    """An exception (or error text) as one line fit to show or store: sanitized, and redacted."""
    return redact(sanitize_line(str(error)), secrets)
