"""Copying text: the OSC 52 escape sequence terminals understand, and a file for those that refuse it.

Pure Python (no Textual): the UI writes the sequence, or tells the user where the file is.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from tui_chat.safety import sanitize_line
from tui_chat.session.conversation import Conversation
from tui_chat.session.export import ExportError, write_export

CLIPBOARD_FILENAME = "clipboard.txt"


def osc52_sequence(text: str) -> str:
    """`ESC ] 52 ; c ; <base64 of UTF-8 text> BEL`, exactly what Textual's `App.copy_to_clipboard` writes."""
    encoded = base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")
    return f"\x1b]52;c;{encoded}\a"


def tmux_passthrough(sequence: str) -> str:
    """`sequence` wrapped for tmux's passthrough (DCS `tmux;` with each ESC doubled): tmux hands it to the
    outer terminal as it is, where its own `set-clipboard` (off by default for programs inside) would drop
    an OSC 52. tmux 3.3 and later pass it only with `allow-passthrough on`."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def write_clipboard_fallback(text: str, directory: str | os.PathLike[str]) -> Path:
    """Write `text` to `clipboard.txt` in `directory` (created 0o700 if missing), atomically, mode 0o600.

    Replaces the previous copy. Raises `ExportError` with a readable message if it cannot be written.
    """
    folder = Path(directory).expanduser()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(
            f"Cannot create the folder {sanitize_line(str(folder))}: {error.strerror or error}."
        ) from error
    return write_export(folder / CLIPBOARD_FILENAME, text, overwrite=True)


def code_blocks(markdown_text: str) -> list[tuple[str, str]]:
    """The fenced code blocks of a markdown answer, as (language, code), in order."""
    from markdown_it import MarkdownIt

    blocks = []
    for token in MarkdownIt("commonmark").parse(markdown_text):
        if token.type == "fence" or token.type == "code_block":
            language = token.info.strip().split(" ")[0] if token.info else ""
            blocks.append((language, token.content))
    return blocks


@dataclass(frozen=True)
class CopyItem:
    label: str
    text: str


def copy_items(conversation: Conversation) -> list[CopyItem]:
    """Newest first: each answer, then its code blocks; each user message."""
    items: list[CopyItem] = []
    for turn in reversed(conversation.turns):
        if turn.role == "assistant":
            answer = turn.answer_text
            if not answer:
                continue
            items.append(CopyItem(f"Answer {turn.number} ({len(answer):,} characters)", answer))
            for position, (language, code) in enumerate(code_blocks(answer), 1):
                first = code.strip().splitlines()[0] if code.strip() else ""
                items.append(
                    CopyItem(
                        f"    code block {position} of answer {turn.number} ({language or 'text'}): {first[:50]}", code
                    )
                )
        elif turn.text:
            preview = turn.text.strip().splitlines()[0][:60] if turn.text.strip() else ""
            items.append(CopyItem(f"Your message: {preview}", turn.text))
    return items
