"""A small terminal emulator for the benchmark: what a screen shows after the bytes an app wrote.

It follows what claude-tui and Textual write (cursor moves, erasing, text; colours are ignored) and
answers cursor queries as a real terminal would, so "on screen" means what a user would see.
"""

from __future__ import annotations

import re

from rich.cells import get_character_cell_size

_SEQUENCE = re.compile(
    rb"\x1b\[([0-9;?<=>]*)[ -/]*([@-~])"  # CSI
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1bP[^\x1b]*\x1b\\"  # DCS
    rb"|\x1b[@-Z\\-_()*+][0-9A-Za-z]?"  # other escapes
)


class Screen:
    """Rows of characters; `feed()` bytes, read `rows` / `text()`; `answers()` holds what to send back."""

    def __init__(self, columns: int, lines: int) -> None:
        self.columns = columns
        self.lines = lines
        self.rows = [[" "] * columns for _ in range(lines)]
        self.x = 0
        self.y = 0
        self._pending = b""
        self._answers: list[bytes] = []
        self._last: tuple[int, int] | None = None

    def answers(self) -> bytes:
        """Replies the terminal owes the app (cursor position reports), taken."""
        data, self._answers = b"".join(self._answers), []
        return data

    def text(self) -> str:
        return "\n".join(self.row(y) for y in range(self.lines))

    def row(self, y: int) -> str:
        return "".join(self.rows[y])

    def feed(self, data: bytes) -> None:
        data = self._pending + data
        self._pending = b""
        position = 0
        while position < len(data):
            escape = data.find(b"\x1b", position)
            end = len(data) if escape < 0 else escape
            if end > position:
                self._text(data[position:end])
            if escape < 0:
                return
            match = _SEQUENCE.match(data, escape)
            if match is None:
                if len(data) - escape < 64:  # an unfinished sequence: wait for the rest
                    self._pending = data[escape:]
                    return
                position = escape + 1
                continue
            if match.group(2) is not None:
                self._csi(match.group(1).decode(), match.group(2).decode())
            position = match.end()

    def _text(self, data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        for character in text:
            if character == "\r":
                self.x = 0
            elif character == "\n":
                self.y = min(self.lines - 1, self.y + 1)
            elif character == "\b":
                self.x = max(0, self.x - 1)
            elif ord(character) < 32:
                continue
            else:
                size = get_character_cell_size(character)
                if size == 0:  # a combining mark: on the character written last
                    if self._last is not None:
                        y, x = self._last
                        self.rows[y][x] += character
                    continue
                self.rows[self.y][self.x] = character
                self._last = (self.y, self.x)
                if size == 2 and self.x + 1 < self.columns:
                    self.rows[self.y][self.x + 1] = ""
                self.x = min(self.columns - 1, self.x + size)  # no line wrap (Textual turns it off)

    def _csi(self, parameters: str, final: str) -> None:
        numbers = [int(part) if part.isdigit() else 0 for part in parameters.split(";")] if parameters else []

        def number(index: int, default: int = 1) -> int:
            return numbers[index] if len(numbers) > index and numbers[index] > 0 else default

        if parameters.startswith("?"):
            return
        if final in "Hf":
            self.y = min(self.lines - 1, number(0) - 1)
            self.x = min(self.columns - 1, number(1) - 1)
        elif final == "C":
            self.x = min(self.columns - 1, self.x + number(0))
        elif final == "D":
            self.x = max(0, self.x - number(0))
        elif final == "A":
            self.y = max(0, self.y - number(0))
        elif final == "B":
            self.y = min(self.lines - 1, self.y + number(0))
        elif final == "G":
            self.x = min(self.columns - 1, number(0) - 1)
        elif final == "X":
            for x in range(self.x, min(self.columns, self.x + number(0))):
                self.rows[self.y][x] = " "
        elif final == "K":
            mode = number(0, 0)
            span = (
                range(self.x, self.columns) if mode == 0 else range(0, self.x + 1) if mode == 1 else range(self.columns)
            )
            for x in span:
                self.rows[self.y][x] = " "
        elif final == "J" and number(0, 0) == 2:
            self.rows = [[" "] * self.columns for _ in range(self.lines)]
        elif final == "n" and number(0, 0) == 6:
            self._answers.append(f"\x1b[{self.y + 1};{self.x + 1}R".encode())
