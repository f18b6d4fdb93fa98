"""Words for searching saved conversations: the query language, what is indexed, and the matching line.

Pure Python (no SDK, no Textual). The store keeps an SQLite FTS5 index of every message and answer
(`store.ConversationStore.search`); this module turns what a person typed into an FTS5 query and
finds, in a message, the line to show under a result, with the spans to highlight.

The query: words, all of which must occur (in any order, any case, accents ignored); `"two words"`
in double quotes for a phrase. Chinese, Japanese and Korean text is indexed a character at a time,
so any run of those characters is found inside longer ones (`ストリーミング` in `ストリーミングでは`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tui_chat.safety import sanitize_line

_CJK = re.compile(
    "([\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f])"
)
"""Characters of scripts written without spaces (CJK ideographs, kana, hangul): indexed one by one."""

_TERM = re.compile(r'"([^"]*)"?|(\S+)')
_TOKEN = re.compile(r"[^\W_]+")
"""What FTS5's unicode61 tokenizer keeps as a token: letters and digits (an underscore separates)."""

LINE_WIDTH = 160
"""Characters of a matching line shown; a longer line is cut around its first match."""


def index_form(text: str) -> str:
    """The text as it is given to the index: CJK characters spaced apart, so each is a token."""
    if not _CJK.search(text):
        return text
    return _CJK.sub(r" \1 ", text)


def query_terms(query: str) -> list[str]:
    """The terms of a query as typed: words, and phrases in double quotes (an unclosed quote runs to the end)."""
    terms: list[str] = []
    for match in _TERM.finditer(query):
        phrase, word = match.groups()
        term = (phrase if phrase is not None else word or "").strip()
        if term and _TOKEN.search(term):
            terms.append(term)
    return terms


def fts_query(query: str, *, prefix_last: bool = False) -> str | None:
    """The FTS5 query for what was typed (None when there is nothing to search for).

    Each term becomes a quoted phrase of its tokens, so nothing typed is read as FTS5 syntax (`AND`,
    `NEAR`, `*`, `:` are words like any other). With `prefix_last` (searching as you type) the last
    term also matches longer words: `strea` finds `streaming`."""
    phrases: list[str] = []
    terms = query_terms(query)
    open_ended = prefix_last and not query.endswith((" ", '"'))  # a space or a closing quote ends the word
    for number, term in enumerate(terms, 1):
        tokens = _TOKEN.findall(index_form(term))
        if not tokens:
            continue
        phrase = '"' + " ".join(tokens) + '"'
        if open_ended and number == len(terms):
            phrase += "*"
        phrases.append(phrase)
    return " ".join(phrases) or None


def term_pattern(query: str) -> re.Pattern[str] | None:
    """A pattern that finds every term of the query in displayed text (any case), longest first."""
    terms = sorted(query_terms(query), key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MatchingLine:
    """The line of a message to show under a search result, and the spans of it to highlight."""

    text: str
    spans: tuple[tuple[int, int], ...]


def matching_line(text: str, query: str, width: int = LINE_WIDTH) -> MatchingLine:
    """The first line of `text` where a term of `query` occurs (else its first line that is not blank),
    made one safe line (control characters out) and cut to about `width` characters around the match."""
    pattern = term_pattern(query)
    lines = [line for line in text.splitlines() if line.strip()]
    chosen = lines[0] if lines else ""
    if pattern is not None:
        for line in lines:
            if pattern.search(line):
                chosen = line
                break
    line = sanitize_line(chosen).strip()
    first = pattern.search(line) if pattern is not None else None
    if len(line) > width:
        start = 0 if first is None else max(0, first.start() - width // 3)
        end = min(len(line), start + width)
        start = max(0, end - width)
        line = ("…" if start else "") + line[start:end].strip() + ("…" if end < len(line) else "")
    spans = tuple(match.span() for match in pattern.finditer(line)) if pattern is not None else ()
    return MatchingLine(line, spans)


_RELATIVE = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A moment given as a date (`2025-05-01`), a date and time (`2025-05-01T14:00`, local time), `today`,
    `yesterday`, or an age: `30m`, `12h`, `7d`, `2w`. Raises ValueError for anything else."""
    now = now or datetime.now(UTC)
    value = text.strip().lower()
    local_now = now.astimezone()
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    if value == "today":
        return midnight
    if value == "yesterday":
        return midnight - timedelta(days=1)
    relative = _RELATIVE.match(value)
    if relative is not None:
        amount, unit = int(relative.group(1)), relative.group(2)
        step = {
            "m": timedelta(minutes=1),
            "min": timedelta(minutes=1),
            "h": timedelta(hours=1),
            "d": timedelta(days=1),
            "w": timedelta(weeks=1),
        }[unit]
        return now - amount * step
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date: give 2025-05-01, 2025-05-01T14:00, today, yesterday, or an age like 12h, 7d, 2w"
        ) from None
    return moment if moment.tzinfo is not None else moment.astimezone()
