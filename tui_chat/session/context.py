"""How full the model's context window is: the gauge in the metrics pane, and the warning before a send.

Pure Python. The figure is the last answer's own usage (input + output) while the prompt is empty,
and `count_tokens` of the request about to be sent while something is typed (an estimate only when
the count cannot be had).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tui_chat.session.conversation import Conversation, TurnStatus
from tui_chat.session.model_catalog import estimate_tokens

Source = Literal["none", "last answer", "counted", "estimated"]


@dataclass(frozen=True)
class ContextUsage:
    """Tokens the next request would carry, against the model's input limit."""

    tokens: int | None
    limit: int | None
    source: Source = "none"
    """`last answer`: that answer's input + output; `counted`: `count_tokens` of the draft's request;
    `estimated`: no count could be had (≈)."""

    @property
    def fraction(self) -> float | None:
        if self.tokens is None or not self.limit:
            return None
        return self.tokens / self.limit

    @property
    def over(self) -> bool:
        return self.tokens is not None and self.limit is not None and self.tokens > self.limit


def last_answer_tokens(conversation: Conversation) -> tuple[int | None, int]:
    """(input + output of the newest answer that reported its usage, index of the first turn after it)."""
    for index in range(len(conversation.turns) - 1, -1, -1):
        turn = conversation.turns[index]
        if turn.role != "assistant" or turn.replay is not None or turn.status is TurnStatus.STREAMING:
            continue
        total = turn.metrics.total_input_tokens
        if total is not None:
            return total + (turn.metrics.output_tokens or 0), index + 1
    return None, 0


def estimated_tokens(conversation: Conversation, draft: str = "", attachment_bytes: int = 0) -> int:
    """The last answer's usage plus an estimate of what came after it (the draft and its files included)."""
    known, after = last_answer_tokens(conversation)
    rest = 0
    for turn in conversation.turns[after:]:
        if turn.replay is None:
            rest += estimate_tokens(turn.text) + sum(a.encoded_size for a in turn.attachments) // 4
    return (known or 0) + rest + estimate_tokens(draft) + attachment_bytes // 4
