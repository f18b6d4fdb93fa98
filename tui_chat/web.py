"""`claude-tui --web`: the app in a browser, served by textual-serve on 127.0.0.1 only.

textual-serve has no authentication. The server binds the loopback address only, and refuses requests whose
`Host` or `Origin` is not this server (so a web page in the user's browser cannot drive the app through
DNS rebinding or a cross-site WebSocket). Every local user and program can still connect, so the number of
app processes it runs at once is capped (`MAX_APPS`): a program opening WebSockets in a loop cannot start an
app (a Python process with the SDK loaded) for each.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual_serve.server import Server

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WEB_FLAGS = ("--web", "--port")
MAX_APPS = 4
"""App processes (browser tabs) served at once; a WebSocket beyond them is refused with 503."""
NO_AUTH_WARNING = (
    "textual-serve has NO authentication: every user and program on this machine that can reach "
    "{url} can use the app as you, with your API key and your saved conversations. "
    "It listens on 127.0.0.1 only; to use it from another machine, forward the port over SSH "
    "(ssh -L {port}:127.0.0.1:{port} HOST)."
)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 1-65535."""
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 1 and 65535")
    return value


def _web_option(token: str) -> str | None:
    """`--web` or `--port` if `token` is that option: exactly, as `--port=N`, or abbreviated (`--we`)."""
    name = token.partition("=")[0]
    matches = [flag for flag in WEB_FLAGS if len(name) > 2 and name.startswith("--") and flag.startswith(name)]
    return matches[0] if len(matches) == 1 else None


def served_arguments(arguments: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """The command line without `--web` and `--port N`; checked to parse to the same settings."""
    kept: list[str] = []
    tokens = iter(arguments)
    for token in tokens:
        option = _web_option(token)
        if option is None:
            kept.append(token)
        elif option == "--port" and "=" not in token:
            next(tokens, None)
    expected = vars(parser.parse_args(arguments)) | {"web": False, "port": None}
    if vars(parser.parse_args(kept)) != expected:
        raise ValueError("could not take --web and --port out of the command line")
    return kept


def served_command(arguments: Sequence[str]) -> str:
    """The shell command textual-serve runs for each browser tab: this app, same flags, shell-quoted."""
    return "exec " + shlex.join([sys.executable, "-m", "tui_chat", *arguments])


def serve(arguments: Sequence[str], parser: argparse.ArgumentParser, port: int | None) -> int:
    """Serve `claude-tui ARGUMENTS` (minus the web flags) at http://127.0.0.1:PORT until Ctrl+C."""
    port = DEFAULT_PORT if port is None else port
    try:
        command = served_command(served_arguments(arguments, parser))
    except ValueError as error:
        parser.error(str(error))
    try:
        server = _loopback_server(command, port)
    except ImportError as error:
        print(f"claude-tui --web needs textual-serve ({error}): pip install textual-serve", file=sys.stderr)
        return 1
    try:
        server.serve()
    except OSError as error:
        print(f"claude-tui --web: cannot listen on {HOST}:{port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0


def _loopback_server(command: str, port: int) -> Server:
    """A textual-serve `Server` on 127.0.0.1 that refuses foreign `Host`/`Origin` and ends its tabs on Ctrl+C."""
    import asyncio

    from aiohttp import web
    from textual_serve.server import Server

    from tui_chat.adapters import textual_private

    url = f"http://{HOST}:{port}"
    allowed_hosts = {f"{name}:{port}" for name in (HOST, "localhost")}
    if port == 80:  # browsers leave the default port out of Host and Origin
        allowed_hosts |= {HOST, "localhost"}
    allowed_origins = {f"http://{host}" for host in allowed_hosts}
    sessions: set[asyncio.Task[Any]] = set()

    @web.middleware
    async def same_origin_only(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if request.host not in allowed_hosts or (origin is not None and origin not in allowed_origins):
            raise web.HTTPForbidden(text="claude-tui --web: this server only answers its own pages")
        task = asyncio.current_task()
        if request.path != "/ws" or task is None:
            return await handler(request)
        if len(sessions) >= MAX_APPS:  # (checked and counted with no await between: no race)
            raise web.HTTPServiceUnavailable(
                text=f"claude-tui --web: {MAX_APPS} tabs are open already; close one and reload this page"
            )
        sessions.add(task)  # one browser tab, one app process
        try:
            return await handler(request)
        finally:
            sessions.discard(task)

    class LoopbackServer(Server):
        async def on_startup(self, app: web.Application) -> None:
            await super().on_startup(app)
            print("WARNING: " + NO_AUTH_WARNING.format(url=url, port=port), flush=True)

        async def on_shutdown(self, app: web.Application) -> None:
            """Ctrl+C: end every tab's session (its app quits) rather than wait for the browsers to leave."""
            for task in sessions:
                task.cancel()
            if sessions:
                await asyncio.wait(set(sessions), timeout=10)

    server = LoopbackServer(command, host=HOST, port=port, title="claude-tui")
    textual_private.add_middleware(server, same_origin_only)
    return server
