"""Whether a tool call may run: asked for each call before it runs, by a pluggable policy.

The chat screen asks the user (y = run, a = always for this tool in this conversation, n = refuse with
a reason the model sees, Esc = stop); a non-interactive driver (the pipe mode, a test) passes a policy
that answers by itself. Pure Python: no Textual, no SDK.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from tui_chat.session.conversation import Turn


class Decision(StrEnum):
    RUN = "run"
    ALWAYS = "always"
    """Run it, and every later call of the same tool in this conversation without asking."""
    REFUSE = "refuse"
    """Do not run it: the model gets an error result saying so (with the user's reason)."""
    STOP = "stop"
    """Stop the turn here: nothing is run or sent (the calls can be answered later: /continue)."""


@dataclass(frozen=True)
class Approval:
    decision: Decision
    reason: str = ""
    """Why the user refused (sent to the model), for `REFUSE`."""


@dataclass(frozen=True)
class ApprovalRequest:
    """One tool call waiting for a decision: what the model asked for, shown as it streamed."""

    tool_id: str
    name: str
    where: str
    """`built-in`, or `MCP server NAME`."""
    description: str
    input_json: str
    """The call's input, pretty-printed and sanitized."""
    position: int
    """1 for the first call of the answer…"""
    count: int
    """…of this many calls answered together."""
    turn: Turn
    """The answer that asked."""


ApprovalPolicy = Callable[[ApprovalRequest], Awaitable[Approval]]
"""Decides each call (may wait: the chat screen waits for a key)."""


def approve_tools(names: Iterable[str] | None = None) -> ApprovalPolicy:
    """A policy that runs the tools named (every tool with None) and refuses the others, without asking."""
    allowed = None if names is None else frozenset(names)

    async def decide(request: ApprovalRequest) -> Approval:
        if allowed is None or request.name in allowed:
            return Approval(Decision.RUN)
        return Approval(Decision.REFUSE, "This tool is not allowed in this session.")

    return decide


async def refuse_all(request: ApprovalRequest) -> Approval:
    """The safe non-interactive policy: nothing runs; the model is told the user did not allow it."""
    return Approval(Decision.REFUSE, "Tools cannot be approved here (no one to ask).")


def refusal_text(reason: str) -> str:
    """The `tool_result` the model reads when the user refused a call."""
    text = "The user refused to run this tool call."
    reason = reason.strip()
    return f"{text} Their reason: {reason}" if reason else text
