"""Issue 13, items 1-4: what a hostile server, a crafted recording or a crafted database sends stays inert,
and the API key stays out of every error text.

Driven through the real SDK against `tests/support/hostile_server.py` (raw bytes on loopback), the real store, the
app with Pilot, and the app in a real pty whose every written byte is scanned.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
from anthropic import AsyncAnthropic

from tests.support.attacks import (
    ATTACK,
    F3,
    FAMILY,
    HOSTILE_HEADERS,
    KEY_PIECES,
    LINE_BROKEN_KEY,
    SMUGGLED,
    UNSAFE,
    attacks_in,
    hostile_env,
    hostile_stream,
    plant,
    screen_of,
    unsafe_fields,
)
from tests.support.hostile_server import (
    HostileServer,
    RawReply,
    answer,
    json_reply,
)
from tests.support.pty import PtyApp
from tests.support.store import saved_conversation
from tui_chat.config import load_settings
from tui_chat.safety import redact, sanitize
from tui_chat.session.conversation import Conversation
from tui_chat.session.export import conversation_to_api_json, conversation_to_markdown
from tui_chat.session.recorder import TurnRecorder
from tui_chat.session.store import ConversationStore, load_conversation
from tui_chat.stream.retry import RetryPolicy


async def test_every_field_a_server_controls_is_sanitized_where_it_enters(tmp_path: Path) -> None:
    """Items 1 and 2, through the real SDK: a 529 (retried) then a stream whose every field and header carries
    an attack. The turn, its retry notice and its error hold no control or hidden character; nor does what is
    stored, what is loaded back, or the markdown and JSON exports."""
    with HostileServer() as server:
        overloaded = json_reply(
            {"type": "error", "error": {"type": "overloaded" + ATTACK, "message": "RETRYMSG" + ATTACK}},
            status_line=b"HTTP/1.1 529 Overloaded",
            headers=[*HOSTILE_HEADERS, (b"x-should-retry", b"true"), (b"retry-after-ms", b"1")],
        )
        server.queue("/v1/messages", overloaded)
        server.queue("/v1/messages", RawReply(hostile_stream(), headers=HOSTILE_HEADERS))
        client = AsyncAnthropic(api_key="k-hostile-0123456789", base_url=server.base_url, max_retries=0)
        conversation = Conversation(model="m")
        conversation.add_user("q")
        turn = conversation.start_assistant()
        await TurnRecorder(client, conversation, turn, retry_policy=RetryPolicy(max_retries=1)).run()
        await client.close()

    # Every field was filled from the attack (what is left of it is plain text)...
    assert turn.error is not None and "ETYPE" in turn.error.kind and "EMESSAGE" in turn.error.summary
    assert turn.error.request_id is not None and "REQID" in turn.error.request_id
    assert turn.metrics.request_id is not None and "REQID" in turn.metrics.request_id
    assert "MODEL" in turn.model and "STOP" in str(turn.metrics.stop_reason)
    assert turn.retries and "RETRYMSG" in turn.retries[0].reason and "REQID" in str(turn.retries[0].request_id)
    assert any("TITLE" in line for block in turn.blocks for line in block.citations)
    assert "]0;TITLE" in turn.answer_text and "<U+200B>" in turn.answer_text and "<U+E0068>" in turn.answer_text
    assert turn.wire is not None and turn.wire.request_id is not None and "REQID" in turn.wire.request_id
    # ...and nothing of it can act on a terminal or hide.
    assert unsafe_fields(conversation) == []

    with ConversationStore(tmp_path) as store:
        store.save_turn(conversation, conversation.turns[0])
        store.save_turn(conversation, turn)
        loaded = store.load(conversation.id)
    assert unsafe_fields(loaded) == []
    assert not UNSAFE.search(conversation_to_markdown(loaded))
    assert not UNSAFE.search(conversation_to_api_json(loaded))
    assert json.loads(conversation_to_api_json(loaded))["messages"][1]["content"]  # the content itself is kept


def test_stored_text_is_as_untrusted_as_a_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 1 (`--continue` shows stored data again): a database with an attack in every field loads clean,
    exports clean, and lists clean."""
    conversation = saved_conversation(tmp_path)
    plant(tmp_path / "conversations.sqlite3", conversation.id)
    with ConversationStore(tmp_path) as store:
        loaded = store.load(conversation.id)
        summaries = store.list_conversations()
    for candidate in (loaded, load_conversation(tmp_path / "conversations.sqlite3", conversation.id)):
        assert "TITLE" in candidate.title and "ETYPE" in str(candidate.turns[1].error)
        assert unsafe_fields(candidate) == []
        assert candidate.turns[1].wire is not None and unsafe_fields(candidate.turns[1].wire.headers) == []
    markdown = conversation_to_markdown(loaded)
    assert "SYSTEM" in markdown and "ETYPE" in markdown and not UNSAFE.search(markdown)
    assert not UNSAFE.search(conversation_to_api_json(loaded))
    assert summaries and "TITLE" in summaries[0].title

    from tui_chat.cli import main

    monkeypatch.setenv("CLAUDE_TUI_DATA_DIR", str(tmp_path))
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "TITLE" in listed and "MODEL" in listed and not UNSAFE.search(listed)


# ----------------------------------------------------------------------- the terminal's bytes


def test_a_hostile_server_and_its_stored_answer_never_reach_the_terminal(tmp_path: Path) -> None:
    """Items 1 and 2 on a real pty: the failure notification, the conversation, the metrics pane, the F3 table
    and the failed turn's details show what is left of each attack as text; `--continue` shows it again, as
    text. No byte of an escape sequence, an 8-bit control or a hidden character is written."""
    env = hostile_env(tmp_path)
    with HostileServer() as server:
        # (a short model name and stop reason: the F3 table then has room for the request id)
        stream = hostile_stream(model="M\x1b]0;T\x07", stop_reason="S\x9b1m")
        server.always("/v1/messages", RawReply(stream, headers=HOSTILE_HEADERS))
        app = PtyApp("--base-url", server.base_url, env=env, size=(160, 50))
        try:
            assert app.wait_for(b"sk Claude", 30)
            mark = app.mark()
            app.send("hello")
            assert app.wait_for(b"ETYPE", 30, since=mark)
            time.sleep(1.5)  # the notification, the notice and the metrics all drawn
            app.write(F3)
            assert app.wait_for(b"REQID", 10, since=app.mark() - 1)
            time.sleep(0.5)
            app.write(b"\x1b")
            time.sleep(0.5)
            app.send(f"/export {tmp_path / 'hostile.md'}")
            assert app.wait_for(b"saved to", 10, since=mark)
            time.sleep(0.3)
            live = app.output[mark:]
        finally:
            app.close()
    assert attacks_in(live) == [], screen_of(live)[-3000:]
    shown = screen_of(live)
    for remnant in ("TEXT]0;TITLE", "M]0;T", "ETYPE]0;TITLE", "REQID]0;TITLE", "<U+200B>", "<U+E0068>"):
        assert remnant in shown, remnant
    exported = (tmp_path / "hostile.md").read_text(encoding="utf-8")
    assert "ETYPE" in exported and not UNSAFE.search(exported)

    # The stored conversation, planted with more (a crafted database), shown again with --continue.
    with ConversationStore(tmp_path / "data") as store:
        conversation_id = store.last_id()
    assert conversation_id is not None
    plant(tmp_path / "data" / "conversations.sqlite3", conversation_id)
    app = PtyApp("--continue", "--base-url", "http://127.0.0.1:9", env=env, size=(160, 50))
    try:
        assert app.wait_for(b"USER]0;TITLE", 30)
        time.sleep(1.0)
        app.write(F3)
        time.sleep(1.0)
        app.write(b"\x1b")
        time.sleep(0.5)
        listed = app.mark()
        app.write(b"\x0c")  # ctrl+l: the saved conversations, their titles and models
        assert app.wait_for(b"saved conversation", 10, since=listed)
        time.sleep(0.5)
        app.write(b"r")  # rename: the stored title in an input field
        time.sleep(0.8)
        again = app.output  # (before quitting: leaving, the app leaves the alternate screen itself)
    finally:
        app.close()
    assert attacks_in(again) == [], screen_of(again)[-3000:]
    assert "ETYPE]0;TITLE" in screen_of(again) and "TITLE]0;TITLE" in screen_of(again[listed:])


def test_a_crafted_recording_replayed_offline_never_reaches_the_terminal(tmp_path: Path) -> None:
    """Item 1 for a shared `.sse` recording replayed offline: its file name and its frames, then (a second
    one, replayed with /replay) its sidecar's headers and status."""
    name = "shared\x1b]0;FILENAME\x07"
    (tmp_path / f"{name}.sse").write_bytes(hostile_stream())
    second = tmp_path / "second.sse"
    second.write_bytes(hostile_stream())
    headers = [["request-id", "req_SIDECAR" + ATTACK], ["anthropic-ratelimit-requests-remaining", "9" + ATTACK]]
    sidecar = {"format": "claude-tui-recording/1", "status": 0, "headers": headers}
    (tmp_path / "second.sse.json").write_text(json.dumps(sidecar))
    app = PtyApp("replay", str(tmp_path / f"{name}.sse"), "--speed", "100", env=hostile_env(tmp_path), size=(160, 50))
    try:
        assert app.wait_for(b"ETYPE", 30)
        time.sleep(1.0)
        first = app.output
        app.send(f"/replay {second}")
        replayed = app.wait_for(b"SIDECAR", 30)  # (before: a 500 from the replay server, a retry, a demo answer)
        time.sleep(1.0)
        app.write(F3)
        time.sleep(1.0)
        out = app.output
    finally:
        app.close()
    assert attacks_in(first) == [], screen_of(first)[-3000:]
    assert replayed and attacks_in(out) == [], screen_of(out)[-3000:]
    shown = screen_of(out)
    assert "shared]0;FILENAME" in shown and "ETYPE]0;TITLE" in shown and "SIDECAR]0;TITLE" in shown


# -------------------------------------------------------------------------- item 3: the key


def test_a_key_with_a_line_break_is_refused_at_start(tmp_path: Path) -> None:
    """Item 3: a two-line key (a quoted .env value over two lines, or `$(cat FILE)` of a two-line file) is
    refused before anything is sent, with a message that says why and never quotes it."""
    from tui_chat.config import ConfigError

    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"ANTHROPIC_API_KEY": LINE_BROKEN_KEY}, cwd=tmp_path)
    assert "line break" in str(refused.value) and "FIRSTLINE" not in str(refused.value)
    (tmp_path / ".env").write_text(f'ANTHROPIC_API_KEY="{LINE_BROKEN_KEY}"\n')
    with pytest.raises(ConfigError, match=r"line break.*\.env|\.env.*line break"):
        load_settings(environ={}, cwd=tmp_path)
    for odd in ("sk-ant-api03-with space-x", "sk-ant-api03-tab\there", "sk-ant-api03-\x1b[2J", "sk-ant-é-key"):
        with pytest.raises(ConfigError):
            load_settings(environ={"ANTHROPIC_API_KEY": odd}, cwd=tmp_path)
    assert load_settings(environ={"ANTHROPIC_API_KEY": " sk-ant-api03-fine \n"}, cwd=tmp_path).api_key is not None
    # The demo does not send the key: a broken one does not stop it (or a replay).
    assert load_settings(environ={"ANTHROPIC_API_KEY": LINE_BROKEN_KEY}, cwd=tmp_path, demo=True).demo

    app = PtyApp(env=hostile_env(tmp_path, key=LINE_BROKEN_KEY))
    try:
        assert app.process.wait(timeout=30) == 2
        time.sleep(0.3)
    finally:
        app.close()
    assert b"line break" in app.output and b"ANTHROPIC_API_KEY" in app.output
    assert not any(piece in app.output for piece in KEY_PIECES)


def test_every_form_of_a_key_is_redacted() -> None:
    """Item 3: the configured key, whole or in pieces, escaped (`repr`), as bytes (`\\xc3\\xa9`), split across
    lines; and anything shaped like an Anthropic key, whoever's it is."""
    key = "sk-ant-api03-FIRSTLINEaaaa\nSECONDLINEbb-é-THIRDPARTcccc"
    texts = [
        f"Illegal header value {f'Bearer {key}'.encode()!r}",
        f"value {key!r}",
        f"as sent: {key}",
        key.replace("\n", "\r\n"),
        "echoed: sk-ant-admin01-someone_elses-key_0123 and done",
    ]
    for text in texts:
        shown = redact(text, [key])
        for piece in ("FIRSTLINE", "SECONDLINE", "THIRDPART", "someone_elses"):
            assert piece not in shown, (text, shown)
        assert "[REDACTED]" in shown
    assert redact("a short key abc is no secret", ["abc"]) == "a short key abc is no secret"
    assert redact("model sk-antelope is fine", []) == "model sk-antelope is fine"


async def test_an_error_never_shows_the_key_it_was_sent_with(tmp_path: Path) -> None:
    """Item 3 through the real SDK: httpx refuses a two-line key with an error quoting the whole header. The
    app refuses such a key at start; should one reach a client anyway, the turn's error (shown, stored,
    exported) has no piece of it."""
    with HostileServer() as server:
        server.always("/v1/messages", RawReply(answer("never sent")))
        client = AsyncAnthropic(api_key=LINE_BROKEN_KEY, base_url=server.base_url, max_retries=0)
        conversation = Conversation(model="m")
        user = conversation.add_user("q")
        turn = conversation.start_assistant()
        await TurnRecorder(client, conversation, turn, retry_policy=RetryPolicy(max_retries=1)).run()
        await client.close()
        assert server.requests == []  # (httpx refused to send it)
    assert turn.error is not None and "Illegal header value" in turn.error.summary
    assert turn.retries and "Illegal header value" in turn.retries[0].reason
    with ConversationStore(tmp_path) as store:
        store.save_turn(conversation, user)
        store.save_turn(conversation, turn)
        loaded = store.load(conversation.id)
    for text in (repr(turn.error), repr(turn.retries), repr(loaded.turns[1].error), conversation_to_markdown(loaded)):
        assert not any(piece.decode() in text for piece in KEY_PIECES), text
    with sqlite3.connect(tmp_path / "conversations.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    assert not any(piece.decode() in dump for piece in KEY_PIECES)


SENTINEL_KEY = "sk-sentinel-7d1e0c4b9a2f-KEY"


def test_a_server_echoing_the_key_never_puts_it_on_screen(tmp_path: Path) -> None:
    """Item 3 on a real pty: a gateway that quotes the key it was sent (and another key-shaped value) in its
    error messages, retried and final. Neither reaches the terminal, the database, the log or an export."""
    env = hostile_env(tmp_path, key=SENTINEL_KEY)
    other = "sk-ant-api03-OTHERKEYdddddddddddddddd"
    echo = f"invalid x-api-key {SENTINEL_KEY!r} (header {SENTINEL_KEY}); compare {other}"
    with HostileServer() as server:
        retried = json_reply(
            {"type": "error", "error": {"type": "overloaded_error", "message": echo}},
            status_line=b"HTTP/1.1 529 Overloaded",
            headers=[(b"x-should-retry", b"true"), (b"retry-after-ms", b"300")],
        )
        final = json_reply(
            {"type": "error", "error": {"type": "authentication_error", "message": echo}},
            status_line=b"HTTP/1.1 401 Unauthorized",
        )
        server.queue("/v1/messages", retried)
        server.always("/v1/messages", final)
        app = PtyApp("--base-url", server.base_url, env=env, size=(160, 50))
        try:
            assert app.wait_for(b"sk Claude", 30)
            app.send("hello")
            assert app.wait_for(b"authentication_error", 30)
            time.sleep(1.0)
            app.send(f"/export {tmp_path / 'out.md'}")
            app.send(f"/export-json {tmp_path / 'out.json'}")
            deadline = time.monotonic() + 10
            while not (tmp_path / "out.json").exists():  # (the screen shows it; its bytes may come in pieces)
                assert time.monotonic() < deadline, "the export was not written"
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            app.close()
        assert any(SENTINEL_KEY in str(request.headers) for request in server.requests)  # it was sent
    shown = screen_of(app.output)
    assert "invalid x-api-key" in shown and "[REDACTED]" in shown
    for secret in (SENTINEL_KEY, "OTHERKEY"):
        assert secret.encode() not in app.output
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path


# ----------------------------------------------------------------- item 4: hidden characters
HIDDEN_BYTES = {
    b"\xe2\x80\x8b": "U+200B zero-width space",
    b"\xe2\x81\xa0": "U+2060 word joiner",
    b"\xe2\x81\xa2": "U+2062 invisible times",
    b"\xef\xbb\xbf": "U+FEFF",
    b"\xf3\xa0\x80": "tag character",
    b"\xf3\xa0\x81": "tag character",
}


def hidden_in(data: bytes) -> list[str]:
    return sorted({name for needle, name in HIDDEN_BYTES.items() if needle in data})


def test_hidden_characters_are_shown_on_screen_and_in_what_is_copied(tmp_path: Path) -> None:
    """Item 4 on a real pty: zero-width and tag characters in an answer are shown as `<U+XXXX>` marks; what
    /copy puts on the clipboard (OSC 52) and in clipboard.txt is the text as shown, marks and all. Joiners
    in emoji stay."""
    text = f"Safe\u200bword\u2060and\ufeffmore\u2062x {SMUGGLED} family {FAMILY} end"
    env = hostile_env(tmp_path)
    with HostileServer() as server:
        server.always("/v1/messages", RawReply(answer(text)))
        app = PtyApp("--base-url", server.base_url, env=env, size=(160, 50))
        try:
            assert app.wait_for(b"sk Claude", 30)
            mark = app.mark()
            app.send("hello")
            assert app.wait_for(b"family", 30, since=mark)
            time.sleep(0.8)
            copied_from = app.mark()
            app.send("/copy")
            assert app.wait_for(b"Copied", 10, since=copied_from)
            time.sleep(0.3)
            out = app.output
        finally:
            app.close()
    shown = screen_of(out[mark:])
    assert "Safe<U+200B>word<U+2060>and<U+FEFF>more<U+2062>x" in shown
    assert "<U+E0069><U+E0067><U+E006E>" in shown  # "ign…" of the smuggled text, visibly there
    assert hidden_in(out[mark:copied_from]) == []
    assert FAMILY.encode() in out  # (the emoji's joiners are part of it)

    osc52 = re.findall(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07", out[copied_from:])
    assert osc52, "no OSC 52 written"
    clipboard = base64.b64decode(osc52[-1]).decode("utf-8")
    saved = (tmp_path / "data" / "clipboard.txt").read_text(encoding="utf-8")
    for copied in (clipboard, saved):
        assert "Safe<U+200B>word" in copied and "<U+E0069>" in copied and FAMILY in copied
        assert hidden_in(copied.encode()) == []


def test_the_inspector_reveals_tag_characters() -> None:
    from tui_chat.safety import reveal_invisible

    assert reveal_invisible(f"a{SMUGGLED[:2]}\u200db") == "a<U+E0069><U+E0067><U+200D>b"
    assert sanitize(f"a{SMUGGLED[:2]}{FAMILY}\u200fb") == f"a<U+E0069><U+E0067>{FAMILY}\u200fb"


def test_the_log_and_the_endpoint_are_inert(tmp_path: Path) -> None:
    """Item 1 for two more places text enters: a logged error quoting a server (the log is printed with `cat`),
    and a base URL from a `.env` in the current folder (shown in the top bar)."""
    import logging

    from tui_chat.logs import setup_logging

    path = setup_logging(tmp_path, ["k-logged-0123456789"])
    assert path is not None
    try:
        try:
            raise RuntimeError("EXC" + ATTACK + " k-logged-0123456789")
        except RuntimeError:
            logging.getLogger("tui_chat").exception("server said %s", "MSG" + ATTACK)
    finally:
        for handler in list(logging.getLogger().handlers):
            logging.getLogger().removeHandler(handler)
            handler.close()
    logged = path.read_text(encoding="utf-8")
    assert "MSG]0;TITLE" in logged and "EXC]0;TITLE" in logged
    assert not UNSAFE.search(logged.replace("\n", "")) and "k-logged-0123456789" not in logged

    (tmp_path / ".env").write_bytes(b"ANTHROPIC_BASE_URL=http://127.0.0.1:9/\x1b]0;T\x07\n")
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.base_url is not None and "\x1b" in settings.base_url
    assert settings.endpoint == "http://127.0.0.1:9/]0;T"
