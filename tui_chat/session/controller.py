"""`ChatController`: the conversation and the turn lifecycle, with no UI.

The chat screen and the pipe mode both drive it: send, stop, retry, edit, replay, open or resume a
saved conversation, the TTFT experiment, the model and system prompt, persistence, export and copy.
It reports every outcome as a value (`session.reports`) to the `report` callback it is given; the
screen renders them. Each answer streams in a task of its own through a stream the driver builds
(`StreamFactory`: the screen's posts to widgets, the pipe mode's prints), so the same lifecycle runs
with or without Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tui_chat.attachments import FILE_MAX_BYTES, Attachment, AttachmentError, format_size, read_attachment
from tui_chat.controls import EFFORT_LEVELS, THINKING_CHOICES, RequestControls, parse_switch
from tui_chat.safety import error_line, redact, sanitize, sanitize_line
from tui_chat.session.approval import Approval, ApprovalPolicy, ApprovalRequest, Decision, refusal_text
from tui_chat.session.backend import Backend
from tui_chat.session.clipboard import code_blocks, write_clipboard_fallback
from tui_chat.session.collector import CollectorPolicy
from tui_chat.session.context import ContextUsage, estimated_tokens, last_answer_tokens
from tui_chat.session.conversation import Block, Conversation, Turn, TurnStatus
from tui_chat.session.export import (
    ExportError,
    conversation_to_api_json,
    conversation_to_markdown,
    default_export_name,
    write_export,
)
from tui_chat.session.history import History
from tui_chat.session.recording import ReplayChoice, meta_path, recording_from_record, recording_meta
from tui_chat.session.reports import (
    AnswerEnded,
    AnswerStarted,
    ApprovalNeeded,
    AttachmentsChanged,
    ContextChanged,
    ConversationShown,
    CopyRequested,
    ModelsSuggested,
    Notice,
    PromptText,
    Report,
    SettingsChanged,
    ToolInfo,
    ToolsListed,
    ToolsRunning,
    TtftFinished,
    TtftStarted,
    TurnsRemoved,
    UserTurnAdded,
)
from tui_chat.session.request import count_params, refusals, request_params, wire_summary
from tui_chat.stream import clock
from tui_chat.stream.types import ErrorInfo
from tui_chat.stream.wire import WireUnavailableError
from tui_chat.tools.toolbox import Toolbox, input_json

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

    from tui_chat.demo.server import DemoThread
    from tui_chat.session.model_catalog import Capabilities, ModelChoice
    from tui_chat.session.recorder import TurnRecorder
    from tui_chat.session.ttft import TtftExperiment
    from tui_chat.stream.retry import RetryPolicy


DRAFT_DELAY = 0.5
"""Seconds of quiet in the prompt before its text is saved as the conversation's draft."""

COUNTED_CHARACTERS = 4_000_000
"""A conversation longer than this (about a million tokens: more than any model's context window) is not
sent to `count_tokens` but estimated: the SDK would build the whole request body on the event loop (a
20 MB answer's history stalled it for ~70 ms), for a count that can only say "too long"."""


class StreamFactory(Protocol):
    """Builds the stream of one answer (a `TurnRecorder`, or a subclass that also tells a UI)."""

    def __call__(
        self,
        client: AsyncAnthropic,
        conversation: Conversation,
        turn: Turn,
        *,
        retry_policy: RetryPolicy,
        **extra: Any,
    ) -> TurnRecorder: ...


def recorder_factory(
    client: AsyncAnthropic, conversation: Conversation, turn: Turn, *, retry_policy: RetryPolicy, **extra: Any
) -> TurnRecorder:
    """The plain stream: records the turn, tells nobody (tests, and drivers that read the turn at the end)."""
    from tui_chat.session.recorder import TurnRecorder

    return TurnRecorder(client, conversation, turn, retry_policy=retry_policy, **extra)


class ChatController:
    """Owns the current conversation and runs its turns; reports what happens to `report`."""

    def __init__(
        self,
        backend: Backend,
        *,
        report: Callable[[Report], None],
        stream_factory: StreamFactory = recorder_factory,
        history: History | None = None,
        collector: CollectorPolicy | None = None,
        toolbox: Toolbox | None = None,
        approval: ApprovalPolicy | None = None,
    ) -> None:
        """`toolbox`: the client tools (default: the built-ins rooted at the current directory, no MCP
        server); `approval`: decides each tool call (default: ask the user through `ApprovalNeeded`)."""
        self.backend = backend
        self.report = report
        self.stream_factory = stream_factory
        self.history = history or History(None)
        self.collector = collector
        settings = backend.settings
        self.conversation = Conversation(
            model=settings.model,
            system=settings.system,
            max_tokens=settings.max_tokens,
            controls=settings.controls.copy(),
        )
        if toolbox is None:
            from tui_chat.tools.files import private_folders

            toolbox = Toolbox(Path.cwd(), secrets=settings.secrets, private=private_folders())
        self.toolbox = toolbox
        self.approval = approval
        self._approval: asyncio.Future[Approval] | None = None
        """The decision the user is asked for now (`ApprovalNeeded`)."""
        self.experiments: list[TtftExperiment] = []
        """TTFT experiments run in this session (kept across conversations)."""
        self.models: list[ModelChoice] = []
        """The models the API listed (the model picker fills it), for context-window checks."""
        self.read_pace = 0.0
        """Paced reads for the next answers (see `EventStream.read_pace`); 0 reads every frame as it lands."""
        self.editing: Turn | None = None
        """The user turn being edited: sending replaces it and what followed."""
        self.opening = False
        """A saved conversation is loading (in a thread): sending waits for it."""
        self._task: asyncio.Task[None] | None = None
        """The answer (or TTFT experiment) running now."""
        self._busy_with: Turn | None = None
        self._replays: dict[int, ReplayChoice] = {}
        """The replay behind each replayed answer (by turn id), so a retry replays it again."""
        self._stepping: DemoThread | None = None
        """The replay server of an answer in step mode, once its recording is queued."""
        self._step_turn: Turn | None = None
        """The answer replayed in step mode (from its start, before its server is ready)."""
        self._steps_granted = 0
        """Steps asked for before the replay server was ready: granted as soon as it is."""
        self._ttft_keys = itertools.count(1)
        self._background: set[asyncio.Task[Any]] = set()
        self.attachments: list[Attachment] = []
        """Files that go with the next message (`attach`)."""
        self._models_lock = asyncio.Lock()
        self._models_listed = False
        """The Models API was asked (once a session) for the models' limits and capabilities."""
        self._draft = ""
        self._count_task: asyncio.Task[None] | None = None
        self._counted: tuple[tuple[Any, ...], int] | None = None
        """(what was counted, its `count_tokens` result): the send warning uses it when it still fits."""
        self._counting = True
        """False once `count_tokens` is found missing (a gateway without it): the gauge estimates."""
        self._closing = False
        self._unsaved_draft: tuple[str, str] | None = None
        """(key, text) of the prompt's text waiting to be saved as a draft."""
        self._draft_timer: asyncio.TimerHandle | None = None
        self._drafts_kept: dict[str, str] = {}
        """The drafts known to be saved (by key), so an unchanged text or a send writes nothing."""

    # ------------------------------------------------------------------------------- state
    @property
    def busy(self) -> bool:
        """An answer or an experiment is running (until its end has been reported)."""
        return self._task is not None

    @property
    def streaming(self) -> bool:
        """An answer is streaming (not counting the TTFT experiment)."""
        return self._busy_with is not None

    @property
    def stepping(self) -> bool:
        """A replay waits for keypresses, one event each (`step`)."""
        return self._step_turn is not None and self._step_turn is self._busy_with

    @property
    def can_retry(self) -> bool:
        turns = self.conversation.turns
        return not self.busy and bool(turns) and turns[-1].role == "assistant"

    @property
    def secrets(self) -> list[str]:
        return self.backend.settings.secrets

    def _notice(self, text: str, severity: Any = "information", **options: Any) -> None:
        self.report(Notice(text, severity, **options))

    async def client(self) -> AsyncAnthropic:
        """The SDK client (built in a thread the first time: importing the SDK takes a while)."""
        if self.backend.ready:  # no thread hop once it is built
            return self.backend.prepare()
        return await asyncio.to_thread(self.backend.prepare)

    async def prepare(self) -> None:
        """Import the SDK and build the client (and the demo server) in a thread, ahead of the first send."""
        await self.client()
        self.report(SettingsChanged())

    # ------------------------------------------------------------------------------- sending
    async def send(self, text: str) -> bool:
        """Send a message and stream its answer. False (the text back in the prompt) if it cannot go now."""
        if self.busy:
            self._notice("Claude is still answering: press Esc to stop it first.", "warning")
            self.report(PromptText(text))
            return False
        if self.opening:
            self._notice("Opening the saved conversation: send it in a moment.", "warning")
            self.report(PromptText(text))
            return False
        if not self.conversation.controls.is_default or self.attachments:
            problems = refusals(
                self.conversation.model,
                self.conversation.controls,
                await self.model_capabilities(),
                self.attachments,
            )
            if self._started_meanwhile(text):
                return False
            if problems:
                self._refuse_send(text, problems)
                return False
        if self.editing is not None:
            self._drop_from(self.editing)
            self.editing = None
        self._warn_if_too_long(text)
        self._discard_draft()
        turn = self.conversation.add_user(text, self.attachments)
        if self.attachments:
            self.attachments = []
            self.report(AttachmentsChanged(()))
        self._draft = ""
        self._cancel_count()
        self.history.save(self.conversation, turn)
        self.report(UserTurnAdded(turn))
        self.start_answer()
        return True

    def _started_meanwhile(self, text: str) -> bool:
        """An answer started while the model's capabilities were asked for: this send waits its turn."""
        if self._task is None:
            return False
        self._notice("Claude is still answering: press Esc to stop it first.", "warning")
        self.report(PromptText(text))
        return True

    def _refuse_send(self, text: str, problems: list[str]) -> None:
        """Nothing goes out: say what the model would reject and how to change it; the text goes back."""
        self._notice(
            "Not sent: " + " ".join(problems) + " Change it (/thinking, /effort, /web, /code-exec, /attach clear) "
            "or choose another model; your message is back in the prompt.",
            "warning",
            title="The model would refuse this request",
            timeout=20,
        )
        self.report(PromptText(text))

    def _warn_if_too_long(self, text: str) -> None:
        """A big paste is sent as it is, but say so when it cannot fit the model's context window."""
        from tui_chat.session.model_catalog import context_window, estimate_tokens

        limit = context_window(self.conversation.model, self.models)
        counted = self._counted
        if counted is not None and counted[0] == self._count_key(text):
            tokens, how = counted[1], "counted"
        else:
            attached = sum(a.encoded_size for a in self.attachments)
            tokens, how = estimated_tokens(self.conversation, text, attached), "about"
        if limit is not None and tokens > limit:
            self._notice(
                f"This message is {how} {tokens:,} tokens with the history; {self.conversation.model} takes "
                f"{limit:,} input tokens. The API will probably refuse it — start a new conversation or shorten it.",
                "warning",
                timeout=15,
            )
        elif len(text) > 100_000:
            self._notice(f"Sending {len(text):,} characters (about {estimate_tokens(text):,} tokens).")

    def start_answer(self, replay: ReplayChoice | None = None) -> Turn:
        """Start the assistant turn that answers the conversation so far (or plays `replay`); a tool loop
        (tool calls, their results, the continuation…) runs on in the same task."""
        conversation = self.conversation
        self.history.compact(conversation)  # the answers before this one: packed, their bytes released
        turn = conversation.start_assistant()
        turn.metrics.queued_at = clock.now()  # from here to the request leaving: the client's own wait
        if replay is not None:
            turn.replay = replay.recording.name
            turn.model = ""  # the recording's stream names its model (message_start), not the settings
            self._replays[turn.id] = replay
        self._busy_with = turn
        self._step_turn = turn if replay is not None and replay.step else None
        self.report(AnswerStarted(turn, step=bool(replay and replay.step)))
        task = self._task = asyncio.create_task(self._run_turn(conversation, turn, replay))
        task.add_done_callback(lambda _: self._cancelled_before_start(conversation, turn))
        return turn

    def _cancelled_before_start(self, conversation: Conversation, turn: Turn) -> None:
        """A task stopped before its first step never ran its own ending: end the turn here."""
        if self._busy_with is turn and turn.status is TurnStatus.STREAMING:
            self._end_unstarted(turn, None)
            self._request_ended(conversation, turn, started=False)
            self._task_done()

    async def _run_turn(
        self, conversation: Conversation, turn: Turn, replay: ReplayChoice | None, *, streamed: bool = False
    ) -> None:
        """One request, and while its answer asks for client tools: approvals, the tools, the results sent
        back and the continuation, up to the round-trip cap. Esc stops it at any step. `streamed`: `turn`
        has been answered already (a loop that stopped, continued)."""
        try:
            if not streamed:
                await self._run_answer(conversation, turn, replay)
            rounds = 0
            while replay is None and self._asks_for_tools(conversation, turn):
                if rounds >= self.toolbox.max_rounds:
                    self._notice(
                        f"Stopped after {rounds} tool round trips (the limit: max_rounds in [tools] of config.toml). "
                        "/continue runs the calls Claude asked for and goes on.",
                        "warning",
                        title="Tool loop capped",
                        timeout=20,
                    )
                    break
                results = await self._answer_tool_calls(conversation, turn)
                if results is None or self._stopping():
                    break
                rounds += 1
                turn = self._start_continuation(conversation)
                await self._run_answer(conversation, turn, None)
        finally:
            self._task_done()

    def _stopping(self) -> bool:
        task = asyncio.current_task()
        return task is not None and task.cancelling() > 0

    def _asks_for_tools(self, conversation: Conversation, turn: Turn) -> bool:
        return (
            not self._stopping()
            and turn is conversation.turns[-1]
            and turn.status is TurnStatus.COMPLETE
            and bool(turn.tool_calls)
        )

    def _start_continuation(self, conversation: Conversation) -> Turn:
        turn = conversation.start_assistant()
        self._busy_with = turn
        self.report(AnswerStarted(turn))
        return turn

    async def _run_answer(self, conversation: Conversation, turn: Turn, replay: ReplayChoice | None) -> None:
        """Stream one request of the turn; its end is saved and reported whatever happens."""
        started = False
        try:
            extra: dict[str, Any] = {}
            if replay is None:
                client = await self.client()
                extra["client_tools"] = await self._tool_definitions(conversation)
            else:
                client = await self._queue_replay(replay)
                extra["messages"] = [{"role": "user", "content": f"replay {replay.recording.name}"}]
                extra["replay_headers"] = list(replay.recording.headers)  # what it holds, nothing invented
            holding = False
            try:
                if self.collector is not None:
                    self.collector.stream_started()  # (before the stream's objects exist)
                    holding = True
                stream = self.stream_factory(client, conversation, turn, retry_policy=self._retry_policy(), **extra)
                stream.read_pace = self.read_pace
                started = True
                await stream.run()
            finally:
                if holding and self.collector is not None:
                    self.collector.stream_ended()
        except asyncio.CancelledError:
            if not started:
                self._end_unstarted(turn, None)
        except Exception as error:  # the client could not be built (e.g. the demo server failed)
            self._end_unstarted(turn, error)
            started = False
        finally:
            self._request_ended(conversation, turn, started)

    def _end_unstarted(self, turn: Turn, error: BaseException | None) -> None:
        """End a turn whose stream never ran, so nothing is left waiting."""
        if turn.status is not TurnStatus.STREAMING:
            return
        if error is None:
            turn.status = TurnStatus.STOPPED
        else:
            turn.status = TurnStatus.FAILED
            summary = redact(sanitize_line(f"{type(error).__name__}: {error}"), self.secrets)
            turn.error = ErrorInfo(kind="could not start", summary=summary)

    def _request_ended(self, conversation: Conversation, turn: Turn, started: bool) -> None:
        """One request's answer is over: save it, report it, say what went wrong."""
        self.history.save(conversation, turn)
        self.report(AnswerEnded(turn, started))
        if turn.status is TurnStatus.FAILED and turn.error is not None:
            self._notice(f"{turn.error.kind}: {turn.error.summary}", "error", title="The answer failed", timeout=None)
            if turn.error.status == 404 and turn.replay is None:
                self._in_background(self._suggest_models(turn))

    def _task_done(self) -> None:
        """The turn (with its whole tool loop) is over: the controller is free again."""
        self._task = None
        self._busy_with = None
        self._stepping = self._step_turn = None
        self._steps_granted = 0
        self._approval = None
        if not self._closing:
            self.draft_changed(self._draft, delay=0.0)

    # ------------------------------------------------------------------------------- tools
    async def _tool_definitions(self, conversation: Conversation) -> list[dict[str, Any]]:
        """The client tools this request offers: all of them with tools on (MCP servers started the first
        time), else only those the history already used (the API wants every tool it mentions defined)."""
        if conversation.controls.tools:
            await self.start_mcp_servers()
        return self._known_tool_definitions(conversation)

    def _known_tool_definitions(self, conversation: Conversation) -> list[dict[str, Any]]:
        """`_tool_definitions` without starting anything (for counting a draft's tokens)."""
        if conversation.controls.tools:
            return self.toolbox.definitions()
        used = [
            str(call.get("name", ""))
            for turn in conversation.turns
            if turn.role == "assistant" and turn.replay is None
            for call in turn.tool_calls
        ]
        return self.toolbox.definitions(used) if used else []

    async def start_mcp_servers(self) -> None:
        """Start the configured MCP servers not started yet; say clearly which failed (the conversation
        goes on without their tools)."""
        for server in await self.toolbox.start_servers():
            self._notice(
                f"The MCP server {server.name} could not be started: {server.problem}. The conversation goes on "
                "without its tools.",
                "error",
                title="MCP server failed",
                timeout=20,
            )

    async def _answer_tool_calls(self, conversation: Conversation, turn: Turn) -> Turn | None:
        """Ask about each call of `turn` (in order), run the approved ones together, and add their results
        (all of them, refused ones too) as a `tool` turn. None when the user stopped at an approval:
        nothing is sent, and the calls stay unanswered (/continue asks again)."""
        calls = turn.tool_calls
        blocks = [
            Block(index=i, kind="tool_result", name=sanitize_line(str(c.get("name", ""))), tool_id=str(c.get("id", "")))
            for i, c in enumerate(calls)
        ]
        tools_on = conversation.controls.tools
        runs: dict[int, dict[str, Any]] = {}
        contents: dict[int, tuple[Any, bool]] = {}
        for position, (call, block) in enumerate(zip(calls, blocks, strict=True)):
            name = str(call.get("name", ""))
            spec = self.toolbox.find(name)
            if spec is not None:
                block.note = spec.where
            if not tools_on or spec is None:
                reason = "tools are off in this conversation (/tools on)" if not tools_on else "no such tool here"
                block.decision, block.is_error, block.complete = "unavailable", True, True
                block.text = f"Not run: {reason}."
                contents[position] = (block.text, True)
                continue
            if name in conversation.always_allowed:
                block.decision = "always"
                runs[position] = call
                continue
            approval = await self._approve(
                ApprovalRequest(
                    tool_id=block.tool_id,
                    name=block.name,
                    where=spec.where,
                    description=sanitize_line(spec.description),
                    input_json=sanitize(input_json(call.get("input", {}))),
                    position=position + 1,
                    count=len(calls),
                    turn=turn,
                )
            )
            if approval.decision is Decision.STOP:
                self._notice(
                    "Stopped before running the tools: nothing was sent. /continue asks about them again; a new "
                    "message tells Claude they were not run.",
                    timeout=12,
                )
                return None
            if approval.decision is Decision.REFUSE:
                text = refusal_text(approval.reason)
                block.decision, block.is_error, block.complete, block.text = "refused", True, True, text
                if approval.reason.strip():
                    block.note = f"{block.note} · refused: {sanitize_line(approval.reason.strip())[:200]}"
                contents[position] = (text, True)
                continue
            if approval.decision is Decision.ALWAYS:
                conversation.always_allowed.add(name)
            block.decision = "always" if approval.decision is Decision.ALWAYS else "approved"
            runs[position] = call
        tool_turn = Turn(role="tool", blocks=blocks)
        self.report(ToolsRunning(tool_turn))
        stopped = await self._run_tools(tool_turn, runs, contents)
        tool_turn.api_content = [
            {"type": "tool_result", "tool_use_id": block.tool_id, "content": contents[i][0], "is_error": contents[i][1]}
            if contents[i][1]
            else {"type": "tool_result", "tool_use_id": block.tool_id, "content": contents[i][0]}
            for i, block in enumerate(blocks)
        ]
        conversation.turns.append(tool_turn)
        self.history.save(conversation, tool_turn)
        self.report(ToolsRunning(tool_turn, done=True))
        if stopped:
            self._notice("Stopped while the tools ran: the results so far are kept. /continue sends them.", timeout=12)
            return None
        return tool_turn

    async def _run_tools(
        self, tool_turn: Turn, runs: dict[int, dict[str, Any]], contents: dict[int, tuple[Any, bool]]
    ) -> bool:
        """Run the approved calls together (each with the timeout); each result lands in its block as it
        comes. True if the user stopped them (the unfinished ones are then marked so)."""
        blocks = tool_turn.blocks

        async def run(position: int, call: dict[str, Any]) -> None:
            started = clock.now()
            output = await self.toolbox.run(str(call.get("name", "")), call.get("input", {}))
            block = blocks[position]
            block.text = sanitize(output.text)
            block.is_error = output.is_error
            block.complete = True
            took = clock.now() - started
            block.note = f"{block.note} · {took * 1000:,.0f} ms" if took < 10 else f"{block.note} · {took:,.1f} s"
            contents[position] = (output.content, output.is_error)
            self.report(ToolsRunning(tool_turn))

        tasks = [asyncio.create_task(run(position, call)) for position, call in runs.items()]
        try:
            if tasks:
                await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for position in runs:
                if position not in contents:
                    block = blocks[position]
                    block.decision, block.is_error, block.complete = "stopped", True, True
                    block.text = "Stopped by the user before it finished."
                    contents[position] = (block.text, True)
            return True
        return False

    async def _approve(self, request: ApprovalRequest) -> Approval:
        """The policy's decision; by default the user's, through `ApprovalNeeded` and `answer_approval`."""
        if self.approval is not None:
            return await self.approval(request)
        future: asyncio.Future[Approval] = asyncio.get_running_loop().create_future()
        self._approval = future
        self.report(ApprovalNeeded(request))
        try:
            return await future
        finally:
            self._approval = None

    @property
    def awaiting_approval(self) -> bool:
        return self._approval is not None and not self._approval.done()

    def answer_approval(self, approval: Approval) -> None:
        """The user's decision on the call shown (`ApprovalNeeded`); `STOP` stops the turn."""
        future = self._approval
        if future is None or future.done():
            return
        if approval.decision is Decision.STOP:
            self.stop()  # the turn's task is cancelled while it waits: nothing runs, nothing is sent
            return
        future.set_result(approval)

    def continue_tools(self) -> bool:
        """A turn that stopped mid-loop (calls unanswered, or results not sent yet) goes on from there."""
        if self.busy or self.opening:
            self._notice("Wait for the answer to finish, or press Esc, first.", "warning")
            return False
        conversation = self.conversation
        turns = conversation.turns
        if turns and turns[-1].is_tool_results:
            self.start_answer()
            return True
        last = turns[-1] if turns else None
        if last is None or not conversation.unanswered_tool_calls:
            self._notice("No tool loop to continue: the last answer did not stop waiting for tools.")
            return False
        self._busy_with = last
        task = self._task = asyncio.create_task(self._run_turn(conversation, last, None, streamed=True))
        task.add_done_callback(lambda _: self._task_done() if self._task is task else None)
        return True

    def _in_background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _suggest_models(self, turn: Turn) -> None:
        """After a 404 (an unknown model, usually): list the models this key can use."""
        from tui_chat.session.model_catalog import fetch_models

        try:
            models = await fetch_models(await self.client())
        except Exception:
            return
        self.models = models
        if models:
            self.report(ModelsSuggested(turn, models))

    def _retry_policy(self) -> RetryPolicy:
        from tui_chat.stream.retry import RetryPolicy

        return RetryPolicy(max_retries=self.backend.settings.max_retries)

    def stop(self) -> bool:
        """Stop the answer (or experiment) running; the partial answer is kept. False if nothing runs."""
        if self._task is None:
            return False
        self._task.cancel()
        return True

    async def wait(self) -> None:
        """Until the answer running now (if any) has ended and been reported."""
        task = self._task
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)

    async def aclose(self) -> list[str]:
        """Stop what runs (its end is saved), save the draft, then close the store; return what could not be
        saved."""
        self._closing = True
        self.stop()
        await self.wait()
        self._cancel_count()
        for task in list(self._background):
            task.cancel()
        self.flush_draft()
        await self.toolbox.aclose()  # MCP servers' processes end with the app
        return self.history.close()

    def checkpoint(self) -> None:
        """Save the partial answer streaming now (the screen calls this every second)."""
        self.history.checkpoint(self.conversation)

    # ------------------------------------------------------------------------ retry and edit
    def retry(self) -> bool:
        """A new answer to the last message: after a failure, or to regenerate a complete one."""
        if self.opening:
            self._notice("Opening the saved conversation: try again in a moment.", "warning")
            return False
        if not self.can_retry:
            self._notice("Nothing to answer again yet.")
            return False
        problems = refusals(self.conversation.model, self.conversation.controls, self._known_capabilities())
        if problems and self.conversation.turns[-1].replay is None:
            self._notice("Not sent: " + " ".join(problems), "warning", timeout=15)
            return False
        previous = self.conversation.discard_last_assistant()
        replay = None
        if previous is not None:
            self.report(TurnsRemoved(frozenset({previous.id})))
            replay = self._replays.pop(previous.id, None)
        self.start_answer(replay)
        return True

    def edit_last(self) -> bool:
        """Put the last message back in the prompt; sending replaces it and its answer."""
        if self.busy:
            self._notice("Wait for the answer to finish, or press Esc, first.", "warning")
            return False
        last = next((t for t in reversed(self.conversation.turns) if t.role == "user" and t.replay is None), None)
        if last is None:
            self._notice("No message to edit yet.")
            return False
        self.editing = last
        if last.attachments:
            self.attachments = list(last.attachments)
            self.report(AttachmentsChanged(tuple(self.attachments)))
        # (sanitized: a stored message is as untrusted as any stored text, and what is sent is what is shown)
        self.report(PromptText(sanitize(last.api_content) if isinstance(last.api_content, str) else last.text))
        self._notice("Editing your last message: Enter resends it and replaces its answer.", timeout=8)
        return True

    def _drop_from(self, turn: Turn) -> None:
        """Remove `turn` and everything after it (editing an earlier message)."""
        turns = self.conversation.turns
        if turn not in turns:
            return
        index = turns.index(turn)
        dropped = turns[index:]
        del turns[index:]
        self.report(TurnsRemoved(frozenset(t.id for t in dropped)))
        if turns:
            self.history.save(self.conversation, turns[-1])

    # ------------------------------------------------------------------------ conversations
    def new_conversation(self) -> None:
        self.stop()
        self.flush_draft()
        self.history.compact(self.conversation)  # (the one left: its last answer's frames packed)
        self.conversation = Conversation(
            model=self.conversation.model,
            system=self.conversation.system,
            max_tokens=self.backend.settings.max_tokens,
            controls=self.conversation.controls.copy(),
        )
        self.editing = None
        self.report(ConversationShown(self.conversation, opened=False))
        self.restore_draft()
        self._notice("New conversation.")
        self.draft_changed(self._draft, delay=0.0)

    async def resume(self, which: str) -> None:
        """Open the last saved conversation (`which` == "") or the one whose id starts with `which`."""
        store = self.history.open_store()
        if store is None:
            return
        from tui_chat.session.store import StoreError

        await self.history.settle()
        try:
            conversation_id = store.last_id() if which == "" else store.find(which)
        except StoreError as error:
            self._notice(error_line(error, self.secrets), "error", timeout=10)
            return
        if conversation_id is None:
            self._notice("No saved conversation yet: this is a new one.")
            return
        await self.open_saved(conversation_id)

    async def open_saved(self, conversation_id: str) -> bool:
        """Load a saved conversation in a thread (the UI keeps drawing), then make it the current one."""
        from tui_chat.session.store import StoreError, load_conversation

        store = self.history.open_store()
        if store is None:
            return False
        self.opening = True  # a message sent now would go to the conversation being replaced
        try:
            await self.history.settle()
            conversation = await asyncio.to_thread(load_conversation, store.path, conversation_id)
        except StoreError as error:
            self._notice(error_line(error, self.secrets), "error", timeout=10)
            return False
        finally:
            self.opening = False
        self.history.compact(conversation, stored=True)
        self.show_conversation(conversation)
        if conversation.load_notes:  # a damaged or hand-edited database: what was read is shown, the rest marked
            note = sanitize_line("; ".join(conversation.load_notes))[:300]
            self._notice(f"Not all of this conversation could be read: {note}.", "warning")
        return True

    def show_conversation(self, conversation: Conversation) -> None:
        """Make `conversation` the current one; its next turn sends its whole history."""
        self.stop()
        self.flush_draft()
        if conversation is not self.conversation:
            self.history.compact(self.conversation)  # (the one left: its last answer's frames packed)
        self.conversation = conversation
        self._replays.clear()
        self.editing = None
        self.report(ConversationShown(conversation, opened=True))
        self.report(SettingsChanged())
        self.restore_draft()
        self.draft_changed(self._draft, delay=0.0)
        turns = conversation.turns
        if conversation.unanswered_tool_calls or (turns and turns[-1].is_tool_results):
            waiting = (
                "its tool calls were not answered"
                if conversation.unanswered_tool_calls
                else "its tool results were not sent"
            )
            self._notice(
                f"This conversation stopped in the middle of a tool loop ({waiting}). /continue goes on from there "
                "(asking you before any tool runs); a new message tells Claude the calls were not run.",
                title="A tool loop to continue",
                timeout=30,
            )

    # ------------------------------------------------------------------------------ drafts
    @property
    def draft_key(self) -> str:
        """Where the prompt's unsent text is kept: the conversation's id, or "" while it has no message."""
        return self.conversation.id if self.conversation.turns else ""

    def set_draft(self, text: str) -> None:
        """The prompt's text changed: it is saved as this conversation's draft after `DRAFT_DELAY` of quiet
        (one small write per pause in typing, not one per key)."""
        key = self.draft_key
        if self._drafts_kept.get(key, "") == text:
            self._unsaved_draft = None  # back to what is saved: nothing to write
        else:
            self._unsaved_draft = (key, text)
        if self._draft_timer is not None:
            self._draft_timer.cancel()
            self._draft_timer = None
        if self._unsaved_draft is not None:
            self._draft_timer = asyncio.get_running_loop().call_later(DRAFT_DELAY, self.flush_draft)

    def flush_draft(self) -> None:
        """Save the draft waiting for its pause now (before another conversation is shown, or at the end)."""
        if self._draft_timer is not None:
            self._draft_timer.cancel()
            self._draft_timer = None
        pending, self._unsaved_draft = self._unsaved_draft, None
        if pending is not None:
            key, text = pending
            self.history.save_draft(key, text)
            self._drafts_kept[key] = text

    def restore_draft(self) -> None:
        """Put the current conversation's draft in the prompt (an empty prompt if it has none)."""
        key = self.draft_key
        text = self.history.draft(key)
        self._drafts_kept[key] = text
        self.report(PromptText(text))

    def _discard_draft(self) -> None:
        """The prompt's text is being sent: its draft goes."""
        key = self.draft_key
        if self._draft_timer is not None:
            self._draft_timer.cancel()
            self._draft_timer = None
        self._unsaved_draft = None
        if self._drafts_kept.get(key):
            self.history.save_draft(key, "")
        self._drafts_kept[key] = ""

    # ---------------------------------------------------------------------------- replays
    async def replay_named(self, name: str) -> None:
        from tui_chat.session.recording import find_recording

        settings = self.backend.settings
        try:
            recording = find_recording(name)
        except (OSError, FileNotFoundError) as error:
            self._notice(error_line(error, self.secrets), "error", timeout=15)
            return
        self.start_replay(ReplayChoice(recording, settings.replay_speed, settings.replay_step))

    def start_replay(self, choice: ReplayChoice) -> bool:
        """Replay a recording as an answer: same stream class, same panes; not part of the history sent."""
        if self.busy or self.opening:
            self._notice("Wait for the answer to finish, or press Esc, before replaying.", "warning")
            return False
        recording = choice.recording
        how = "one event per keypress" if choice.step else f"speed ×{choice.speed:g}"
        user = self.conversation.add_user(f"▶ Replay of {recording.name} ({how})")
        user.replay = recording.name
        self.history.save(self.conversation, user)
        self.report(UserTurnAdded(user))
        self.start_answer(choice)
        return True

    async def _queue_replay(self, choice: ReplayChoice) -> AsyncAnthropic:
        from tui_chat.demo.server import Recording

        client, thread = await asyncio.to_thread(self.backend.prepare_replay)
        recording = choice.recording
        served = Recording(
            recording.body, delays=recording.delays(choice.speed), headers=dict(recording.headers), step=choice.step
        )
        thread.call(thread.server.queue_recording, served)
        if choice.step:
            self._stepping = thread
            if self._steps_granted:
                self.step(0)
        return client

    def step(self, count: int) -> None:
        """Let the replay in step mode send `count` more events (kept until its server is ready)."""
        if not self.stepping:
            return
        self._steps_granted += count
        if self._stepping is not None and self._steps_granted:
            self._stepping.call(self._stepping.server.grant_steps, self._steps_granted)
            self._steps_granted = 0

    # ------------------------------------------------------------------- model and system
    def set_model(self, model: str) -> None:
        self.conversation.model = sanitize_line(model)
        self.history.save_header(self.conversation)
        self.report(SettingsChanged())
        self._notice(f"Model for the next turns: {self.conversation.model}")
        self.draft_changed(self._draft, delay=0.0)
        if not self.conversation.controls.is_default or self.attachments:
            self._in_background(self._check_model_fit())

    async def _check_model_fit(self) -> None:
        """After a model change: say at once if the conversation's controls no longer fit it."""
        model = self.conversation.model
        problems = refusals(model, self.conversation.controls, await self.model_capabilities(), self.attachments)
        if problems and model == self.conversation.model:
            self._notice(
                " ".join(problems) + " Messages will not be sent until that changes.",
                "warning",
                title=f"{model} and this conversation's settings",
                timeout=15,
            )

    def set_system(self, text: str) -> None:
        self.conversation.system = text or None
        self.report(SettingsChanged())
        self._notice("System prompt set." if text else "System prompt cleared.")

    async def list_models(self) -> tuple[list[ModelChoice], str]:
        """The models for the picker, and a sentence saying where the list came from."""
        from tui_chat.session.model_catalog import FALLBACK_MODELS, FALLBACK_MODELS_AS_OF, fetch_models

        try:
            models = await fetch_models(await self.client())
        except Exception as error:
            reason = redact(sanitize_line(str(error)), self.secrets)[:120]
            note = f"The Models API could not be reached ({reason}); the public lineup of {FALLBACK_MODELS_AS_OF}:"
            return list(FALLBACK_MODELS), note
        self.models = models
        self._models_listed = True
        if not models:
            return list(FALLBACK_MODELS), "The Models API listed no models; the public lineup:"
        return models, f"Models listed by {self.backend.endpoint} (GET /v1/models)."

    # ---------------------------------------------------------------------- request controls
    async def model_capabilities(self, model: str | None = None) -> Capabilities | None:
        """What `model` (default: the conversation's) accepts, from the Models API (asked once a session);
        None when it is not listed or the list cannot be had (then requests go as asked)."""
        async with self._models_lock:
            if not self._models_listed:
                from tui_chat.session.model_catalog import fetch_models

                self._models_listed = True
                with contextlib.suppress(Exception):  # a gateway without the Models API: capabilities stay unknown
                    self.models = await fetch_models(await self.client())
        return self._known_capabilities(model)

    def _known_capabilities(self, model: str | None = None) -> Capabilities | None:
        from tui_chat.session.model_catalog import find_model

        choice = find_model(model or self.conversation.model, self.models)
        return None if choice is None else choice.capabilities

    async def set_thinking(self, argument: str) -> bool:
        """`summarized`, `omitted`, `off` or `default` (see `RequestControls.thinking`)."""
        choice = argument.strip().lower()
        if choice not in THINKING_CHOICES:
            return self._bad_argument("/thinking", argument, "summarized, omitted, off or default")
        return await self._change("/thinking", argument, thinking=choice)

    async def set_effort(self, argument: str) -> bool:
        """`low` … `max`, or `default` (no `output_config`)."""
        level = argument.strip().lower()
        if level not in (*EFFORT_LEVELS, "default"):
            return self._bad_argument("/effort", argument, ", ".join(EFFORT_LEVELS) + " or default")
        return await self._change("/effort", argument, effort=None if level == "default" else level)

    async def set_web(self, argument: str = "") -> bool:
        """Web search and fetch `on` or `off` (no argument: the other way round)."""
        switch = self._switch("/web", argument, self.conversation.controls.web)
        return switch is not None and await self._change("/web", argument, web=switch)

    async def set_code_execution(self, argument: str = "") -> bool:
        switch = self._switch("/code-exec", argument, self.conversation.controls.code_execution)
        return switch is not None and await self._change("/code-exec", argument, code_execution=switch)

    async def set_tools(self, argument: str = "") -> bool:
        """claude-tui's client tools `on` or `off` for this conversation (no argument: the other way round)."""
        switch = self._switch("/tools", argument, self.conversation.controls.tools)
        return switch is not None and await self._change("/tools", argument, tools=switch)

    async def list_tools(self) -> ToolsListed:
        """Every tool Claude can be offered (the MCP servers started to list theirs), reported and returned."""
        await self.start_mcp_servers()
        listed = ToolsListed(
            enabled=self.conversation.controls.tools,
            tools=tuple(
                ToolInfo(spec.name, spec.where, sanitize_line(spec.description)) for spec in self.toolbox.specs()
            ),
            servers=tuple(
                (server.name, sanitize_line(server.config.describe), server.problem)
                for server in self.toolbox.servers.values()
            ),
        )
        self.report(listed)
        return listed

    async def set_cache(self, argument: str = "") -> bool:
        switch = self._switch("/cache", argument, self.conversation.controls.cache)
        return switch is not None and await self._change("/cache", argument, cache=switch)

    def _switch(self, command: str, argument: str, current: bool) -> bool | None:
        if not argument.strip():
            return not current
        switch = parse_switch(argument)
        if switch is None:
            self._bad_argument(command, argument, "on or off")
        return switch

    def _bad_argument(self, command: str, argument: str, expected: str) -> bool:
        shown = sanitize_line(argument.strip())[:40]
        self._notice(f"{command} takes {expected}, not “{shown}”.", "warning", timeout=10)
        self.report(PromptText(f"{command} {argument.strip()}".rstrip()))
        return False

    async def _change(self, command: str, argument: str, **change: Any) -> bool:
        """Apply a change to the conversation's controls unless the model would refuse it (then say why,
        and give the command back to the prompt)."""
        from dataclasses import replace

        before = self.conversation.controls
        after = replace(before, **change)
        if after == before:
            self._notice(f"Already so: {self._controls_sentence(after)}")
            return True
        model = self.conversation.model
        capabilities = await self.model_capabilities() if after != RequestControls() else None
        earlier = refusals(model, before, capabilities)
        new = [problem for problem in refusals(model, after, capabilities) if problem not in earlier]
        if new:
            self._notice("Not changed: " + " ".join(new), "warning", title="The model would refuse it", timeout=15)
            self.report(PromptText(f"{command} {argument.strip()}".rstrip()))
            return False
        self.conversation.controls = after
        self.history.save_header(self.conversation)
        self.report(SettingsChanged())
        unknown = ""
        if capabilities is None and after != RequestControls():
            unknown = f" (The capabilities of {model} are not known: sent as asked; the API will say if it refuses.)"
        self._notice(self._controls_sentence(after) + unknown, timeout=10)
        self.draft_changed(self._draft, delay=0.0)
        return True

    @staticmethod
    def _controls_sentence(controls: RequestControls) -> str:
        changed = ", ".join(controls.changed()) or "the defaults"
        wire = "; ".join(wire_summary(controls)) or "nothing beyond model, max_tokens, messages and system"
        return f"This conversation's requests: {changed}. On the wire: {wire}."

    # --------------------------------------------------------------------------- attachments
    async def attach(self, argument: str, *, typed: bool = True) -> bool:
        """`/attach PATH` (an image, a PDF or a text file for the next message) or `/attach clear`.
        A refusal says why; a typed command goes back to the prompt to be corrected."""
        text = argument.strip()
        if text.lower() == "clear":
            count = len(self.attachments)
            self.attachments = []
            self.report(AttachmentsChanged(()))
            self._notice("No files attached." if not count else f"Removed {count} attached file(s).")
            self.draft_changed(self._draft, delay=0.0)
            return True
        if not text:
            return self._bad_argument("/attach", argument, "a file's path (or clear)")
        try:
            attachment = await asyncio.to_thread(lambda: read_attachment(Path(text).expanduser()))
            total = sum(a.encoded_size for a in self.attachments) + attachment.encoded_size
            if total > FILE_MAX_BYTES * 4 // 3:
                raise AttachmentError(
                    f"{attachment.name} would make the attached files {format_size(total)} once encoded; a request "
                    f"to the API holds at most {format_size(FILE_MAX_BYTES * 4 // 3)} of them."
                )
            if attachment.kind in ("image", "pdf"):
                problems = refusals(
                    self.conversation.model, RequestControls(), await self.model_capabilities(), [attachment]
                )
                if problems:
                    raise AttachmentError(" ".join(problems) + " Choose another model to send it.")
        except AttachmentError as error:
            self._notice(str(error), "warning", title="Not attached", timeout=15)
            if typed:
                self.report(PromptText(f"/attach {text}"))
            return False
        self.attachments.append(attachment)
        self.report(AttachmentsChanged(tuple(self.attachments)))
        self._notice(f"Attached {attachment.describe()}: it goes with your next message.", timeout=8)
        self.draft_changed(self._draft, delay=0.0)
        return True

    # ---------------------------------------------------------------------------- context
    COUNT_DELAY = 0.8
    """Seconds of no typing before the draft's request is counted."""

    def draft_changed(self, text: str, *, delay: float | None = None) -> None:
        """The prompt holds `text`: count what sending it would send (after `COUNT_DELAY` of no typing, in
        the background), or, with an empty prompt, show the last answer's usage."""
        if text.lstrip().startswith("/"):
            text = ""  # a slash command is not sent
        self._draft = text
        self._cancel_count()
        if not text.strip() and not self.attachments:
            self.report(ContextChanged(self.context_usage()))
            return
        wait = self.COUNT_DELAY if delay is None else delay
        self._count_task = asyncio.create_task(self._count_later(text, wait))

    def _cancel_count(self) -> None:
        if self._count_task is not None:
            self._count_task.cancel()
            self._count_task = None

    async def _count_later(self, text: str, wait: float) -> None:
        if wait > 0:
            await asyncio.sleep(wait)
        if self.busy:  # counted again when the answer has ended
            return
        usage = await self.count_draft(text)
        if text == self._draft:
            self.report(ContextChanged(usage))

    def context_usage(self) -> ContextUsage:
        """The gauge with an empty prompt: the last answer's input + output."""
        from tui_chat.session.model_catalog import context_window

        tokens, _ = last_answer_tokens(self.conversation)
        limit = context_window(self.conversation.model, self.models)
        return ContextUsage(tokens, limit, "last answer" if tokens is not None else "none")

    def _count_key(self, text: str) -> tuple[Any, ...]:
        conversation = self.conversation
        return (
            conversation.id,
            len(conversation.turns),
            text,
            tuple(id(a) for a in self.attachments),
            conversation.model,
            conversation.controls.to_json(),
            conversation.system,
        )

    async def count_draft(self, text: str) -> ContextUsage:
        """`count_tokens` of the request that sending `text` (with the attached files) would make; an
        estimate when the endpoint cannot count (a gateway without it)."""
        from tui_chat.session.conversation import Turn
        from tui_chat.session.model_catalog import context_window

        await self.model_capabilities()  # (the Models API, once: the model's input limit)
        conversation = self.conversation
        key = self._count_key(text)
        limit = context_window(conversation.model, self.models)
        draft = Turn(role="user", text=text, api_content=text, attachments=list(self.attachments))
        characters = len(text) + sum(
            len(turn.text) + sum(len(b.text) for b in turn.blocks) for turn in conversation.turns
        )
        if self._counting and characters <= COUNTED_CHARACTERS:
            tools = self._known_tool_definitions(conversation)
            params = count_params(
                request_params(conversation, messages=conversation.api_messages(draft), extra_tools=tools)
            )
            try:
                client = await self.client()
                result = await client.messages.count_tokens(**params)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                status = getattr(error, "status_code", None)
                if status in (404, 405, 501) or status is None:
                    self._counting = False  # not there (or not reachable): estimate from now on
            else:
                self._counted = (key, int(result.input_tokens))
                return ContextUsage(int(result.input_tokens), limit, "counted")
        attached = sum(a.encoded_size for a in self.attachments)
        return ContextUsage(estimated_tokens(conversation, text, attached), limit, "estimated")

    # ------------------------------------------------------------------------------- TTFT
    def run_ttft(self, prompt: str | None = None) -> bool:
        """The tutorial's TTFT experiment: the same prompt streamed, then not streamed."""
        if self.busy:
            self._notice("Wait for the answer to finish, or press Esc, first.", "warning")
            return False
        task = self._task = asyncio.create_task(self._ttft(prompt))
        task.add_done_callback(lambda done: self._ttft_done(done))
        return True

    def _ttft_done(self, task: asyncio.Task[None]) -> None:
        if self._task is task:  # (stopped before it started)
            self._task = None

    async def _ttft(self, prompt: str | None) -> None:
        from tui_chat.session.ttft import DEFAULT_MAX_TOKENS, DEFAULT_PROMPT
        from tui_chat.session.ttft_runner import run_ttft_experiment

        key = next(self._ttft_keys)
        text = prompt or DEFAULT_PROMPT
        model = self.conversation.model
        self.report(TtftStarted(key, model, sanitize_line(text)))
        try:
            experiment = await run_ttft_experiment(await self.client(), model, text, DEFAULT_MAX_TOKENS)
        except asyncio.CancelledError:
            self._notice("TTFT experiment stopped.")
            return
        finally:
            self._task = None
        self.experiments.append(experiment)
        self.report(TtftFinished(key, experiment))

    # --------------------------------------------------------------------- files and copies
    def _write(self, what: str, path_text: str | None, kind: str, data: str | bytes) -> Path | None:
        try:
            path = Path(path_text) if path_text else Path.cwd() / default_export_name(kind)
        except OSError:  # (the current folder was deleted)
            self._notice("The current folder no longer exists: give the file's full path (/export PATH).", "error")
            return None
        try:
            written = write_export(path, data)
        except FileExistsError:
            self._notice(
                f"{sanitize_line(str(path))} already exists; nothing was overwritten. Give another name: /export NAME",
                "warning",
                timeout=10,
            )
            return None
        except ExportError as error:
            self._notice(error_line(error, self.secrets), "error", timeout=10)
            return None
        self._notice(f"{what} saved to {sanitize_line(str(written))}", timeout=8)
        return written

    def export_markdown(self, argument: str = "") -> Path | None:
        """`[--no-metrics] [PATH]`: the conversation as markdown."""
        words = argument.split()
        include_metrics = "--no-metrics" not in words
        path = " ".join(w for w in words if w != "--no-metrics") or None
        text = conversation_to_markdown(self.conversation, include_metrics=include_metrics)
        return self._write("Transcript", path, "markdown", text)

    def export_json(self, argument: str = "") -> Path | None:
        return self._write("Messages (JSON)", argument or None, "json", conversation_to_api_json(self.conversation))

    def save_recording(self, argument: str = "") -> Path | None:
        """The last answer's wire stream: `NAME.sse` (exact bytes) and `NAME.sse.json` (timing)."""
        turn = next((t for t in reversed(self.conversation.turns) if t.wire and t.wire.events), None)
        if turn is None or turn.wire is None:
            self._notice("No answer with a recorded stream yet.", "warning")
            return None
        try:
            recording = recording_from_record(turn.wire, f"turn-{turn.number}")
        except WireUnavailableError as error:
            self._notice(f"Not saved: {error_line(error, self.secrets)}.", "error", timeout=10)
            return None
        what = "Recording"
        if turn.status is TurnStatus.STREAMING:  # what has arrived so far; the answer goes on
            what = f"A partial recording ({len(turn.wire.events):,} events so far: the answer is still streaming)"
        written = self._write(what, argument or None, "sse", recording.body)
        if written is not None:
            try:
                write_export(meta_path(written), recording_meta(recording))
            except (ExportError, FileExistsError) as error:
                self._notice(f"Timing not saved: {error_line(error, self.secrets)}", "warning")
        return written

    def copy(self, text: str, what: str) -> None:
        """Copy `text`: the UI writes OSC 52 (it reaches the local terminal over SSH); a file gets it too."""
        from tui_chat.config import data_dir

        problem = ""
        try:
            fallback: Path | None = write_clipboard_fallback(text, data_dir())
        except (ExportError, OSError) as error:  # a folder in its place, a full disk...
            fallback, problem = None, error_line(error, self.secrets)
        self.report(CopyRequested(text, what, fallback, problem))

    def copy_last(self, argument: str = "") -> None:
        """The last answer, or (`code`) the last code block of the answers."""
        if argument.strip() == "code":
            for turn in reversed(self.conversation.turns):
                if turn.role == "assistant" and (blocks := code_blocks(turn.answer_text)):
                    self.copy(blocks[-1][1], f"the last code block of answer {turn.number}")
                    return
            self._notice("No code block to copy yet.")
            return
        answer = next((t for t in reversed(self.conversation.turns) if t.role == "assistant" and t.answer_text), None)
        if answer is None:
            self._notice("No answer to copy yet.")
            return
        self.copy(answer.answer_text, f"answer {answer.number}")
