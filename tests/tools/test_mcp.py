"""MCP servers' tools: a real stdio MCP server (written with the `mcp` SDK's server API, in
`tests/support/notes_server.py`) started by claude-tui when first needed, its tools listed, approved, run, and their
results used by the next answer; a server that fails to start or dies is said so and the conversation goes
on; the server's process ends with the app; nothing it returns carries the key."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.support.controller import answers, approval_request, driver, messages_bodies
from tests.support.paths import SUPPORT
from tui_chat.session import reports
from tui_chat.session.approval import Approval, Decision, approve_tools
from tui_chat.tools.mcp import McpServerConfig, parse_mcp_servers
from tui_chat.tools.toolbox import Toolbox, ToolSettings

SERVER = SUPPORT / "notes_server.py"
KEY = "sk-ant-api03-" + "s" * 40


def notes_toolbox(tmp_path: Path, **servers: McpServerConfig) -> Toolbox:
    notes = McpServerConfig(
        "notes",
        command=sys.executable,
        args=(str(SERVER),),
        env={"MCP_TEST_PID_FILE": str(tmp_path / "notes.pid"), "NOTES_SECRET": KEY},
    )
    settings = ToolSettings(timeout=10, mcp_servers={"notes": notes, **servers})
    return Toolbox(tmp_path, secrets=[KEY], settings=settings, log_dir=tmp_path / "logs")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_an_mcp_tool_is_listed_approved_run_and_its_result_used(tmp_path: Path) -> None:
    async with driver(toolbox=notes_toolbox(tmp_path)) as d:
        assert not (tmp_path / "notes.pid").exists()  # started when first needed, not before
        listed = await d.controller.list_tools()
        assert ("mcp__notes__shout", "MCP server notes") in [(t.name, t.where) for t in listed.tools]
        assert listed.servers[0][0] == "notes" and listed.servers[0][2] is None
        await d.controller.set_tools("on")
        await d.controller.send("use the tool mcp__notes__shout")
        request = await approval_request(d)
        assert (request.name, request.where) == ("mcp__notes__shout", "MCP server notes")
        d.controller.answer_approval(Approval(Decision.RUN))
        await d.controller.wait()
        assert "`mcp__notes__shout`** returned: HELLO FROM THE DEMO SERVER" in answers(d)[-1].answer_text
        assert "mcp__notes__shout" in [tool["name"] for tool in messages_bodies(d)[0]["tools"]]
        pid = int((tmp_path / "notes.pid").read_text())
        assert alive(pid)
        assert "notes server starting" in (tmp_path / "logs" / "mcp-notes.log").read_text()  # stderr: not the terminal
    for _ in range(100):  # quitting ended the server's process
        if not alive(pid):
            break
        await asyncio.sleep(0.05)
    assert not alive(pid)


async def test_an_mcp_result_never_carries_the_key_and_a_failing_tool_is_an_error(tmp_path: Path) -> None:
    async with driver(toolbox=notes_toolbox(tmp_path), approval=approve_tools()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool mcp__notes__leak")
        await d.controller.wait()
        sent = str(messages_bodies(d)[-1]["messages"])
        assert "[REDACTED]" in sent and KEY not in sent and "sk-ant-" not in sent
        assert KEY not in str([b.text for t in d.controller.conversation.turns for b in t.blocks])
        await d.controller.send("tool mcp__notes__boom")
        await d.controller.wait()
        assert "`mcp__notes__boom`** failed:" in answers(d)[-1].answer_text


async def test_a_server_that_dies_is_said_so_and_the_conversation_goes_on(tmp_path: Path) -> None:
    async with driver(toolbox=notes_toolbox(tmp_path), approval=approve_tools()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool mcp__notes__die")
        await d.controller.wait()
        assert "The MCP server notes stopped" in answers(d)[-1].answer_text
        listed = await d.controller.list_tools()
        assert listed.servers[0][2] is not None and "stopped" in listed.servers[0][2]
        assert "mcp__notes__shout" not in [t.name for t in listed.tools]
        await d.controller.send("tool: calc 2 + 3")  # the built-ins go on
        await d.controller.wait()
        assert "returned: 2 + 3 = 5" in answers(d)[-1].answer_text


async def test_a_server_that_cannot_start_is_said_so_and_the_rest_works(tmp_path: Path) -> None:
    broken = McpServerConfig("broken", command=str(tmp_path / "no-such-server"))
    crashing = McpServerConfig(
        "crashing", command=sys.executable, args=("-c", "import sys; print('bad config', file=sys.stderr); sys.exit(2)")
    )
    async with driver(toolbox=notes_toolbox(tmp_path, broken=broken, crashing=crashing), approval=approve_tools()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool: calc 6 * 7")
        await d.controller.wait()
        failures = [n for n in d.of(reports.Notice) if n.title == "MCP server failed"]
        assert len(failures) == 2
        assert any("broken could not be started" in n.text and "not found" in n.text for n in failures)
        assert any("crashing could not be started" in n.text and "bad config" in n.text for n in failures)
        assert "returned: 6 * 7 = 42" in answers(d)[-1].answer_text
        assert "mcp__notes__shout" in [tool["name"] for tool in messages_bodies(d)[0]["tools"]]


def test_the_mcp_tables_of_config_toml_are_read_and_bad_ones_said() -> None:
    servers, problems = parse_mcp_servers(
        {
            "notes": {"command": "python", "args": ["s.py"], "env": {"A": "1"}},
            "remote": {"url": "http://127.0.0.1:8000/mcp"},
            "both": {"command": "x", "url": "http://h"},
            "neither": {},
            "bad_args": {"command": "x", "args": "s.py"},
            "bad_url": {"url": "ftp://h"},
        }
    )
    assert sorted(servers) == ["notes", "remote"]
    assert servers["notes"].args == ("s.py",) and servers["notes"].env == {"A": "1"}
    assert len(problems) == 4


async def test_a_streamable_http_server_is_used_by_its_url(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "MCP_TEST_HTTP_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(SERVER), env=env, stderr=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        for _ in range(200):  # until it listens
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            await asyncio.sleep(0.05)
        remote = McpServerConfig("remote", url=f"http://127.0.0.1:{port}/mcp")
        toolbox = Toolbox(tmp_path, settings=ToolSettings(mcp_servers={"remote": remote}))
        async with driver(toolbox=toolbox, approval=approve_tools()) as d:
            await d.controller.set_tools("on")
            await d.controller.send("tool mcp__remote__shout")
            await d.controller.wait()
            assert "returned: HELLO FROM THE DEMO SERVER" in answers(d)[-1].answer_text
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
