"""Wrapping: Japanese line-breaking rules, widths, and English wrapped as Textual wraps it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content

from tui_chat.render.wrap import NO_LINE_END, NO_LINE_START, wrap

JAPANESE = (
    "ストリーミングでは、モデルが生成したトークンを一つずつすぐに送ります。回答全体の完成を待つ必要がないので、"
    "最初のトークンまでの時間（TTFT）が大きく短くなります。「インスペクター」で確かめてください。"
)


def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket() -> None:
    for width in range(6, 60):
        lines = [line.plain for line in wrap(Content(JAPANESE), width)]
        assert "".join(lines) == JAPANESE  # nothing lost, nothing added
        assert all(len(line) and line[0] not in NO_LINE_START for line in lines[1:]), (width, lines)
        assert all(line[-1] not in NO_LINE_END for line in lines[:-1]), (width, lines)


def test_english_wraps_as_textual_wraps_it() -> None:
    text = "The total time does not change, but the time to first token drops from the whole answer to one token."
    for width in (10, 17, 33, 80):
        assert [line.plain for line in wrap(Content(text), width)] == [line.plain for line in Content(text).wrap(width)]


@given(st.text(alphabet=st.sampled_from(["あ", "、", "。", "「", "」", "a", " ", "語", "😀", "\n", "ー"]), max_size=80))
def test_every_line_fits_and_the_text_survives(text: str) -> None:
    for width in (1, 2, 3, 7, 20):
        lines = wrap(Content(text), width)
        assert all(line.cell_length <= width or len(line.plain) == 1 for line in lines)
        assert "".join(line.plain for line in lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")
