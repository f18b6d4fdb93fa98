"""What the chat controller reports to whoever drives it (the chat screen, the pipe mode, a test).

Each report is a value: the screen renders it, the pipe mode prints what it needs, a test collects
them in a list. None carries a widget or a callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tui_chat.attachments import Attachment
from tui_chat.session.approval import ApprovalRequest
from tui_chat.session.context import ContextUsage
from tui_chat.session.conversation import Conversation, Turn
from tui_chat.session.model_catalog import ModelChoice
from tui_chat.session.ttft import TtftExperiment

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class Notice:
    """Something to tell the user (plain text, never markup)."""

    text: str
    severity: Severity = "information"
    title: str = ""
    timeout: float | None = None


@dataclass(frozen=True)
class PromptText:
    """Put this text in the prompt: a send that could not go (nothing typed is lost), or a message to edit."""

    text: str


@dataclass(frozen=True)
class UserTurnAdded:
    turn: Turn


@dataclass(frozen=True)
class AnswerStarted:
    """An assistant turn was created; its request is about to be sent."""

    turn: Turn
    step: bool = False
    """A replay that sends one event per keypress."""


@dataclass(frozen=True)
class ApprovalNeeded:
    """A tool call waits for the user's decision: answer it with `ChatController.answer_approval`."""

    request: ApprovalRequest


@dataclass(frozen=True)
class ToolsRunning:
    """The tool results of an answer are being made (`turn`, role `tool`; its blocks fill in as calls end).
    Reported again each time one ends, and once more when all have: then `done`."""

    turn: Turn
    done: bool = False


@dataclass(frozen=True)
class ToolInfo:
    """One tool as `/tools` lists it."""

    name: str
    where: str
    description: str


@dataclass(frozen=True)
class ToolsListed:
    """What `/tools` shows: whether tools are on, every tool, and each MCP server's state."""

    enabled: bool
    tools: tuple[ToolInfo, ...]
    servers: tuple[tuple[str, str, str | None], ...]
    """(name, command or URL, why it cannot be used — None when it runs)."""


@dataclass(frozen=True)
class AnswerEnded:
    """The answer is over (see `turn.status`), and saved.

    `started` is False when its stream never ran (the client could not be built, or it was stopped
    first): nothing told the answer's widgets that it ended, so the UI must."""

    turn: Turn
    started: bool = True


@dataclass(frozen=True)
class TurnsRemoved:
    """These turns left the conversation (a retry replaces an answer; an edit drops what followed)."""

    turn_ids: frozenset[int]


@dataclass(frozen=True)
class ConversationShown:
    """Another conversation is the current one: a new, empty one, or a saved one opened."""

    conversation: Conversation
    opened: bool


@dataclass(frozen=True)
class SettingsChanged:
    """The model, the system prompt, the request controls or where requests go changed (the top bar shows them)."""


@dataclass(frozen=True)
class ModelsSuggested:
    """After a 404: the models this key can use, for a note under the failed answer."""

    turn: Turn
    models: list[ModelChoice]


@dataclass(frozen=True)
class TtftStarted:
    key: int
    model: str
    prompt: str


@dataclass(frozen=True)
class TtftFinished:
    key: int
    experiment: TtftExperiment


@dataclass(frozen=True)
class CopyRequested:
    """Put `text` on the clipboard (the UI writes OSC 52); `fallback` is the file it was also written to, or
    `problem` says why it could not be."""

    text: str
    what: str
    fallback: Path | None
    problem: str = ""


@dataclass(frozen=True)
class AttachmentsChanged:
    """The files that go with the next message (the prompt shows them)."""

    attachments: tuple[Attachment, ...]


@dataclass(frozen=True)
class ContextChanged:
    """How full the context window is (the metrics pane's gauge)."""

    usage: ContextUsage


Report = (
    Notice
    | PromptText
    | UserTurnAdded
    | AnswerStarted
    | ApprovalNeeded
    | ToolsRunning
    | ToolsListed
    | AnswerEnded
    | TurnsRemoved
    | ConversationShown
    | SettingsChanged
    | ModelsSuggested
    | TtftStarted
    | TtftFinished
    | CopyRequested
    | AttachmentsChanged
    | ContextChanged
)
