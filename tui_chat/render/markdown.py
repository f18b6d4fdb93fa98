"""Markdown rendered as wrapped lines of `Content`, re-parsed incrementally while an answer streams.

A document is a list of top-level blocks (markdown-it tokens at nesting level 0). An append re-parses the
source from the start of the last block only (or of the one before, while the last block's first line is
unfinished: "2" after a list may still become its item "2."), so its cost follows the size of that block,
not of the document; an open fence is grown without re-parsing it. Rendered lines are cached per block and
width; inline markup, paragraphs, items of top-level lists and 40-line chunks of highlighted code are
memoised by their text, so a growing list or fence redoes only its last part.

Model output is hostile input: source text enters `Content` as plain text only (never as markup) and no
span carries a link or an action. Style strings name Textual theme variables ("$text-muted"); the view
resolves them when it turns the lines into strips.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.cells import get_character_cell_size
from textual.content import Content, Span
from textual.highlight import highlight

from tui_chat.render.wrap import wrap
from tui_chat.safety import sanitize

CODE_CHUNK_LINES = 40
"""Code is highlighted in chunks of this many lines: a growing fence re-highlights only its last chunk."""

STRONG_STYLE = "bold"
EMPHASIS_STYLE = "italic"
STRIKE_STYLE = "strike"
CODE_INLINE_STYLE = "$text-warning on $boost"
LINK_STYLE = "underline $text-primary"
MUTED_STYLE = "$text-muted"
LIST_MARKER_STYLE = "bold $text-accent"
QUOTE_BAR_STYLE = "$text-primary 50%"
CODE_BLOCK_STYLE = "on $boost"
TABLE_BORDER_STYLE = "$text-muted"
TABLE_HEADER_STYLE = "bold"
RULE_STYLE = "$secondary"
HEADING_STYLE = "$markdown-h{level}-color $markdown-h{level}-text-style"

_BULLETS = "•◦▪"
_QUOTE_BAR = "▌ "
_TAB_SIZE = 4
_MIN_COLUMN_WIDTH = 3
_KEPT_WIDTHS = 2
_BLANK = Content("")
_NEWLINE = re.compile("\n")
# A line that might close a fence (markdown-it also wants only spaces after it and enough markers).
_FENCE_CLOSER = {marker: re.compile(f"^ {{0,3}}{re.escape(marker * 3)}", re.MULTILINE) for marker in "`~"}
_STYLE_OPENERS = {"strong_open": STRONG_STYLE, "em_open": EMPHASIS_STYLE, "s_open": STRIKE_STYLE}
_STYLE_CLOSERS = {"strong_close", "em_close", "s_close", "link_close"}
_LIST_KINDS = ("bullet_list_open", "ordered_list_open")

# Block structure only; inline content is parsed on its own by `_INLINE_PARSER`, memoised by its text.
_BLOCK_PARSER = MarkdownIt("gfm-like").disable(["inline", "linkify", "text_join"])
_INLINE_PARSER = MarkdownIt("gfm-like")

# Link reference definitions of a parse as (label, href, title): the only context inline parsing needs.
_References = tuple[tuple[str, str, str], ...]


@dataclass
class RenderStats:
    """Counts of the expensive steps, so tests can check what the caches save."""

    blocks_rendered: int = 0
    chunks_highlighted: int = 0


stats = RenderStats()


@dataclass(eq=False)
class _Block:
    """A top-level block: its tokens, its source text and its rendered lines per width."""

    kind: str
    source: str
    start: int
    first_line: int  # line of the parsed text the block starts on (its tokens' maps count from there)
    tokens: list[Token]
    references: _References
    open_fence: str | None = None  # the marker of a fence whose opening line is complete and that no line closes
    rendered: dict[int, list[Content]] = field(default_factory=dict)

    @property
    def signature(self) -> tuple[str, str, _References]:
        """What the rendering depends on: kind, source and, if it may use them, the link references."""
        return self.kind, self.source, _references_for(self.source, self.references)

    def lines(self, width: int) -> list[Content]:
        lines = self.rendered.get(width)
        if lines is None:
            stats.blocks_rendered += 1
            if self.kind in _LIST_KINDS:
                lines = _render_list(self.tokens, width, 1, self.references, self._item_sources())
            else:
                lines = _render_group(self.tokens, width, 0, self.references)
            self.rendered[width] = lines
            if len(self.rendered) > _KEPT_WIDTHS:
                del self.rendered[next(iter(self.rendered))]
        return lines

    def _item_sources(self) -> list[str]:
        """The source text of each item of a list block (which determines the item's rendering)."""
        source_lines = self.source.split("\n")
        sources = []
        for token in self.tokens:
            if token.type == "list_item_open" and token.level == 1 and token.map:
                start, end = (line - self.first_line for line in token.map)
                sources.append("\n".join(source_lines[start:end]))
        return sources


class MarkdownDocument:
    """Markdown that grows at the end (a streaming answer), rendered as wrapped lines of Content."""

    def __init__(self, source: str = "") -> None:
        self._source = ""
        self._blocks: list[_Block] = []
        self._version = 0
        self._whole_parse = True  # the blocks come from a single parse of the whole source
        self._lines: dict[int, tuple[int, list[Content]]] = {}
        self.append(source)

    @property
    def source(self) -> str:
        """The text appended so far, after `sanitize` (control characters removed)."""
        return self._source

    @property
    def version(self) -> int:
        """Increases whenever the rendered result may have changed (append, finish)."""
        return self._version

    def append(self, text: str) -> None:
        """Add text at the end. Re-parses only from the start of the last top-level block (see the module
        docstring for the two exceptions)."""
        text = sanitize(text)
        if not text:
            return
        self._source += text
        self._version += 1
        if not self._blocks:
            self._blocks = _parse_blocks(self._source, 0)
            self._whole_parse = True
            return
        if grown := self._grown_fence(self._blocks[-1]):
            self._blocks[-1] = grown
            return
        replaced = [self._blocks.pop()]
        if "\n" not in replaced[0].source and self._blocks:
            # Its first line is unfinished, so it may still join the block before: "2" after a list becomes "2."
            replaced.insert(0, self._blocks.pop())
        start = replaced[0].start
        blocks = _parse_blocks(self._source[start:], start)
        for index, (old, new) in enumerate(zip(replaced, blocks, strict=False)):
            if old.signature == new.signature:
                blocks[index] = old
        self._blocks.extend(blocks)
        self._whole_parse = start == 0

    def _grown_fence(self, block: _Block) -> _Block | None:
        """`block`, an open fence at the end, grown by the new text; parses only its opening line and its
        lines from the last one on. None if the block is no open fence or the new text might close it."""
        if block.open_fence is None:
            return None
        last_line = block.start + block.source.rfind("\n") + 1
        tail = self._source[last_line:]
        if _FENCE_CLOSER[block.open_fence].search(tail):
            return None
        opening = block.source.partition("\n")[0] + "\n"
        parsed = _parse_blocks(opening + tail, block.start)
        if len(parsed) != 1 or parsed[0].kind != "fence":
            return None
        fence = parsed[0].tokens[0]
        old_content = block.tokens[0].content
        fence.content = old_content[: old_content.rfind("\n") + 1] + fence.content
        source = block.source[: last_line - block.start] + parsed[0].source[len(opening) :]
        return _Block("fence", source, block.start, block.first_line, [fence], (), block.open_fence)

    def finish(self) -> None:
        """The text is complete: re-parse the whole source once, so the final rendering is exactly
        that of the whole text (streaming parses from the last block and can differ in rare cases,
        e.g. a reference-style link definition). Blocks whose source and kind are unchanged keep
        their rendered lines."""
        self._version += 1
        if self._whole_parse:
            return
        if len(self._source) > WHOLE_PARSE_CHARACTERS and "]:" not in self._source:
            return  # no reference definition: the streamed parse stands (see `WHOLE_PARSE_CHARACTERS`)
        previous: dict[tuple[str, str, _References], list[_Block]] = {}
        for block in self._blocks:
            previous.setdefault(block.signature, []).append(block)
        blocks = _parse_blocks(self._source, 0)
        for index, block in enumerate(blocks):
            if same := previous.get(block.signature):
                kept = same.pop(0)
                kept.start = block.start
                blocks[index] = kept
        self._blocks = blocks
        self._whole_parse = True

    def lines(self, width: int) -> list[Content]:
        """The document wrapped to `width` cells: one Content per screen line, each with
        `cell_length <= width`. Only blocks that changed since the last call at this width are
        rendered again. The list is cached: do not modify it."""
        width = max(1, width)
        cached = self._lines.pop(width, None)
        if cached is not None and cached[0] == self._version:
            lines = cached[1]
        else:
            lines = []
            for block in self._blocks:
                block_lines = block.lines(width)
                if lines and block_lines:
                    lines.append(_BLANK)
                lines.extend(block_lines)
        self._lines[width] = (self._version, lines)
        if len(self._lines) > _KEPT_WIDTHS:
            del self._lines[next(iter(self._lines))]
        return lines


WHOLE_PARSE_CHARACTERS = 50_000
"""Past this, `finish` re-parses the whole text only if it may hold a reference definition (`[label]: url`, which
changes links above it: the one way known here for the streamed parse to differ). A 200,000-character answer
parsed again at its end stalled the event loop for ~130 ms; 50,000 take ~30 ms."""


def render_markdown(source: str, width: int) -> list[Content]:
    """One-shot convenience: MarkdownDocument(source); finish(); lines(width)."""
    document = MarkdownDocument(source)
    document.finish()
    return document.lines(width)


def _parse_blocks(text: str, offset: int) -> list[_Block]:
    """Parse `text` (which starts at `offset` in the document) into top-level blocks."""
    env: dict[str, Any] = {}
    tokens = _BLOCK_PARSER.parse(text, env)
    references = tuple(
        sorted((label, str(ref["href"]), str(ref["title"])) for label, ref in env.get("references", {}).items())
    )
    line_starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]
    blocks: list[_Block] = []
    for group in _groups(tokens):
        # Every top-level token has a line map; without one the block would start at the top (re-parsed).
        start_line, end_line = group[0].map or (0, 0)
        begin = line_starts[start_line] if start_line < len(line_starts) else len(text)
        end = line_starts[end_line] if end_line < len(line_starts) else len(text)
        source = text[begin:end]
        block = _Block(group[0].type, source, offset + begin, start_line, group, references)
        if block.kind == "fence" and "\n" in source:
            marker = group[0].markup[:1]
            block.open_fence = None if _FENCE_CLOSER[marker].search(source.partition("\n")[2]) else marker
        blocks.append(block)
    return blocks


def _groups(tokens: Sequence[Token]) -> list[list[Token]]:
    """Split a balanced token sequence into its blocks at the nesting level of its first token."""
    groups: list[list[Token]] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            groups.append([])
        groups[-1].append(token)
        depth += token.nesting
    return groups


def _render_group(tokens: list[Token], width: int, list_depth: int, references: _References) -> list[Content]:
    """Render one block (a group from `_groups`); `list_depth` counts the lists it is nested in."""
    first = tokens[0]
    kind = first.type
    if kind in ("paragraph_open", "heading_open"):
        source = next((token.content for token in tokens if token.type == "inline"), "")
        style = HEADING_STYLE.format(level=first.tag.removeprefix("h")) if kind == "heading_open" else ""
        return list(_text_lines(source, _references_for(source, references), width, style))
    if kind in _LIST_KINDS:
        return _render_list(tokens, width, list_depth + 1, references)
    if kind == "blockquote_open":
        if width <= len(_QUOTE_BAR):  # no room for the bar: the content alone (folding the bar would multiply lines)
            return _render_blocks(tokens[1:-1], width, list_depth, references, gap=True)
        body = _render_blocks(tokens[1:-1], width - len(_QUOTE_BAR), list_depth, references, gap=True)
        bar = Content.styled(_QUOTE_BAR, QUOTE_BAR_STYLE)
        empty_bar = bar.rstrip()
        return [bar + line if line else empty_bar for line in body] or [empty_bar]
    if kind in ("fence", "code_block"):
        language = first.info.split()[0] if kind == "fence" and first.info.strip() else None
        return _code_lines(first.content, language, width)
    if kind == "table_open":
        return _render_table(tokens, width, references)
    if kind == "hr":
        return [Content.styled("─" * width, RULE_STYLE)]
    if kind == "html_block":
        return _wrap(Content.styled(first.content.removesuffix("\n").expandtabs(_TAB_SIZE), MUTED_STYLE), width)
    text = "\n".join(token.content for token in tokens if token.content)
    return _wrap(Content(text.expandtabs(_TAB_SIZE)), width)


def _render_blocks(
    tokens: Sequence[Token], width: int, list_depth: int, references: _References, *, gap: bool
) -> list[Content]:
    """Render a sequence of blocks, with a blank line between them if `gap`."""
    lines: list[Content] = []
    for group in _groups(tokens):
        group_lines = _render_group(group, width, list_depth, references)
        if gap and lines and group_lines:
            lines.append(_BLANK)
        lines.extend(group_lines)
    return lines


def _render_list(
    tokens: list[Token], width: int, depth: int, references: _References, item_sources: list[str] | None = None
) -> list[Content]:
    """A bullet or ordered list with hanging indents; loose lists get blank lines between items.

    With `item_sources` (the source of each item of a top-level list), rendered items are memoised by
    their source, so a long list that grows at the end re-renders only its last item."""
    opening = tokens[0]
    items = _groups(tokens[1:-1])
    loose = any(
        token.type == "paragraph_open" and not token.hidden and token.level == opening.level + 2 for token in tokens
    )
    if opening.type == "ordered_list_open":
        start = opening.attrs.get("start", 1)
        first_number = start if isinstance(start, int) else 1
        numbers = [f"{first_number + index}." for index in range(len(items))]
        marker_width = max(map(len, numbers), default=1)
        markers = [number.rjust(marker_width) for number in numbers]
    else:
        markers = [_BULLETS[min(depth, len(_BULLETS)) - 1]] * len(items)
    memoise = item_sources is not None and len(item_sources) == len(items)
    sources = item_sources if item_sources is not None and memoise else [""] * len(items)
    lines: list[Content] = []
    for tokens_of_item, marker, source in zip(items, markers, sources, strict=True):
        if loose and lines:
            lines.append(_BLANK)
        if memoise:
            item = _ListItem(tokens_of_item, marker, loose, width, depth, _references_for(source, references), source)
            lines.extend(_memoised_list_item(item))
        else:
            lines.extend(_list_item_lines(_ListItem(tokens_of_item, marker, loose, width, depth, references, source)))
    return lines


@dataclass(frozen=True)
class _ListItem:
    """A list item to render; equal (for the memo) when the item's source and its context are."""

    tokens: list[Token] = field(compare=False)
    marker: str
    loose: bool
    width: int
    depth: int
    references: _References
    source: str


def _list_item_lines(item: _ListItem) -> tuple[Content, ...]:
    indent = " " * (len(item.marker) + 1)
    marker = Content.styled(item.marker, LIST_MARKER_STYLE)
    if item.width <= len(indent):  # no room for a hanging indent: the marker on a line of its own, then the content
        body = _render_blocks(item.tokens[1:-1], item.width, item.depth, item.references, gap=item.loose)
        return (*_fold(marker, item.width), *body)
    body = _render_blocks(item.tokens[1:-1], item.width - len(indent), item.depth, item.references, gap=item.loose)
    if not body:
        return (marker,)
    return (Content.assemble(marker, " ", body[0]), *(indent + line if line else line for line in body[1:]))


# Only for items of top-level lists: their source alone determines how they are parsed.
_memoised_list_item = lru_cache(maxsize=4096)(_list_item_lines)


def _render_table(tokens: list[Token], width: int, references: _References) -> list[Content]:
    """A GFM table drawn with light box lines; cells wrap when the natural widths do not fit."""
    rows: list[list[Content]] = []
    row: list[Content] = []
    alignments: list[str] = []
    header_rows = 0
    in_header = False
    for token in tokens:
        kind = token.type
        if kind in ("thead_open", "thead_close"):
            in_header = kind == "thead_open"
        elif kind == "tr_open":
            row = []
            rows.append(row)
            header_rows += in_header
        elif kind in ("th_open", "td_open"):
            row.append(_BLANK)
            if kind == "th_open":
                alignments.append(str(token.attrs.get("style", "")).removeprefix("text-align:"))
        elif kind == "inline" and row:
            cell = _inline_content(token.content, _references_for(token.content, references))
            row[-1] = cell.stylize_before(TABLE_HEADER_STYLE) if in_header else cell
    columns = max(map(len, rows), default=0)
    if not columns:
        return []
    rows = [[*cells, *[_BLANK] * (columns - len(cells))] for cells in rows]
    alignments = [*alignments, *["left"] * (columns - len(alignments))]
    natural = [max(1, max(cells[column].cell_length for cells in rows)) for column in range(columns)]
    widths = _column_widths(natural, width - (3 * columns + 1))

    def border(left: str, middle: str, right: str) -> Content:
        return Content.styled(left + middle.join("─" * (column + 2) for column in widths) + right, TABLE_BORDER_STYLE)

    bar = ("│", TABLE_BORDER_STYLE)
    lines = [border("┌", "┬", "┐")]
    for index, cells in enumerate(rows):
        if index == header_rows and index:
            lines.append(border("├", "┼", "┤"))
        wrapped = [_wrap(cell, column_width) for cell, column_width in zip(cells, widths, strict=True)]
        for line_index in range(max(map(len, wrapped))):
            parts: list[str | Content | tuple[str, str]] = [bar]
            for cell_lines, column_width, alignment in zip(wrapped, widths, alignments, strict=True):
                piece = cell_lines[line_index] if line_index < len(cell_lines) else _BLANK
                parts += [" ", _align(piece, column_width, alignment), " ", bar]
            lines.append(Content.assemble(*parts))
    lines.append(border("└", "┴", "┘"))
    return _fit(lines, width)


def _column_widths(natural: list[int], available: int) -> list[int]:
    """Natural widths if they fit in `available` cells; else the widest columns shrink (not below 3)."""
    if sum(natural) <= available:
        return natural

    def capped(cap: int) -> list[int]:
        return [min(width, cap) for width in natural]

    low, high = _MIN_COLUMN_WIDTH, max(natural)
    if sum(capped(low)) > available:
        return capped(low)
    while low < high:  # the widest cap whose columns still fit
        middle = (low + high + 1) // 2
        if sum(capped(middle)) <= available:
            low = middle
        else:
            high = middle - 1
    widths = capped(low)
    spare = available - sum(widths)
    for column, width in enumerate(natural):  # fewer cells are left than columns cut, so one each
        if spare and width > widths[column]:
            widths[column] += 1
            spare -= 1
    return widths


def _align(content: Content, width: int, alignment: str) -> Content:
    space = max(0, width - content.cell_length)
    if alignment == "right":
        return content.pad_left(space)
    if alignment == "center":
        return content.pad(space // 2, space - space // 2)
    return content.pad_right(space)


def _code_lines(code: str, language: str | None, width: int) -> list[Content]:
    """Highlighted code, padded to `width` on a background; long lines fold."""
    lines = code.removesuffix("\n").expandtabs(_TAB_SIZE).split("\n")
    rendered: list[Content] = []
    for start in range(0, len(lines), CODE_CHUNK_LINES):
        rendered.extend(_code_chunk_lines("\n".join(lines[start : start + CODE_CHUNK_LINES]), language, width))
    return rendered


@lru_cache(maxsize=1024)
def _code_chunk_lines(chunk: str, language: str | None, width: int) -> tuple[Content, ...]:
    padding = 1 if width >= 3 else 0
    inner_width = width - 2 * padding
    lines: list[Content] = []
    for line in _highlighted(chunk, language).split("\n", allow_blank=True):
        for piece in _fold(line, inner_width):
            text = f"{' ' * padding}{piece.plain}{' ' * (inner_width - piece.cell_length + padding)}"
            spans = [Span(0, len(text), CODE_BLOCK_STYLE)]
            spans += [Span(start + padding, end + padding, style) for start, end, style in piece.spans]
            lines.append(Content(text, spans, width, strip_control_codes=False))
    return tuple(lines)


@lru_cache(maxsize=1024)
def _highlighted(code: str, language: str | None) -> Content:
    """`code` with syntax colours; the text is kept exactly (the lexer's own copy is used for spans only)."""
    if language is None:
        return Content(code)
    stats.chunks_highlighted += 1
    try:
        # The trailing newline keeps `highlight` from dropping a final blank line.
        spans = highlight(code + "\n", language=language).spans
    except Exception:  # a lexer failing on hostile input must not break the answer: show it plain
        return Content(code)
    end = len(code)
    return Content(code, [Span(start, min(stop, end), style) for start, stop, style in spans if start < end])


def _references_for(source: str, references: _References) -> _References:
    """The references an inline source may use: none without a bracket (keeps memo keys shared)."""
    return references if references and "[" in source else ()


@lru_cache(maxsize=4096)
def _text_lines(source: str, references: _References, width: int, style: str) -> tuple[Content, ...]:
    """Inline markdown (a paragraph or heading) wrapped to `width`, under a base `style`."""
    content = _inline_content(source, references)
    return tuple(_wrap(content.stylize_before(style) if style else content, width))


@lru_cache(maxsize=4096)
def _inline_content(source: str, references: _References) -> Content:
    """Inline markdown as one Content; soft and hard line breaks become newlines."""
    env: dict[str, Any] = {}
    if references:
        env["references"] = {label: {"href": href, "title": title} for label, href, title in references}
    parsed = _INLINE_PARSER.parseInline(source, env)
    children = parsed[0].children if parsed and parsed[0].children else []
    return _assemble_inline(children).expand_tabs(_TAB_SIZE)


def _assemble_inline(tokens: Sequence[Token]) -> Content:
    parts: list[tuple[str, str]] = []
    styles: list[str] = []
    links: list[tuple[str, bool, int]] = []  # href, whether to show it, index of the link's first part

    def style(*extra: str) -> str:
        return " ".join([*styles, *extra])

    for token in tokens:
        kind = token.type
        if kind in _STYLE_OPENERS:
            styles.append(_STYLE_OPENERS[kind])
        elif kind == "link_open":
            # Autolinks and linkified URLs show the URL as their text already.
            links.append((str(token.attrs.get("href", "")), token.info != "auto", len(parts)))
            styles.append(LINK_STYLE)
        elif kind in _STYLE_CLOSERS:
            if styles:
                styles.pop()
            if kind == "link_close" and links:
                href, show_href, first_part = links.pop()
                if show_href and href != "".join(text for text, _ in parts[first_part:]):
                    parts.append((f" ({href})", style(MUTED_STYLE)))
        elif kind in ("softbreak", "hardbreak"):
            parts.append(("\n", ""))
        elif kind == "code_inline":
            parts.append((token.content, style(CODE_INLINE_STYLE)))
        elif kind == "image":
            alt = "".join(" " if child.type.endswith("break") else child.content for child in token.children or [])
            parts.append((f"[image: {alt}]", style(MUTED_STYLE)))
            if src := str(token.attrs.get("src", "")):
                parts.append((f" ({src})", style(MUTED_STYLE)))
        else:  # text, inline HTML (shown literally) and anything unknown
            parts.append((token.content, style()))
    return Content.assemble(*parts)


def _wrap(content: Content, width: int) -> list[Content]:
    """Word-wrap `content` to `width` cells (newlines kept, long words folded)."""
    if content.cell_length <= width and "\n" not in content.plain:
        return [content]
    return _fit(wrap(content, width), width)


def _fit(lines: list[Content], width: int) -> list[Content]:
    """Fold any line wider than `width`."""
    if all(line.cell_length <= width for line in lines):
        return lines
    return [piece for line in lines for piece in _fold(line, width)]


def _fold(line: Content, width: int) -> list[Content]:
    """Cut `line` into pieces of at most `width` cells; a character wider than `width` (only possible
    at width 1) is dropped, as it cannot be shown."""
    if line.cell_length <= width:
        return [line]
    offsets: list[int] = []
    cells = 0
    for index, character in enumerate(line.plain):
        size = get_character_cell_size(character)
        if cells and cells + size > width:
            offsets.append(index)
            cells = 0
        cells += size
    return [piece for piece in line.divide(offsets) if piece.cell_length <= width] or [_BLANK]
