"""Command line: `claude-tui [options]`. Parses flags before importing Textual or the SDK."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui_chat import __version__
from tui_chat.controls import EFFORT_LEVELS, THINKING_CHOICES, RequestControls
from tui_chat.web import DEFAULT_PORT, port_number

if TYPE_CHECKING:
    from tui_chat.config import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-tui",
        description="Chat with Claude in the terminal and watch the streaming protocol as it happens.",
        epilog=(
            "The API key comes from ANTHROPIC_API_KEY in the environment, a .env file in the current "
            "directory, or a .env in the user config directory. ANTHROPIC_BASE_URL points it at a gateway."
        ),
    )
    parser.add_argument("--demo", action="store_true", help="talk to the built-in demo server (no API key needed)")
    parser.add_argument("--model", help="model id (default: claude-sonnet-5-5, or CLAUDE_TUI_MODEL)")
    parser.add_argument("--max-tokens", type=_positive_int, help="maximum output tokens per answer (default 4096)")
    parser.add_argument("--system", help="system prompt")
    parser.add_argument("--base-url", help="API base URL (default: ANTHROPIC_BASE_URL or https://api.anthropic.com)")
    parser.add_argument(
        "--read-timeout",
        type=_positive_float,
        help="seconds without data before a stream is given up (default 60; CLAUDE_TUI_READ_TIMEOUT)",
    )
    controls = parser.add_argument_group("what each request asks for (see README, Controls; /thinking etc. in the app)")
    controls.add_argument(
        "--thinking",
        choices=THINKING_CHOICES,
        help="adaptive thinking shown summarized, omitted (signature only), or off (default: the model's own)",
    )
    controls.add_argument(
        "--effort", choices=EFFORT_LEVELS, help="output_config.effort (default: the model's own effort)"
    )
    controls.add_argument("--search", action="store_true", help="offer the web search and web fetch server tools")
    controls.add_argument("--code-exec", action="store_true", help="offer the code execution server tool")
    controls.add_argument(
        "--no-cache", action="store_true", help="no prompt caching (cache_control marks are sent by default)"
    )
    controls.add_argument(
        "--tools",
        action="store_true",
        help="offer claude-tui's tools (time, calculator, read-only files here, MCP servers of config.toml); "
        "each call asks you first",
    )
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument(
        "-c", "--continue", dest="resume_last", action="store_true", help="open the most recent conversation"
    )
    resume.add_argument("--resume", metavar="ID", help="open a saved conversation (an id or a unique prefix of one)")
    parser.add_argument("--no-history", action="store_true", help="do not save conversations")
    parser.add_argument(
        "--low-bandwidth",
        action="store_true",
        help="for slow links: fewer frames a second, each written only once the terminal has shown the last "
        "(on by default over SSH; the low_bandwidth preference remembers a choice)",
    )
    parser.add_argument(
        "--web",
        action="store_true",
        help="serve the app in a browser at http://127.0.0.1:PORT (textual-serve; NO authentication: "
        "every user and program on this machine can connect)",
    )
    parser.add_argument("--port", type=port_number, help=f"port for --web (default {DEFAULT_PORT})")
    parser.add_argument("--version", action="version", version=f"claude-tui {__version__}")
    pipe = parser.add_argument_group(
        "pipe mode",
        "No full-screen UI: the answer streams to standard output. Exit status 0 answered, 1 the API or the "
        "network failed, 2 usage error, 130 interrupted (Ctrl+C keeps what arrived).",
    )
    pipe.add_argument(
        "-p",
        "--print",
        dest="prompt",
        nargs="?",
        const="",
        metavar="PROMPT",
        help="send PROMPT and print the answer; standard input, when it is not a terminal, goes before it "
        '(git diff | claude-tui -p "review this")',
    )
    pipe.add_argument(
        "--events",
        action="store_true",
        help='print every wire event as a JSON line {"t": ms, "event": type, "data": ...}, the request first',
    )
    pipe.add_argument(
        "--events-format",
        choices=("json", "text"),
        help="json (default), or text: one row per event as the inspector shows it (implies --events)",
    )
    pipe.add_argument(
        "--output",
        choices=("text", "markdown", "json"),
        help="the answer as text (default, streamed), markdown (as the transcript writes it) or json (at the end)",
    )
    pipe.add_argument("--metrics", action="store_true", help="print the metrics pane's figures to standard error")
    pipe.add_argument(
        "--approve-tools",
        metavar="NAMES",
        help="with --tools: run these tools' calls without asking (comma-separated names, or 'all'); "
        "without it every tool call is refused (there is no one to ask) and the model is told so",
    )
    parser.epilog = (parser.epilog or "") + (
        " Other commands: claude-tui replay [FILE] (replay a recorded stream), claude-tui list [-q WORDS] "
        "(saved conversations, or a search of every message), claude-tui export ID [-o PATH] [--json] (a saved "
        "conversation as markdown)."
    )
    return parser


def build_export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claude-tui export", description="Export a saved conversation.")
    parser.add_argument("id", help="the conversation's id, or a unique prefix (see: claude-tui list)")
    parser.add_argument("-o", "--output", help="where to write it (default: a timestamped file here)")
    parser.add_argument("--json", action="store_true", help="the API-ready messages as JSON instead of markdown")
    parser.add_argument("--no-metrics", action="store_true", help="leave out the per-turn timing and token lines")
    parser.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    return parser


def build_replay_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-tui replay",
        description=(
            "Replay a recorded stream (.sse) through the same stream class and panes as a live answer. "
            "Offline: no API key needed. Without FILE, pick one of the shipped examples."
        ),
    )
    parser.add_argument("file", nargs="?", help="a .sse recording, or the name of a shipped example")
    parser.add_argument(
        "--speed", type=_positive_float, default=1.0, help="timing scale: 2 plays twice as fast (default 1)"
    )
    parser.add_argument("--step", action="store_true", help="one event per keypress (n: next, c: the rest)")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["replay"]:
        return replay(arguments[1:])
    if arguments[:1] == ["list"]:
        return list_conversations(arguments[1:])
    if arguments[:1] == ["export"]:
        return export(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    if args.port is not None and not args.web:
        parser.error("--port needs --web")
    pipe_flags = [flag for flag, given in _pipe_flags(args) if given]
    if args.prompt is None and pipe_flags:
        parser.error(f"{pipe_flags[0]} needs -p (pipe mode)")
    if args.prompt is not None and args.web:
        parser.error("-p and --web do not go together")
    if args.web:
        from tui_chat.web import serve

        return serve(arguments, parser, args.port)
    from tui_chat.config import ConfigError

    try:
        settings = settings_from_args(args)
    except ConfigError as error:
        print(f"claude-tui: {error}", file=sys.stderr)
        return 2
    if args.prompt is not None:
        return run_pipe(settings, args)
    return run_app(settings)


def _pipe_flags(args: argparse.Namespace) -> list[tuple[str, bool]]:
    return [
        ("--events", args.events),
        ("--events-format", args.events_format is not None),
        ("--output", args.output is not None),
        ("--metrics", args.metrics),
        ("--approve-tools", args.approve_tools is not None),
    ]


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings the flags ask for (over the environment and `.env`): the same for the app and `-p`.
    Raises `ConfigError` for settings that cannot be used (an API key with a line break)."""
    from tui_chat.config import load_settings

    settings = load_settings(
        model=args.model,
        max_tokens=args.max_tokens,
        system=args.system,
        base_url=args.base_url,
        demo=args.demo,
        read_timeout=args.read_timeout,
    )
    settings.no_history = args.no_history
    settings.low_bandwidth = args.low_bandwidth
    settings.controls = controls_from(args)
    if args.resume_last:
        settings.resume = ""
    elif args.resume:
        settings.resume = args.resume
    return settings


def run_pipe(settings: Settings, args: argparse.Namespace) -> int:
    """`claude-tui -p`: one answer to standard output, without Textual (see `tui_chat.pipe`)."""
    from tui_chat.config import data_dir
    from tui_chat.logs import setup_logging
    from tui_chat.pipe import PipeOptions, run_pipe

    setup_logging(data_dir(), settings.secrets)
    options = PipeOptions(
        events=args.events or args.events_format is not None,
        events_format=args.events_format or "json",
        output=args.output,
        metrics=args.metrics,
        approve_tools=_tool_names(args.approve_tools),
    )
    return run_pipe(settings, args.prompt, options)


def _tool_names(text: str | None) -> tuple[str, ...] | None:
    """`--approve-tools`: None (refuse every call), ("*",) for all, or the names given."""
    if text is None:
        return None
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    return ("*",) if "all" in names or "*" in names else names


def build_list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-tui list",
        description="List saved conversations, newest first; with -q, search every message and answer.",
        epilog=(
            'Search: every word must occur in one message (any case, accents ignored); "two words" in quotes '
            "for a phrase. Best matches first, each with its matching line."
        ),
    )
    parser.add_argument("-q", "--query", nargs="+", metavar="WORD", help="search for these words")
    parser.add_argument(
        "--since", metavar="WHEN", help="only conversations updated since: 2025-05-01, today, yesterday, 12h, 7d, 2w"
    )
    parser.add_argument("--model", help="only conversations whose model contains this (e.g. sonnet)")
    parser.add_argument("-n", "--limit", type=_positive_int, help="at most this many (default: all; 20 for -q)")
    return parser


def controls_from(args: argparse.Namespace) -> RequestControls:
    """The request controls new conversations start with (`--thinking`, `--effort`, `--search`, ...)."""
    return RequestControls(
        thinking=args.thinking or "default",
        effort=args.effort,
        web=args.search,
        code_execution=args.code_exec,
        cache=not args.no_cache,
        tools=args.tools,
    )


def list_conversations(arguments: list[str]) -> int:
    """`claude-tui list [-q WORDS] [--since WHEN] [--model NAME]`: saved conversations, or a search of them."""
    parser = build_list_parser()
    args = parser.parse_args(arguments)
    from tui_chat.config import data_dir
    from tui_chat.safety import error_line, untrusted_line
    from tui_chat.session.search import parse_since
    from tui_chat.session.store import ConversationStore, StoreError

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as error:
        parser.error(str(error))
    query = " ".join(args.query or [])
    if args.query is not None and not query.strip():
        parser.error("-q needs a word to search for")
    try:
        with ConversationStore(data_dir()) as store:
            if args.query is not None:
                hits = store.search(query, limit=args.limit or 20, since=since, model=args.model)
                summaries = [hit.conversation for hit in hits]
            else:
                hits = []
                summaries = store.list_conversations(args.limit, since=since, model=args.model)
    except StoreError as error:
        print(f"claude-tui list: {error_line(error)}", file=sys.stderr)
        return 1
    if not summaries:
        filtered = args.query is not None or since is not None or args.model
        print("Nothing matches." if filtered else "No saved conversations yet.")
        return 0
    emphasis = ("\x1b[1m", "\x1b[22m") if sys.stdout.isatty() else ("", "")
    for position, summary in enumerate(summaries):
        title = untrusted_line(summary.title) or "(untitled)"
        model = untrusted_line(summary.model) + (" (replay)" if summary.replay else "")
        ident = untrusted_line(summary.id)
        print(f"{ident}  {summary.when}  {summary.turn_count:>4} msgs  {model:<20}  {title}")
        if summary.unreadable:
            print(f"claude-tui list: {ident}: could not read {summary.unreadable}", file=sys.stderr)
        if hits:
            hit = hits[position]
            who = "You" if hit.role == "user" else "Claude"
            print(f"    {who}: {_emphasized(hit.line.text, hit.line.spans, *emphasis)}")
    return 0


def _emphasized(text: str, spans: Sequence[tuple[int, int]], start: str, end: str) -> str:
    """`text` (already one safe line) with `spans` wrapped in `start` and `end`."""
    if not start:
        return text
    parts: list[str] = []
    done = 0
    for first, last in spans:
        parts += [text[done:first], start, text[first:last], end]
        done = last
    parts.append(text[done:])
    return "".join(parts)


def export(arguments: list[str]) -> int:
    """`claude-tui export ID [-o PATH] [--json]`: a saved conversation to a file."""
    args = build_export_parser().parse_args(arguments)
    from pathlib import Path

    from tui_chat.config import data_dir
    from tui_chat.safety import error_line
    from tui_chat.session.export import (
        ExportError,
        conversation_to_api_json,
        conversation_to_markdown,
        default_export_name,
        write_export,
    )
    from tui_chat.session.store import ConversationStore, StoreError

    try:
        with ConversationStore(data_dir()) as store:
            conversation = store.load(store.find(args.id))
    except (StoreError, LookupError) as error:
        print(f"claude-tui export: {error_line(error)}", file=sys.stderr)
        return 1
    for note in conversation.load_notes:  # what could not be read (marked in the export)
        print(f"claude-tui export: could not read {note}", file=sys.stderr)
    if args.json:
        data, kind = conversation_to_api_json(conversation), "json"
    else:
        data, kind = conversation_to_markdown(conversation, include_metrics=not args.no_metrics), "markdown"
    try:
        path = Path(args.output) if args.output else Path.cwd() / default_export_name(kind)
    except OSError:  # (the current folder was deleted)
        print("claude-tui export: the current folder no longer exists; give a full path with -o.", file=sys.stderr)
        return 1
    try:
        written = write_export(path, data, overwrite=args.force)
    except (ExportError, FileExistsError) as error:
        print(f"claude-tui export: {error_line(error)}", file=sys.stderr)
        return 1
    print(written)
    return 0


def replay(arguments: list[str]) -> int:
    """`claude-tui replay [FILE] [--speed X] [--step]`: the app in demo mode, replaying at start."""
    args = build_replay_parser().parse_args(arguments)
    from tui_chat.config import load_settings

    settings = load_settings(demo=True)
    if args.file:
        from tui_chat.session.recording import find_recording

        try:
            find_recording(args.file)
        except (OSError, FileNotFoundError) as error:
            from tui_chat.safety import error_line

            print(f"claude-tui replay: {error_line(error)}", file=sys.stderr)
            return 2
    settings.replay = args.file or ""
    settings.replay_speed = args.speed
    settings.replay_step = args.step
    return run_app(settings)


def run_app(settings: Settings) -> int:
    from tui_chat.config import data_dir
    from tui_chat.logs import setup_logging

    setup_logging(data_dir(), settings.secrets)
    from tui_chat.app import ClaudeTUI

    app = ClaudeTUI(settings)
    app.run()
    for note in app.exit_notes:
        print(note, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
