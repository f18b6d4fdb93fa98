"""The streaming markdown renderer: elements, the width invariant, streaming equivalence, hostile text, caching."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.content import Content, Span

from tui_chat.render import markdown
from tui_chat.render.markdown import MarkdownDocument, render_markdown

PROPERTY_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

PROSE = """Streaming answers arrive a few words at a time, so the renderer re-parses only the last block.
A single newline is kept as a line break, because chat answers use them on purpose.

The second paragraph has **bold**, *italic*, ~~struck~~ and `inline  code` spans, plus a
[link to the docs](https://textual.textualize.io/) and an autolink <https://example.com/path>.
It also mentions www.example.org and ends with a hard break\\
right here.

A third, longer paragraph repeats itself to wrap across several lines at narrow widths: lorem ipsum dolor
sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.
"""

MIXED = """# Setting up the project

Install the tools first, then run `make test`.

## Steps

1. Clone the repository:
   ```bash
   git clone https://example.com/repo.git
   ```
2. Create a virtualenv and install **all** extras.
3. Run the checks:
   - `ruff check .`
   - `mypy`
     - strict mode, always

3. Loose items come with blank lines.

   They can hold several paragraphs.

> **Note**: quotes can nest
>
> > like this, with a list:
> > - one
> > - two

| Tool | Purpose | Speed |
|:-----|:-------:|------:|
| ruff | lint + *format* | fast |
| mypy | types | slower |
| pytest | `tests` | varies |

---

```python
def fibonacci(n: int) -> int:
\t\"\"\"Return the n-th Fibonacci number.\"\"\"
\tif n < 2:
\t\treturn n
\treturn fibonacci(n - 1) + fibonacci(n - 2)
```

<details>
<summary>More</summary>
</details>

    indented code block
    second line

Final words with a trailing image ![diagram of the flow](https://example.com/flow.png).
"""

JAPANESE = """# 日本語の回答 😀

はい、説明します。マークダウンの表示は**全角文字**と絵文字 🎉 の幅を正しく扱う必要があります。
折り返しはセルの幅で数えます。

- 項目その一：短い
- 項目その二：とても長い説明文がここに入り、画面の幅を超えると次の行に折り返されます 🚀
- 三つ目

| 名前 | 説明 |
|------|------|
| 東京 | 日本の首都です 🗼 |
| 大阪 | 食べ物がおいしい 🍜 |

> 引用もできます。「こんにちは」
"""

UNTERMINATED = (
    "Here is the script you asked for:\n\n"
    "```python\n"
    + "".join(f"value_{index} = compute({index}, 'a string with ``` inside')\n" for index in range(60))
    + "  indented\tline with a tab\n"
    + "~~~ not a closer\n"
    + "``\n"
    + "print('still streaming')"
)

TILDE_FENCE = (
    "Intro paragraph.\n\n"
    "  ~~~~ markdown\n"
    "  ```python\n"
    "  inner fence is content\n"
    "  ```\n"
    "    deeper indent stays\n"
    "\tstarts with a tab\n"
    "\n"
    "   \n"
    "~~~\n"
    "~~~~~\n"
    "\n"
    "After the fence.\n"
)

FIXTURES = {"prose": PROSE, "mixed": MIXED, "japanese": JAPANESE, "unterminated": UNTERMINATED, "tilde": TILDE_FENCE}
WIDTHS = [1, 7, 24, 41, 80, 120]


def plains(lines: list[Content]) -> list[str]:
    return [line.plain for line in lines]


def styled(lines: list[Content]) -> list[tuple[str, list[Span]]]:
    return [(line.plain, list(line.spans)) for line in lines]


def styles_at(line: Content, offset: int) -> list[str]:
    """The style strings of the spans covering `offset`."""
    return [str(span.style) for span in line.spans if span.start <= offset < span.end]


def find(lines: list[Content], text: str) -> Content:
    return next(line for line in lines if text in line.plain)


# ------------------------------------------------------------------ elements


def test_blocks_are_separated_by_exactly_one_blank_line() -> None:
    lines = render_markdown("\n\n\nfirst\n\n\n\nsecond\n\n- item\n\n\n", 40)
    assert plains(lines) == ["first", "", "second", "", "• item"]


def test_paragraph_keeps_soft_and_hard_breaks_and_wraps_words() -> None:
    lines = render_markdown("one two three four five\nsix  \nseven\\\neight", 10)
    assert plains(lines) == ["one two", "three four", "five", "six", "seven", "eight"]
    assert plains(render_markdown("abcdefghijklmnopqrstuvwxyz", 10)) == ["abcdefghij", "klmnopqrst", "uvwxyz"]


def test_inline_styles() -> None:
    [line] = render_markdown("**b** *i* ~~s~~ `a  b` ***bi***", 80)
    assert line.plain == "b i s a  b bi"
    assert styles_at(line, 0) == ["bold"]
    assert styles_at(line, 2) == ["italic"]
    assert styles_at(line, 4) == ["strike"]
    assert styles_at(line, 6) == ["$text-warning on $boost"]
    assert set(" ".join(styles_at(line, 11)).split()) == {"bold", "italic"}


def test_links_show_their_url_unless_it_is_the_text() -> None:
    [line] = render_markdown("see [the docs](https://docs.example/x) or <https://a.example> or www.example.org", 120)
    assert line.plain == "see the docs (https://docs.example/x) or https://a.example or www.example.org"
    assert styles_at(line, line.plain.index("the docs")) == ["underline $text-primary"]
    assert styles_at(line, line.plain.index("(https://docs")) == ["$text-muted"]
    assert styles_at(line, line.plain.index("https://a.example")) == ["underline $text-primary"]
    assert styles_at(line, line.plain.index("www.example.org")) == ["underline $text-primary"]


def test_images_and_inline_html() -> None:
    [line] = render_markdown("![a *cat*](https://img.example/cat.png) <kbd>Ctrl</kbd>", 120)
    assert line.plain == "[image: a cat] (https://img.example/cat.png) <kbd>Ctrl</kbd>"
    assert styles_at(line, 0) == ["$text-muted"]
    assert styles_at(line, line.plain.index("<kbd>")) == []


def test_headings_use_the_theme_heading_variables_without_hashes() -> None:
    lines = render_markdown("# One\n\n## Two `code`\n\n###### Six", 40)
    assert plains(lines) == ["One", "", "Two code", "", "Six"]
    assert styles_at(lines[0], 0) == ["$markdown-h1-color $markdown-h1-text-style"]
    assert styles_at(lines[2], 0) == ["$markdown-h2-color $markdown-h2-text-style"]
    assert styles_at(lines[2], 4)[-1] == "$text-warning on $boost"
    assert styles_at(lines[4], 0) == ["$markdown-h6-color $markdown-h6-text-style"]


def test_bullets_by_depth_with_hanging_indent() -> None:
    source = "- top item that is long enough to wrap\n  - second level\n    - third\n      - fourth"
    lines = render_markdown(source, 20)
    assert plains(lines) == [
        "• top item that is",
        "  long enough to",
        "  wrap",
        "  ◦ second level",
        "    ▪ third",
        "      ▪ fourth",
    ]
    assert styles_at(lines[0], 0) == ["bold $text-accent"]
    assert styles_at(lines[3], 2) == ["bold $text-accent"]


def test_ordered_list_starts_at_its_start_and_right_aligns_numbers() -> None:
    lines = render_markdown("8. eight\n9. nine\n10. ten and a longer text", 14)
    assert plains(lines) == [" 8. eight", " 9. nine", "10. ten and a", "    longer", "    text"]
    assert styles_at(lines[2], 0) == ["bold $text-accent"]


def test_tight_and_loose_lists() -> None:
    assert plains(render_markdown("- a\n- b\n- c", 20)) == ["• a", "• b", "• c"]
    assert plains(render_markdown("- a\n\n- b\n- c", 20)) == ["• a", "", "• b", "", "• c"]
    loose_item = render_markdown("1. first paragraph\n\n   second paragraph\n2. next", 40)
    assert plains(loose_item) == ["1. first paragraph", "", "   second paragraph", "", "2. next"]


def test_list_items_hold_code_and_quotes() -> None:
    lines = render_markdown("- run:\n  ```sh\n  make\n  ```\n- and\n  > quoted", 20)
    assert plains(lines) == ["• run:", "   make             ", "• and", "  ▌ quoted"]
    assert styles_at(lines[1], 2)[0] == "on $boost"


def test_blockquotes_prefix_every_line_and_nest() -> None:
    lines = render_markdown("> outer text\n>\n> > inner", 40)
    assert plains(lines) == ["▌ outer text", "▌", "▌ ▌ inner"]
    assert styles_at(lines[0], 0) == ["$text-primary 50%"]
    assert styles_at(lines[2], 2) == ["$text-primary 50%"]
    assert plains(render_markdown("> " + "word " * 10, 12)) == ["▌ word word"] * 5


def test_fenced_code_is_padded_highlighted_and_folded_without_loss() -> None:
    code = "x = 'a string that is much longer than the width'\n\tindented()"
    lines = render_markdown(f"```python\n{code}\n```", 24)
    assert all(line.cell_length == 24 for line in lines)
    assert all(line.spans[0] == Span(0, 24, "on $boost") for line in lines)
    assert all(line.plain.startswith(" ") and line.plain.endswith(" ") for line in lines)
    text = "".join(line.plain[1:-1] for line in lines[:-1])
    assert text.rstrip() == "x = 'a string that is much longer than the width'"
    assert lines[-1].plain.rstrip() == "     indented()"
    assert "$text-success" in styles_at(lines[0], lines[0].plain.index("'"))  # the string is coloured


def test_unterminated_fence_renders_what_arrived() -> None:
    lines = render_markdown("```\nfirst\nsecond", 12)
    assert plains(lines) == [" first      ", " second     "]


def test_indented_code_block() -> None:
    assert plains(render_markdown("    code\n      more", 10)) == [" code     ", "   more   "]


def test_table_borders_header_and_alignment() -> None:
    source = "| left | center | right |\n|:--|:--:|--:|\n| a | b | c |\n| **x** | yy | zzz |"
    lines = render_markdown(source, 80)
    assert plains(lines) == [
        "┌──────┬────────┬───────┐",
        "│ left │ center │ right │",
        "├──────┼────────┼───────┤",
        "│ a    │   b    │     c │",
        "│ x    │   yy   │   zzz │",
        "└──────┴────────┴───────┘",
    ]
    assert styles_at(lines[0], 0) == ["$text-muted"]
    assert styles_at(lines[1], 0) == ["$text-muted"]
    assert styles_at(lines[1], 2) == ["bold"]
    assert styles_at(lines[4], 2) == ["bold"]


def test_narrow_table_shrinks_the_widest_column_and_wraps_it() -> None:
    source = "| id | description |\n|---|---|\n| 1 | a rather long description of the row |"
    lines = render_markdown(source, 24)
    assert all(line.cell_length <= 24 for line in lines)
    assert lines[0].plain == "┌────┬─────────────────┐"
    cells = [line.plain.split("│")[2].strip() for line in lines[3:-1]]
    assert " ".join(cells) == "a rather long description of the row"


def test_table_too_wide_even_at_minimum_widths_is_folded() -> None:
    lines = render_markdown("| a | b | c | d |\n|---|---|---|---|\n| 1 | 2 | 3 | 4 |", 9)
    assert all(line.cell_length <= 9 for line in lines)
    assert "".join(plains(lines)).count("│") == 10


def test_rule_html_block_and_width_one() -> None:
    lines = render_markdown("---\n\n<div>\n  <b>kept</b>\n</div>", 16)
    assert plains(lines) == ["─" * 16, "", "<div>", "  <b>kept</b>", "</div>"]
    assert styles_at(lines[0], 0) == ["$secondary"]
    assert styles_at(lines[3], 2) == ["$text-muted"]
    assert all(line.cell_length <= 1 for line in render_markdown(MIXED, 1))


def test_cjk_and_emoji_wrap_by_cell_width() -> None:
    lines = render_markdown("日本語のテキスト😀と絵文字", 9)
    assert plains(lines) == ["日本語の", "テキスト", "😀と絵文", "字"]
    assert all(line.cell_length <= 9 for line in lines)


# ------------------------------------------------------------------ hostile text


def test_markup_like_text_stays_literal() -> None:
    hostile = "[bold]x[/] [@click=app.quit]y[/] [/] list[int] [link=https://evil.example]z[/link]"
    for source in (
        hostile,
        f"# {hostile}",
        f"- {hostile}",
        f"> {hostile}",
        f"| {hostile} |\n|-|",
        f"```\n{hostile}\n```",
    ):
        lines = render_markdown(source, 200)
        assert hostile in "".join(plains(lines))


def test_no_span_carries_an_action_or_a_link() -> None:
    source = (
        "[click me](https://example.com/[@click=app.quit]) <https://x.example> [js](javascript:alert(1)) www.y.example"
    )
    for document in (source, MIXED, PROSE):
        for line in render_markdown(document, 60):
            for span in line.spans:
                assert isinstance(span.style, str)
                assert "@" not in span.style and "link" not in span.style
    [line] = render_markdown("[js](javascript:alert(1))", 80)
    assert line.plain == "[js](javascript:alert(1))"


def test_control_characters_are_removed() -> None:
    document = MarkdownDocument("red \x1b[31malert\x07\r\n**bold**")
    assert "\x1b" not in document.source and "\r" not in document.source
    assert plains(document.lines(40)) == ["red [31malert", "bold"]


# ------------------------------------------------------------------ width invariant

MARKDOWNISH = st.text(alphabet=st.sampled_from(list("#*`-|>[]()\n \t日本語😀~_!<>:.1abc=")), max_size=300)
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=200)


@PROPERTY_SETTINGS
@given(text=st.one_of(MARKDOWNISH, ANY_TEXT), width=st.integers(1, 120))
def test_every_line_fits_the_width(text: str, width: int) -> None:
    for line in render_markdown(text, width):
        assert line.cell_length <= width
        assert "\t" not in line.plain and "\n" not in line.plain


# ------------------------------------------------------------------ streaming


def stream(source: str, cuts: list[int], width: int, *, finish: bool) -> list[Content]:
    document = MarkdownDocument()
    start = 0
    for cut in [*sorted(set(cuts)), len(source)]:
        document.append(source[start:cut])
        start = cut
        document.lines(width)
    if finish:
        document.finish()
    return document.lines(width)


@PROPERTY_SETTINGS
@given(
    name=st.sampled_from(sorted(FIXTURES)),
    fractions=st.lists(st.floats(0, 1), max_size=25),
    width=st.sampled_from(WIDTHS),
    finish=st.booleans(),
)
def test_streaming_in_pieces_equals_the_one_shot_rendering(
    name: str, fractions: list[float], width: int, finish: bool
) -> None:
    source = FIXTURES[name]
    cuts = [int(fraction * len(source)) for fraction in fractions]
    assert styled(stream(source, cuts, width, finish=finish)) == styled(render_markdown(source, width))


def test_streaming_character_by_character_equals_the_one_shot_rendering() -> None:
    for name, source in FIXTURES.items():
        step = 1 if len(source) < 2000 else 7  # each append to a fence re-highlights its last chunk: keep it quick
        expected = styled(render_markdown(source, 41))
        assert styled(stream(source, list(range(0, len(source), step)), 41, finish=False)) == expected, name


@PROPERTY_SETTINGS
@given(text=MARKDOWNISH, fractions=st.lists(st.floats(0, 1), max_size=10), width=st.sampled_from(WIDTHS))
def test_finish_gives_the_one_shot_rendering_for_any_text(text: str, fractions: list[float], width: int) -> None:
    cuts = [int(fraction * len(text)) for fraction in fractions]
    assert styled(stream(text, cuts, width, finish=True)) == styled(render_markdown(text, width))


def test_references_resolve_in_nested_blocks() -> None:
    lines = render_markdown(
        "- item\n  - see [the spec]\n> and [the spec] again\n\n[the spec]: https://spec.example", 60
    )
    assert plains(lines) == [
        "• item",
        "  ◦ see the spec (https://spec.example)",
        "",
        "▌ and the spec (https://spec.example) again",
    ]


def test_an_unfinished_first_line_can_still_join_the_block_before() -> None:
    for before, typed in (("1. one\n   ```\n   code\n   ```\n", "2. two"), ("text\n", "#not a heading")):
        document = MarkdownDocument(before)
        for character in typed:
            document.lines(30)
            document.append(character)
        assert styled(document.lines(30)) == styled(render_markdown(before + typed, 30))


def test_deep_nesting_at_a_tiny_width_degrades_without_multiplying_lines() -> None:
    # markdown-it stops at 20 levels of nesting (deeper content is dropped): stay below, where the text is kept.
    for source in (">" * 15 + " x", "".join("  " * depth + "- x\n" for depth in range(8))):
        lines = render_markdown(source, 3)
        assert all(line.cell_length <= 3 for line in lines)
        assert len(lines) < 40
        assert "x" in "".join(plains(lines))


def test_finish_resolves_a_reference_defined_after_its_use() -> None:
    document = MarkdownDocument()
    document.append("See [the docs][docs].\n\nThen read on.\n\n")
    document.append("[docs]: https://docs.example\n")
    assert plains(document.lines(80)) == ["See [the docs][docs].", "", "Then read on."]
    version = document.version
    document.finish()
    assert document.version > version
    assert plains(document.lines(80)) == ["See the docs (https://docs.example).", "", "Then read on."]


def test_a_long_answer_finishes_as_the_one_shot_rendering_and_still_resolves_late_references() -> None:
    long = "\n\n".join([PROSE, MIXED] * 40)
    assert len(long) > markdown.WHOLE_PARSE_CHARACTERS and "]:" not in long
    cuts = list(range(0, len(long), 2000))  # as an answer streams: its text in steps
    assert styled(stream(long, cuts, 60, finish=True)) == styled(render_markdown(long, 60))

    with_reference = "See [the docs][docs].\n\n" + long + "\n\n[docs]: https://docs.example\n"
    finished = plains(stream(with_reference, cuts, 80, finish=True))
    assert finished[0] == "See the docs (https://docs.example)."


# ------------------------------------------------------------------ caching


def test_lines_are_cached_until_the_document_changes() -> None:
    document = MarkdownDocument(MIXED)
    first = document.lines(50)
    assert document.lines(50) is first
    version = document.version
    document.append(" more")
    assert document.version == version + 1
    assert document.lines(50) is not first


def test_appending_to_the_last_paragraph_renders_only_that_block() -> None:
    document = MarkdownDocument("\n\n".join(f"Paragraph {index} with **some** text." for index in range(300)))
    before = document.lines(60)
    rendered = markdown.stats.blocks_rendered
    document.append(" And more words at the end.")
    after = document.lines(60)
    assert markdown.stats.blocks_rendered == rendered + 1
    assert all(old is new for old, new in zip(before[:-1], after[:-1], strict=True))
    assert after[-1].plain == "Paragraph 299 with some text. And more words at the end."


def test_finish_keeps_the_rendering_of_unchanged_blocks() -> None:
    document = MarkdownDocument()
    for piece in MIXED.split(" "):
        document.append(piece + " ")
    before = document.lines(70)
    rendered = markdown.stats.blocks_rendered
    document.finish()
    after = document.lines(70)
    assert markdown.stats.blocks_rendered == rendered
    assert all(old is new for old, new in zip(before, after, strict=True))


def test_a_growing_list_keeps_the_rendering_of_its_earlier_items() -> None:
    document = MarkdownDocument("".join(f"- item {index} with *some* text\n" for index in range(200)))
    before = document.lines(40)
    document.append("- one more item")
    after = document.lines(40)
    assert len(after) == len(before) + 1
    assert all(old is new for old, new in zip(before, after[:-1], strict=False))


def test_a_long_fence_streamed_line_by_line_highlights_only_its_last_chunk() -> None:
    document = MarkdownDocument("```text\n")  # the plain-text lexer keeps the test quick; any language counts the same
    highlighted = markdown.stats.chunks_highlighted
    appends = 3000
    halfway: list[Content] = []
    for index in range(appends):
        document.append(f"n{index} = {index}\n")
        lines = document.lines(30)
        if index == appends // 2:
            halfway = lines
    assert len(lines) == appends
    assert lines[-1].plain.strip() == f"n{appends - 1} = {appends - 1}"
    assert markdown.stats.chunks_highlighted - highlighted <= appends + 1
    assert all(old is new for old, new in zip(halfway[:1480], lines, strict=False))  # finished chunks are kept
