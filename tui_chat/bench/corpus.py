"""A big history for the search benchmark: thousands of saved conversations of plausible text.

Words follow Zipf's law over a 30,000-word vocabulary (a few words are in almost every message, most
are rare), as in real writing, so the queries range from "in half the messages" to "in three". The
same conversations on every run (seeded).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache

from tui_chat.session.conversation import Block, Conversation, TurnStatus

VOCABULARY_SIZE = 30_000
_COMMON_WORDS = (
    "the of and to a in is it you that for on with as this be are was but not what can at by have from or "
    "an they which one all there if so more when will do how about use stream token answer model request"
)
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


@cache
def vocabulary(size: int = VOCABULARY_SIZE) -> list[str]:
    """`size` distinct words, the most frequent first: common English, then made-up words."""
    words = list(dict.fromkeys(_COMMON_WORDS.split(" ")))
    rng = random.Random("vocabulary")
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Writer:
    """Sentences of Zipf-distributed words."""

    def __init__(self, seed: str = "corpus") -> None:
        self.words = list(vocabulary())
        self.cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(self.words) + 1)))
        self.rng = random.Random(seed)

    def text(self, words: int) -> str:
        picked = self.rng.choices(self.words, cum_weights=self.cumulative, k=words)
        sentences: list[str] = []
        position = 0
        while position < len(picked):
            length = self.rng.randint(6, 18)
            sentences.append(" ".join(picked[position : position + length]).capitalize() + ".")
            position += length
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        return "\n\n".join(paragraphs)


def conversations(count: int, messages: int, *, model: str = "claude-sonnet-5-5") -> Iterator[Conversation]:
    """`count` finished conversations of `messages` messages each (questions and answers alternating),
    updated over the last year."""
    writer = Writer()
    rng = writer.rng
    now = datetime(2026, 1, 1, tzinfo=UTC)
    models = [model, "claude-haiku-4-5", "claude-opus-4-1"]
    for number in range(count):
        conversation = Conversation(model=models[number % len(models)], conversation_id=f"bench{number:07d}")
        conversation.created = now - timedelta(minutes=number * 260)
        for position in range(messages):
            if position % 2 == 0:
                conversation.add_user(writer.text(rng.randint(8, 40)))
            else:
                turn = conversation.start_assistant()
                text = writer.text(rng.randint(40, 220))
                turn.blocks = [Block(0, "text", text, complete=True)]
                turn.api_content = [{"type": "text", "text": text}]
                turn.status = TurnStatus.COMPLETE
        yield conversation


def queries() -> list[str]:
    """Searches of every kind: common and rare words, several words, a phrase, a prefix (as typed)."""
    words = vocabulary()
    return [
        "stream",
        "token answer",
        words[60],
        words[200],
        words[1_000],
        words[5_000],
        words[20_000],
        f"{words[80]} {words[3_000]}",
        f"{words[150]} {words[400]} {words[900]}",
        f'"{words[0]} {words[40]}"',
        words[2_500][:3],
        words[12_000][:4],
        "nothingmatchesthis",
    ]
