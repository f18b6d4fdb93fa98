"""What the terminal shows, cell by cell, and the fewest bytes that bring it up to date.

Textual sends whatever was refreshed, not a difference: a widget that repaints sends every one of its
rows again, and every styled run carries its whole colour sequence and a reset (~40 bytes) even when
the run beside it has the same colours. Over SSH those bytes are the cost. `TerminalScreen` keeps two
pictures of the screen: `target` (what the app drew last) and `sent` (what the terminal was sent).
Frames paint into the target; `render()` compares the rows they touched with what was sent and writes
only the cells that differ, with a colour sequence only where the colours change. Frames painted
between two `render()` calls cost nothing more than their last state: a slow link skips them.

No Textual import: cells are painted from Rich segments, and the style's colour codes come from
`sgr_codes` (the same codes Textual writes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style

GAP = 4
"""Unchanged cells between two changed runs that are sent again rather than skipped by a cursor move."""

ERASE_AT_LEAST = 8
"""Runs of this many blank cells (or more) are erased ("ECH", in the current background) rather than sent."""

CONTINUATION = ""
"""The cell under the right half of a wide (CJK) character."""


@dataclass(frozen=True, slots=True)
class Sgr:
    """A style as terminal codes: attributes (bold, ...), foreground, background, and a link."""

    attributes: str = ""
    foreground: str = ""
    background: str = ""
    link: str = ""
    link_id: str = ""


PLAIN = Sgr()

StyleCodes = Callable[[Style], Sgr]


class TerminalScreen:
    """Two pictures of a `width` x `height` screen and the bytes from one to the other (see the module doc)."""

    def __init__(self, width: int, height: int, style_codes: StyleCodes) -> None:
        self.width = width
        self.height = height
        self._style_codes = style_codes
        self._styles: dict[Style, int] = {}
        self._sgr_ids: dict[Sgr, int] = {PLAIN: 0}
        self._sgrs: list[Sgr] = [PLAIN]
        self._target_chars = [[" "] * width for _ in range(height)]
        self._target_styles = [[0] * width for _ in range(height)]
        self._sent_chars: list[list[str] | None] = [None] * height
        self._sent_styles: list[list[int] | None] = [None] * height
        self._dirty: dict[int, tuple[int, int]] = {}
        self.cursor: tuple[int, int] | None = None
        """Where the app wants the terminal's cursor after a frame (x, y), if anywhere."""
        self._sent_cursor: tuple[int, int] | None = None

    # ------------------------------------------------------------------------------- painting
    @property
    def dirty(self) -> bool:
        """Painted since the last `render()` (which may still find nothing to send)."""
        return bool(self._dirty) or self.cursor != self._sent_cursor

    def forget(self) -> None:
        """The terminal's picture is unknown (a resume, a reset): the next `render()` sends every cell."""
        self._sent_chars = [None] * self.height
        self._sent_styles = [None] * self.height
        self._sent_cursor = None
        for y in range(self.height):
            self._dirty[y] = (0, self.width)

    def _style_id(self, style: Style | None) -> int:
        if style is None:
            return 0
        found = self._styles.get(style)
        if found is None:
            if len(self._styles) > 4096:  # styles carrying mouse offsets are many: keep the cache small
                self._styles.clear()
            sgr = self._style_codes(style)
            found = self._sgr_ids.get(sgr)
            if found is None:
                found = self._sgr_ids[sgr] = len(self._sgrs)
                self._sgrs.append(sgr)
            self._styles[style] = found
        return found

    def paint(self, x: int, y: int, segments: Iterable[Segment], end: int | None = None) -> None:
        """Put `segments` on row `y` from column `x`, up to column `end` (exclusive, default: the edge)."""
        if not 0 <= y < self.height:
            return
        limit = self.width if end is None else min(end, self.width)
        start = x = max(0, x)
        chars = self._target_chars[y]
        styles = self._target_styles[y]
        for text, style, control in segments:
            if control is not None or not text or x >= limit:
                continue
            style_id = self._style_id(style)
            if text.isascii():
                count = min(len(text), limit - x)
                chars[x : x + count] = text[:count]
                styles[x : x + count] = [style_id] * count
                x += count
                continue
            for character in text:
                size = get_character_cell_size(character)
                if size == 0:
                    if x > start:
                        previous = x - 1 if chars[x - 1] != CONTINUATION or x < 2 else x - 2
                        chars[previous] += character
                    continue
                if x + size > limit:
                    if x < limit:  # half a wide character does not fit: a space, as Textual crops it
                        chars[x], styles[x] = " ", style_id
                        x += 1
                    break
                chars[x], styles[x] = character, style_id
                if size == 2:
                    chars[x + 1], styles[x + 1] = CONTINUATION, style_id
                x += size
        if x > start:
            # Half a wide character left behind is a blank on a terminal: the same here.
            if x < self.width and chars[x] == CONTINUATION:
                chars[x] = " "
                x += 1
            if start > 0 and chars[start] != CONTINUATION and _wide(chars[start - 1]):
                start -= 1
                chars[start] = " "
            old = self._dirty.get(y)
            self._dirty[y] = (start, x) if old is None else (min(old[0], start), max(old[1], x))

    # ------------------------------------------------------------------------------ rendering
    def row_text(self, y: int) -> str:
        """Row `y` of the target as plain text (for tests and the benchmark)."""
        return "".join(self._target_chars[y])

    def render(self) -> str:
        """The bytes that make the terminal show the target (then taken as sent)."""
        out: list[str] = []
        current = PLAIN
        position: tuple[int, int] | None = None
        width = self.width
        for y in sorted(self._dirty):
            x0, x1 = self._dirty[y]
            chars, styles = self._target_chars[y], self._target_styles[y]
            sent_chars, sent_styles = self._sent_chars[y], self._sent_styles[y]
            if sent_chars is None or sent_styles is None:
                runs = [(0, width)]
                sent_chars = self._sent_chars[y] = [" "] * width
                sent_styles = self._sent_styles[y] = [-1] * width
            else:
                if chars[x0:x1] == sent_chars[x0:x1] and styles[x0:x1] == sent_styles[x0:x1]:
                    continue
                runs = _changed_runs(chars, styles, sent_chars, sent_styles, x0, x1)
            for start, end in runs:
                while start > 0 and (chars[start] == CONTINUATION or sent_chars[start] == CONTINUATION):
                    start -= 1
                while end < width and (chars[end] == CONTINUATION or sent_chars[end] == CONTINUATION):
                    end += 1
                out.append(_move(position, start, y))
                x = start
                while x < end:
                    character = chars[x]
                    if character == CONTINUATION:
                        x += 1
                        continue
                    style_id = styles[x]
                    sgr = self._sgrs[style_id]
                    if sgr != current:
                        out.append(_transition(current, sgr))
                        current = sgr
                    if character == " " and not sgr.attributes and not sgr.link:
                        blank = x + 1
                        while blank < end and chars[blank] == " " and styles[blank] == style_id:
                            blank += 1
                        if blank - x >= ERASE_AT_LEAST:
                            out.append(f"\x1b[{blank - x}X")  # the cursor stays: move past the blanks
                            if blank < width:
                                out.append(f"\x1b[{blank - x}C")
                            x = blank
                            continue
                    out.append(character)
                    x += 1
                sent_chars[start:end] = chars[start:end]
                sent_styles[start:end] = styles[start:end]
                position = (end, y) if end < width else None
        self._dirty.clear()
        if current != PLAIN:
            out.append(_transition(current, PLAIN))
        if out or self.cursor != self._sent_cursor:
            if self.cursor is not None:
                x, y = self.cursor
                out.append(f"\x1b[{y + 1};{x + 1}H")
            self._sent_cursor = self.cursor
        return "".join(out)

    def resize(self, width: int, height: int) -> None:
        """A new size: every cell is unknown until painted again."""
        self.__init__(width, height, self._style_codes)  # type: ignore[misc]


def _wide(cell: str) -> bool:
    return bool(cell) and get_character_cell_size(cell[0]) == 2


def _changed_runs(
    chars: list[str], styles: list[int], sent_chars: list[str], sent_styles: list[int], x0: int, x1: int
) -> list[tuple[int, int]]:
    """Runs [start, end) of cells in [x0, x1) that differ; runs closer than `GAP` cells are joined."""
    runs: list[tuple[int, int]] = []
    x = x0
    while x < x1:
        if chars[x] == sent_chars[x] and styles[x] == sent_styles[x]:
            x += 1
            continue
        start = x
        end = x + 1
        x += 1
        while x < x1:
            if chars[x] != sent_chars[x] or styles[x] != sent_styles[x]:
                end = x + 1
            elif x - end >= GAP:
                break
            x += 1
        runs.append((start, end))
        x = end
    return runs


def _move(position: tuple[int, int] | None, x: int, y: int) -> str:
    if position is not None and position[1] == y:
        if position[0] == x:
            return ""
        if x > position[0]:
            return f"\x1b[{x - position[0]}C"
    return f"\x1b[{y + 1};{x + 1}H"


def _transition(old: Sgr, new: Sgr) -> str:
    """The codes from `old` colours to `new` ones (links opened and closed as needed)."""
    out = ""
    if old.link != new.link or old.link_id != new.link_id:
        if old.link:
            out += "\x1b]8;;\x1b\\"
        if new.link:
            out += f"\x1b]8;id={new.link_id};{new.link}\x1b\\"
    if (old.attributes, old.foreground, old.background) == (new.attributes, new.foreground, new.background):
        return out
    if (
        old.attributes != new.attributes
        or (old.foreground and not new.foreground)
        or (old.background and not new.background)
    ):
        codes = [code for code in (new.attributes, new.foreground, new.background) if code]
        return out + "\x1b[" + ";".join(["0", *codes]) + "m"
    changed = [
        new_code
        for old_code, new_code in ((old.foreground, new.foreground), (old.background, new.background))
        if new_code != old_code
    ]
    return out + "\x1b[" + ";".join(changed) + "m"
