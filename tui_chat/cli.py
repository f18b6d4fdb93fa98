"""Command line: `claude-tui [options]`. Parses flags before importing Textual or the SDK."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui_chat import __version__


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
    parser.add_argument("--version", action="version", version=f"claude-tui {__version__}")
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
    args = build_parser().parse_args(argv)
    from tui_chat.config import load_settings

    settings = load_settings(
        model=args.model,
        max_tokens=args.max_tokens,
        system=args.system,
        base_url=args.base_url,
        demo=args.demo,
        read_timeout=args.read_timeout,
    )
    from tui_chat.config import data_dir
    from tui_chat.logs import setup_logging

    setup_logging(data_dir(), settings.secrets)
    from tui_chat.app import ClaudeTUI

    ClaudeTUI(settings).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
