"""Pipe mode: `claude-tui -p PROMPT` streams one answer to standard output, with no full-screen UI.

It drives the same `ChatController` as the chat screen, with its own stream class (a `TurnRecorder`
whose handlers print), so the answer is sent, recorded, saved and ended exactly as in the app. No
Textual import on this path: the first token waits for nothing but the SDK (imported in a thread
while standard input is read and the history opened).

- `--output text` (the default) streams the answer's text as it arrives; `markdown` (the transcript's
  form of the answer) and `json` (text, content blocks, usage, metrics, error) print it at the end.
- `--events` prints every wire event as one JSON line, `{"t": ms since sent, "event": type, "data":
  ...}`, pings and `error` included, the request first (its key redacted); `--events-format text` as
  the inspector's rows. An `--output` given with `--events` is printed after them.
- `--metrics` prints the metrics pane's figures to standard error at the end.
- Exit status: 0 answered, 1 the API or the network failed (the partial answer was printed), 2 a
  usage error, 130 interrupted (Ctrl+C stops the stream and keeps what arrived).

Model output is untrusted: when standard output is a terminal no escape sequence of the model's
reaches it (control characters are removed); when it is not, the text passes through unchanged.
JSON output escapes control, C1 and bidi characters (`\\u009b`): the same JSON value, inert anywhere.
"""

from __future__ import annotations

from tui_chat.pipe.output import PipeOptions, Printer, safe_json
from tui_chat.pipe.run import PipeRun, read_prompt, run_pipe

__all__ = ["PipeOptions", "PipeRun", "Printer", "read_prompt", "run_pipe", "safe_json"]
