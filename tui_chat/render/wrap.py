"""Word wrapping for text with Japanese, Chinese or Korean in it.

Textual wraps at spaces, so a run of CJK characters (which has none) is one long "word": it moves
to the next line whole, leaving a short line behind, and is folded wherever the width runs out,
so a line can start with "、" or "。" or end with "「". Here every CJK character may end a line,
except where the line-breaking rules (kinsoku shori) forbid it: closing punctuation stays with the
character before it, an opening bracket goes with the one after. Text without CJK wraps exactly
as Textual wraps it.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, chop_cells
from textual.content import Content

NO_LINE_START = frozenset(
    "、。，．,.!?！？:;：；・）)]｝〕〉》」』】〙〗〟’”｠»ゝゞー々〻‐゠–〜～…‥"
    "ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
)
"""Characters a line must not start with (closing punctuation, small kana, prolonged sound mark)."""

NO_LINE_END = frozenset("（([｛〔〈《「『【〘〖〝‘“｟«")
"""Characters a line must not end with (opening brackets and quotes)."""

_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff"  # radicals, CJK punctuation, kana, bopomofo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    "\uac00-\ud7af\uff00-\uffef"  # Hangul syllables, full-width forms
)
_WORD = re.compile(f"\\s*(?:[{_CJK}]|[^\\s{_CJK}]+)\\s*")
"""A word and the spaces after it; each CJK character is a word of its own (a line may end after it)."""


def divide(text: str, width: int) -> list[int]:
    """Offsets where the lines of `text` wrapped to `width` start (after the first): greedy, at word
    ends, folding a word longer than a line (the algorithm of Rich's `divide_line`, CJK-aware)."""
    offsets: list[int] = []
    used = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = cell_len(word.rstrip())
        if width - used >= length:
            used += cell_len(word)
        elif length > width:  # longer than any line: fold it
            pieces = chop_cells(word, width)
            for number, piece in enumerate(pieces):
                if start:
                    offsets.append(start)
                if number == len(pieces) - 1:
                    used = cell_len(piece)
                else:
                    start += len(piece)
        elif used and start:
            offsets.append(start)
            used = cell_len(word)
    return offsets


def breaks(text: str, width: int) -> list[int]:
    """Offsets in `text` (one line, no newline) where wrapped lines start, after the first."""
    result: list[int] = []
    start = 0
    offsets = divide(text, width)
    while offsets:
        offset = offsets.pop(0)
        moved = offset
        while moved - 1 > start and _bad_break(text, moved):
            moved -= 1
        if moved != offset and not _bad_break(text, moved):
            # The break moved earlier: the lines after it are laid out again from there.
            result.append(moved)
            start = moved
            offsets = [start + later for later in divide(text[start:], width)]
            continue
        result.append(offset)
        start = offset
    return result


def _bad_break(text: str, offset: int) -> bool:
    return text[offset] in NO_LINE_START or text[offset - 1] in NO_LINE_END


def wrap(content: Content, width: int) -> list[Content]:
    """`content` wrapped to `width` cells: newlines kept, words wrapped, long words folded, CJK rules kept.
    Spaces at a break are dropped, as in Textual's own wrapping."""
    width = max(1, width)
    lines: list[Content] = []
    for line in content.split("\n", allow_blank=True):
        if "\t" in line.plain:
            line = line.expand_tabs(8)
        if line.cell_length <= width:
            lines.append(line)
            continue
        pieces = line.divide(breaks(line.plain, width))
        lines.extend(piece.rstrip() for piece in pieces[:-1])
        last = pieces[-1]
        lines.append(last.rstrip() if last.cell_length > width else last)
    return lines
