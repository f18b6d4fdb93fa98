"""Pipe mode (`claude-tui -p`): the chat controller without Textual, printing the answer or its events.

In-process runs (the real SDK over loopback against the demo server) check each output format and every
demo scenario; real subprocesses check the exit statuses, standard input, Ctrl+C and a pseudo-terminal.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tests.support.pty import PtyApp, demo_env
from tests.support.requests import unmarked
from tui_chat.config import Secret, Settings
from tui_chat.demo.scenarios import SCENARIOS
from tui_chat.demo.server import DemoServer, DemoThread
from tui_chat.pipe import PipeOptions, PipeRun, Printer, safe_json
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.store import ConversationStore

SECRET = "sk-ant-" + "api03-pipe-test-secret-0123456789"


class Captured(io.StringIO):
    """Standard output or error as a test sees it; `terminal` makes it claim to be one."""

    def __init__(self, *, terminal: bool = False) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


class Run:
    def __init__(self, status: int, out: str, err: str) -> None:
        self.status, self.out, self.err = status, out, err

    @property
    def events(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.out.splitlines()]


async def pipe(
    prompt: str,
    *,
    data: Path | None = None,
    stdin: str = "",
    terminal: bool = False,
    settings: Settings | None = None,
    **options: object,
) -> Run:
    """One pipe-mode run in this process: the demo server (no pauses), `prompt` as the -p argument."""
    settings = settings or Settings(demo=True, no_history=data is None)
    out, err = Captured(terminal=terminal), Captured()
    stdin_stream = io.StringIO(stdin)
    run = PipeRun(settings, Printer(out, err, settings.secrets), PipeOptions(**options), stdin=stdin_stream)  # type: ignore[arg-type]
    if data is not None:
        run.controller.history.directory = data
    run.backend._demo_server = DemoServer(pace=0)
    status = await run.run(prompt)
    return Run(status, out.getvalue(), err.getvalue())


# --- outputs ---------------------------------------------------------------------------------------


async def test_text_streams_the_answer_and_saves_the_conversation(tmp_path: Path) -> None:
    run = await pipe("hello", data=tmp_path)
    assert run.status == 0 and run.err == ""
    assert run.out.startswith("# Welcome to claude-tui\n") and run.out.endswith("\n")
    with ConversationStore(tmp_path) as store:
        (summary,) = store.list_conversations()
        saved = store.load(summary.id)
    assert summary.title == "hello"
    assert [t.role for t in saved.turns] == ["user", "assistant"]
    assert run.out.rstrip("\n") == saved.turns[1].answer_text.rstrip("\n")


async def test_markdown_is_the_transcript_form_of_the_answer() -> None:
    run = await pipe("think first", output="markdown")
    assert run.status == 0
    assert run.out.startswith("<details>\n<summary>Thinking</summary>")
    assert "I thought before answering" in run.out


async def test_json_has_the_text_the_blocks_the_usage_and_the_timings() -> None:
    run = await pipe("show me code", output="json")
    assert run.status == 0
    (answer,) = run.events
    assert answer["status"] == "complete" and answer["stop_reason"] == "end_turn" and answer["error"] is None
    assert isinstance(answer["text"], str) and "```python" in answer["text"]
    assert answer["content"] == [{"type": "text", "text": answer["text"]}]
    usage = answer["usage"]
    assert isinstance(usage, dict) and usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    metrics = answer["metrics"]
    assert isinstance(metrics, dict) and metrics["ttft_ms"] is not None and metrics["events"] > 0


async def test_events_are_json_lines_the_request_first_with_its_key_redacted() -> None:
    server = DemoThread(DemoServer(pace=0))
    server.start()
    try:
        settings = Settings(api_key=Secret(SECRET), base_url=server.base_url, no_history=True)
        run = await pipe("tell me about the slow one", settings=settings, events=True)
    finally:
        server.stop()
    assert run.status == 0
    assert SECRET not in run.out + run.err
    events = run.events
    request, response = events[0], events[1]
    assert request["event"] == "request" and request["t"] == 0.0
    data = request["data"]
    assert isinstance(data, dict) and data["method"] == "POST" and data["url"] == f"{server.base_url}/v1/messages"
    headers = data["headers"]
    assert isinstance(headers, dict)
    secret_headers = [name for name in headers if name.lower() in ("x-api-key", "authorization")]
    assert secret_headers and all(headers[name] == "[REDACTED]" for name in secret_headers)
    body = data["body"]
    assert {**body, "messages": unmarked(body["messages"])} == {
        "model": "claude-sonnet-5-5",
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": "tell me about the slow one"}],
        "stream": True,
    }
    assert response["event"] == "response" and isinstance(response["data"], dict)
    assert response["data"]["status"] == 200
    names = [event["event"] for event in events[2:]]
    assert names[0] == "message_start" and names[-1] == "message_stop"
    assert "ping" in names and "content_block_delta" in names
    times = [float(event["t"]) for event in events]  # type: ignore[arg-type]
    assert times == sorted(times)
    delta = next(event for event in events if event["event"] == "content_block_delta")
    assert isinstance(delta["data"], dict) and delta["data"]["delta"]["type"] == "text_delta"  # type: ignore[index]


async def test_an_error_event_and_what_the_sdk_raised_are_both_printed() -> None:
    run = await pipe("give me an error", events=True, output="text")
    assert run.status == 1
    lines = run.out.splitlines()
    events = [json.loads(line) for line in lines if line.startswith('{"t":')]
    names = [event["event"] for event in events]
    assert "error" in names and names[-1] == "exception" and "message_stop" not in names
    error = events[names.index("error")]["data"]
    assert error["error"]["type"] == "overloaded_error"
    assert events[-1]["data"]["kind"] == "overloaded_error"
    text = "\n".join(line for line in lines if not line.startswith('{"t":'))
    assert text.startswith("This answer starts normally")  # --output after the events: the partial answer
    assert "the answer failed: overloaded_error" in run.err


async def test_events_as_text_are_the_inspectors_rows() -> None:
    run = await pipe("hello", events_format="text", events=True)
    rows = run.out.splitlines()
    assert rows[0].split() == ["0ms", "request", "POST", rows[0].split()[-1]]
    assert rows[1].split()[1:4] == ["headers", "HTTP", "200"]
    assert rows[2].split()[1] == "message_start"
    assert any(row.split()[1:3] == ["content_block_delta", "0"] for row in rows)
    assert rows[-1].split()[1] == "message_stop"


async def test_metrics_go_to_standard_error() -> None:
    run = await pipe("hello", metrics=True)
    assert run.status == 0 and "TTFT " not in run.out.splitlines()[-1]
    (line,) = run.err.splitlines()
    assert line.startswith("TTFT ") and " · out " in line and "stop end_turn" in line


@pytest.mark.parametrize("scenario", [s.word for s in SCENARIOS])
async def test_every_demo_scenario(scenario: str) -> None:
    failing = {"error", "drop", "stall", "incomplete", "hostile"}  # (the hostile answer ends with an error event)
    settings = Settings(demo=True, no_history=True, read_timeout=1.0)
    run = await pipe(f"show me {scenario}", settings=settings, output="json")
    (answer,) = run.events
    assert run.status == (1 if scenario in failing else 0), run.err
    assert answer["status"] == ("complete" if scenario not in failing else answer["status"])
    if scenario in failing:
        assert answer["error"] is not None and run.err
    assert answer["text"] or scenario == "tool"


# --- the terminal: nothing of the model's reaches it -----------------------------------------------


async def test_into_a_terminal_control_characters_are_removed_and_into_a_pipe_passed_through() -> None:
    into_terminal = await pipe("be hostile", terminal=True)
    into_pipe = await pipe("be hostile")
    assert into_terminal.status == into_pipe.status == 1  # it ends with a hostile error event
    assert "\x1b]0;PWNED\x07" in into_pipe.out and "\x9b31m" in into_pipe.out  # exactly as the model sent it
    for unsafe in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert unsafe not in into_terminal.out
    assert "]0;PWNED" in into_terminal.out  # the text itself is kept, inert


def test_json_escapes_what_a_terminal_would_act_on() -> None:
    line = safe_json({"text": "a\x1b[2Jb\x9b31m\u202eevil 日本語"})
    assert line == '{"text":"a\\u001b[2Jb\\u009b31m\\u202eevil 日本語"}'
    assert json.loads(line) == {"text": "a\x1b[2Jb\x9b31m\u202eevil 日本語"}


# --- real processes: exit statuses, standard input, Ctrl+C, a terminal ------------------------------


def cli(
    *args: str, home: Path, stdin: bytes | None = None, pace: str = "0", **env: str
) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(REPO), **demo_env(home, pace), **env}
    return subprocess.run(
        [sys.executable, "-m", "tui_chat", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=environment,
        timeout=120,
    )


def test_standard_input_goes_before_the_argument(tmp_path: Path) -> None:
    result = cli("-p", "review this", "--demo", "--events", home=tmp_path, stdin=b"diff --git a/x b/x\n+new line\n")
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout.splitlines()[0])
    assert unmarked(request["data"]["body"]["messages"]) == [
        {"role": "user", "content": "diff --git a/x b/x\n+new line\n\nreview this"}
    ]
    only_stdin = cli("-p", "--demo", "--output", "json", home=tmp_path, stdin=b"hello from a pipe")
    assert only_stdin.returncode == 0 and json.loads(only_stdin.stdout)["status"] == "complete"


def test_exit_statuses_for_usage_errors(tmp_path: Path) -> None:
    no_prompt = cli("-p", "--demo", home=tmp_path)
    assert no_prompt.returncode == 2 and b"no prompt" in no_prompt.stderr
    pipe_flag_alone = cli("--events", home=tmp_path)
    assert pipe_flag_alone.returncode == 2 and b"--events needs -p" in pipe_flag_alone.stderr
    unknown = cli("-p", "hi", "--demo", "--resume", "nope", home=tmp_path)
    assert unknown.returncode == 2 and b"No conversation id starts with 'nope'" in unknown.stderr
    no_key = cli("-p", "hi", home=tmp_path)
    assert no_key.returncode == 2 and b"no API key" in no_key.stderr
    failed = cli("-p", "drop the connection", "--demo", home=tmp_path)
    assert failed.returncode == 1 and b"connection" in failed.stderr and failed.stdout.startswith(b"This answer")


def test_continue_and_resume_carry_on_a_saved_conversation(tmp_path: Path) -> None:
    first = json.loads(cli("-p", "hello", "--demo", "--output", "json", home=tmp_path).stdout)
    second = cli("-c", "-p", "and then?", "--demo", "--events", "--output", "json", home=tmp_path)
    assert second.returncode == 0, second.stderr
    lines = second.stdout.splitlines()
    messages = unmarked(json.loads(lines[0])["data"]["body"]["messages"])
    assert [m["role"] for m in messages] == ["user", "assistant", "user"] and messages[2]["content"] == "and then?"
    assert json.loads(lines[-1])["conversation_id"] == first["conversation_id"]
    third = cli("--resume", first["conversation_id"][:6], "-p", "more", "--demo", "--output", "json", home=tmp_path)
    assert json.loads(third.stdout)["conversation_id"] == first["conversation_id"]
    untouched = cli("-p", "private", "--demo", "--no-history", home=tmp_path)
    assert untouched.returncode == 0
    with ConversationStore(tmp_path) as store:
        (summary,) = store.list_conversations()
    assert summary.turn_count == 6


@pytest.fixture
def streaming_pipe(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    environment = {**os.environ, "PYTHONPATH": str(REPO), **demo_env(tmp_path, pace="1")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_chat", "-p", "write a long essay", "--demo"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    try:
        yield process, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_ctrl_c_stops_the_stream_keeps_what_arrived_and_exits_130(
    streaming_pipe: tuple[subprocess.Popen[bytes], Path],
) -> None:
    process, home = streaming_pipe
    assert process.stdout is not None and process.stderr is not None
    arrived = b""
    while len(arrived) < 200:  # the answer is streaming (a 1,500-token essay at 90 tokens a second)
        chunk = os.read(process.stdout.fileno(), 4096)  # (unbuffered: `communicate` reads the descriptor)
        assert chunk, process.stderr.read()
        arrived += chunk
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    rest, errors = process.communicate(timeout=30)
    assert process.returncode == 130, errors
    printed = (arrived + rest).decode()
    assert b"stopped: the answer so far is printed and saved" in errors
    with ConversationStore(home) as store:
        saved = store.load(store.list_conversations()[0].id)
    answer = saved.turns[-1]
    assert answer.status is TurnStatus.STOPPED
    assert printed.rstrip("\n") == answer.answer_text.rstrip("\n") and len(answer.answer_text) > 200


def test_a_hostile_answer_written_to_a_terminal_has_no_escape_sequence(tmp_path: Path) -> None:
    app = PtyApp("-p", "be hostile", "--demo", env=demo_env(tmp_path))
    try:
        app.process.wait(timeout=60)
        app._reader.join(timeout=5)
        output = app.output
    finally:
        app.close()
    assert app.process.returncode == 1  # the hostile answer ends with an error event (its message sanitized)
    assert (
        b"PWNED-BY-ERROR" in output and b"claude-tui strips the control characters" in output
    )  # the answer came through
    for unsafe in (b"\x1b", b"\x07", b"\xc2\x9b", "\u202e".encode()):
        assert unsafe not in output
