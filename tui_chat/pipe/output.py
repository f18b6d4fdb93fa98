"""What pipe mode prints, and how it stays safe for a terminal and free of secrets (see `tui_chat.pipe`)."""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TextIO

from tui_chat.safety import redact, sanitize, sanitize_line

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic


OutputFormat = Literal["text", "markdown", "json"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
EXIT_BROKEN_PIPE = 141

SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie"})
"""Request headers whose value is never printed."""

_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def safe_json(value: Any) -> str:
    """`value` as one line of JSON that no terminal can act on: control characters are escaped by JSON
    itself, and DEL, C1, bidi and zero-width characters (legal raw in JSON) are escaped here too."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


@dataclass(frozen=True)
class PipeOptions:
    events: bool = False
    events_format: Literal["json", "text"] = "json"
    output: OutputFormat | None = None
    """None: stream the text, unless `events` (then the events alone)."""
    metrics: bool = False
    approve_tools: tuple[str, ...] | None = None
    """Tools whose calls run without asking (`("*",)`: all); None refuses every call (no one to ask)."""

    @property
    def streams_text(self) -> bool:
        return not self.events and self.output in (None, "text")

    @property
    def final_output(self) -> OutputFormat | None:
        """What is printed once the answer has ended (None: nothing, it streamed)."""
        if self.events:
            return self.output
        return None if self.output in (None, "text") else self.output


class Printer:
    """Standard output and standard error, made safe for a terminal when they are one."""

    def __init__(self, out: TextIO, err: TextIO, secrets: list[str]) -> None:
        self.out = out
        self.err = err
        self.secrets = secrets
        self.out_is_terminal = _is_terminal(out)
        self.err_is_terminal = _is_terminal(err)
        self.broken = False
        """Standard output was closed by its reader (`| head`): nothing more is written to it."""
        self.on_broken: list[Any] = []
        self._last_char = "\n"

    def text(self, text: str) -> None:
        """Model text, as it arrives: unchanged into a pipe or file, without control characters into a terminal."""
        self._write(sanitize(text) if self.out_is_terminal else text)

    def line(self, text: str) -> None:
        """A line of our own making (JSON, an inspector row), already safe."""
        self._write(text + "\n")

    def end_text(self) -> None:
        """End the streamed text with a newline if it lacks one."""
        if self._last_char != "\n":
            self._write("\n")

    def error(self, text: str) -> None:
        """A message on standard error (one line, no control characters, no secret)."""
        with contextlib.suppress(OSError, ValueError):
            self.err.write(f"claude-tui: {redact(sanitize_line(text), self.secrets)}\n")
            self.err.flush()

    def metrics(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.err.write(redact(sanitize_line(text), self.secrets) + "\n")
            self.err.flush()

    def _write(self, text: str) -> None:
        if self.broken or not text:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.broken = True
            _silence_stdout(self.out)
            for callback in self.on_broken:
                callback()
            return
        self._last_char = text[-1]


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _silence_stdout(stream: TextIO) -> None:
    """After EPIPE: point the descriptor at /dev/null, so Python's final flush cannot fail noisily."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


# ------------------------------------------------------------------------------- the request
def request_description(client: AsyncAnthropic, params: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
    """The request a stream sends: method, URL, headers (the key never shown) and JSON body."""
    headers = {str(name): str(value) for name, value in client.default_headers.items()}
    headers.update({str(k): str(v) for k, v in (params.get("extra_headers") or {}).items()})
    for name in headers:
        if name.lower() in SECRET_HEADERS:
            headers[name] = "[REDACTED]"
    body = {key: value for key, value in params.items() if not key.startswith("extra_")}
    body.update(params.get("extra_body") or {})
    body["stream"] = True
    url = f"{str(client.base_url).rstrip('/')}/v1/messages"
    request: dict[str, Any] = redacted({"method": "POST", "url": url, "headers": headers, "body": body}, secrets)
    return request


def redacted(value: Any, secrets: list[str]) -> Any:
    """`value` with every secret replaced in its strings (recursively)."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {key: redacted(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redacted(item, secrets) for item in value]
    return value


# -------------------------------------------------------------------------------- running it
