"""The chat controller on the demo server without any UI, and every report it made."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tui_chat.config import Settings
from tui_chat.demo.server import DemoModel, DemoServer
from tui_chat.session import reports
from tui_chat.session.approval import ApprovalRequest
from tui_chat.session.backend import Backend
from tui_chat.session.controller import ChatController
from tui_chat.session.conversation import Turn, TurnStatus
from tui_chat.session.history import History


class Driver:
    """A controller on the demo server, and every report it made, in order."""

    def __init__(self, controller: ChatController, log: list[reports.Report]) -> None:
        self.controller = controller
        self.log = log

    def of(self, kind: type[Any]) -> list[Any]:
        return [report for report in self.log if isinstance(report, kind)]

    def notices(self) -> list[str]:
        return [notice.text for notice in self.of(reports.Notice)]

    async def until(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, "timed out"
            await asyncio.sleep(0.01)


@asynccontextmanager
async def driver(
    tmp_path: Path | None = None,
    *,
    pace: float = 0,
    tokens_per_second: float | None = None,
    models: list[DemoModel] | None = None,
    **options: Any,
) -> AsyncIterator[Driver]:
    settings = Settings(demo=True, no_history=tmp_path is None)
    server = DemoServer(pace=pace, tokens_per_second=tokens_per_second, models=models)
    backend = Backend(settings, demo_server=server)
    log: list[reports.Report] = []
    history = History(tmp_path, secrets=settings.secrets, notify=log.append)
    history.open_store()
    controller = ChatController(backend, report=log.append, history=history, **options)
    try:
        yield Driver(controller, log)
    finally:
        await controller.aclose()
        await backend.aclose()


def messages_bodies(d: Driver) -> list[dict[str, Any]]:
    server = d.controller.backend.demo.server  # type: ignore[union-attr]
    return [request.body for request in server.requests if request.path == "/v1/messages"]


def server_of(d: Driver) -> DemoServer:
    demo = d.controller.backend.demo
    assert demo is not None
    return demo.server


async def answer_to(d: Driver, text: str) -> Turn:
    assert await d.controller.send(text), d.notices()
    await d.controller.wait()
    answer = d.controller.conversation.turns[-1]
    assert answer.status is TurnStatus.COMPLETE, answer.error
    return answer


async def approval_request(d: Driver, count: int = 1) -> ApprovalRequest:
    """Wait for the `count`-th approval prompt."""
    await d.until(lambda: len(d.of(reports.ApprovalNeeded)) >= count)
    return d.of(reports.ApprovalNeeded)[count - 1].request


def answers(d: Driver) -> list[Turn]:
    return [t for t in d.controller.conversation.turns if t.role == "assistant"]
