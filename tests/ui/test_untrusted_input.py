"""Hostile text never reaches the terminal: the app in a real pty, every byte it writes scanned, against a hostile
server, a crafted recording and a crafted database."""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

from tests.support.attacks import (
    ATTACK,
    F3,
    FAMILY,
    HOSTILE_HEADERS,
    SMUGGLED,
    UNSAFE,
    attacks_in,
    forbidden_in,
    hostile_env,
    hostile_stream,
    plant,
    screen_of,
)
from tests.support.hostile_server import HostileServer, RawReply, answer
from tests.support.pty import PtyApp, demo_env
from tui_chat.session.store import ConversationStore


def test_hostile_text_never_reaches_the_terminal_raw(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    app = PtyApp("--demo", env=env, size=(140, 45))
    try:
        assert app.wait_for(b"DEMO", 20)
        app.write(b"\x1b[12~")  # F2: the inspector shows every delta too
        time.sleep(0.3)
        mark = app.mark()
        app.send("hostile")
        assert app.wait_for(b"PWNED-BY-ERROR", 30, since=mark)  # the error event's message, shown inert
        time.sleep(1.0)  # notification, notice and inspector all drawn
        app.send(f"/export {tmp_path / 'hostile.md'}")
        assert app.wait_for(b"saved to", 10, since=mark)
        time.sleep(0.3)
        after = app.output[mark:]
    finally:
        app.close()
    assert forbidden_in(after) == []
    screen = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", after).decode("utf-8", "replace")
    assert "[@click=app.quit]" in screen and "[bold]" in screen  # markup shown literally
    assert "]0;PWNED" in screen  # what is left of the escape sequence is plain text
    exported = (tmp_path / "hostile.md").read_bytes()
    assert b"\x1b" not in exported and b"\x07" not in exported and b"\xc2\x9b" not in exported
    assert b"PWNED" in exported


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
