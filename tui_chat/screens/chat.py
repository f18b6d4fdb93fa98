"""The main screen: conversation, metrics and prompt on the left, event inspector on the right.

It composes the panes, binds the keys (generated from the command table) and renders what the chat
controller reports. The turn lifecycle itself lives in `session.controller.ChatController`.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import TextArea

from tui_chat.adapters.textual_private import write_to_terminal
from tui_chat.bindings import bindings
from tui_chat.commands import Scope, active_keymap, find_slash, slash_help
from tui_chat.messages import PromptSubmitted, StreamBatch, TurnEnded, TurnStarted
from tui_chat.preferences import Preferences
from tui_chat.render.sections import TtftSection
from tui_chat.safety import sanitize_line
from tui_chat.screens.choice import ChoiceScreen
from tui_chat.screens.conversation_list import ConversationListScreen, ListChoice
from tui_chat.screens.copy_picker import CopyPickerScreen
from tui_chat.screens.event_detail import EventDetailScreen
from tui_chat.screens.file_picker import FilePickerScreen
from tui_chat.screens.model_picker import ModelPickerScreen
from tui_chat.screens.replay_picker import ReplayPickerScreen
from tui_chat.screens.session_metrics import SessionMetricsScreen
from tui_chat.session import reports
from tui_chat.session.backend import Backend
from tui_chat.session.clipboard import (
    CLIPBOARD_FILENAME,
    CopyItem,
    copy_items,
    osc52_sequence,
    tmux_passthrough,
)
from tui_chat.session.collector import CollectorPolicy
from tui_chat.session.controller import ChatController
from tui_chat.session.conversation import Conversation, Turn, TurnStatus
from tui_chat.session.history import History
from tui_chat.session.recording import ReplayChoice
from tui_chat.stream.types import UI_READ_PACE
from tui_chat.widgets.conversation_view import ConversationView
from tui_chat.widgets.event_inspector import EventInspector
from tui_chat.widgets.find_bar import FindBar, FindInput
from tui_chat.widgets.inspector_pane import InspectorPane
from tui_chat.widgets.key_bar import KeyBar
from tui_chat.widgets.metrics_panel import MetricsPanel
from tui_chat.widgets.prompt_input import PromptInput
from tui_chat.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

    from tui_chat.session.recorder import TurnRecorder
    from tui_chat.session.ttft import TtftExperiment
    from tui_chat.stream.retry import RetryPolicy


class ChatScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_suffix(".tcss")

    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.STEP, Scope.CHAT)  # step keys first on the key bar

    def __init__(
        self,
        backend: Backend,
        *,
        preferences: Preferences | None = None,
        save_preferences: Callable[[], None] | None = None,
        collector: CollectorPolicy | None = None,
        low_bandwidth: bool = False,
        exit_notes: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.preferences = preferences or Preferences()
        self._save_preferences = save_preferences or (lambda: None)
        settings = backend.settings
        from tui_chat.config import data_dir

        history = History(None if settings.no_history else data_dir(), secrets=settings.secrets, notify=self._report)
        from tui_chat.tools.files import private_folders
        from tui_chat.tools.toolbox import Toolbox

        toolbox = Toolbox(
            Path.cwd(),
            secrets=settings.secrets,
            private=private_folders(),
            settings=self.preferences.tools,
            log_dir=data_dir(),
        )
        self.controller = ChatController(
            backend,
            report=self._report,
            stream_factory=self._stream,
            history=history,
            collector=collector,
            toolbox=toolbox,
        )
        self.warmed_up = False
        """The start-up thread is done: SDK imported and warmed up, highlighters compiled."""
        self._prompt = PromptInput(id="prompt")
        self._found_query: str | None = None
        """What the find bar last searched for (its own echo of a query set from here is not searched again)."""
        self._ttft_sections: dict[int, TtftSection] = {}
        self._unmounting = False
        self._exit_notes = exit_notes if exit_notes is not None else []
        """Said in the terminal once the app has left the screen (what could not be saved)."""
        self.low_bandwidth = low_bandwidth
        """Low-bandwidth mode (the app decides): no cursor blink, said in the inspector's status."""
        self._blink_after_turn = False
        """The prompt's cursor blinked before the answer started (it does not while one streams)."""

    # -------------------------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield TopBar()
        with Horizontal(id="body"):
            with Vertical(id="chat-column"):
                with Vertical(id="conversation"):
                    yield ConversationView(id="conversation-view", hints=self.preferences.hints)
                    yield FindBar(id="find-bar")
                yield MetricsPanel(self.conversation, id="metrics")
                yield self._prompt
            yield InspectorPane(id="inspector-pane")
        yield KeyBar()

    @property
    def conversation(self) -> Conversation:
        return self.controller.conversation

    @property
    def experiments(self) -> list[TtftExperiment]:
        return self.controller.experiments

    @property
    def view(self) -> ConversationView:
        return self.query_one(ConversationView)

    @property
    def find_bar(self) -> FindBar:
        return self.query_one(FindBar)

    @property
    def inspector(self) -> EventInspector:
        return self.query_one(EventInspector)

    @property
    def inspector_pane(self) -> InspectorPane:
        return self.query_one(InspectorPane)

    @property
    def metrics(self) -> MetricsPanel:
        return self.query_one(MetricsPanel)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    async def on_mount(self) -> None:
        self.query_one("#conversation").border_title = "Conversation"
        self.show_low_bandwidth(self.low_bandwidth)
        self.inspector_pane.display = self.preferences.inspector
        self.controller.read_pace = UI_READ_PACE if self.preferences.paced_reads else 0.0
        self._show_top_bar()
        self.prompt.focus()
        self.prepare_backend()
        self.controller.history.start()
        self.set_interval(1.0, self.controller.checkpoint)
        settings = self.backend.settings
        self.controller.history.open_store()
        if settings.resume is None:
            self.call_later(self.controller.restore_draft)  # (a resumed conversation brings its own)
        if settings.resume is not None:
            self.run_worker(self.controller.resume(settings.resume), group="open", exclusive=True, exit_on_error=False)
        if settings.replay == "":
            self.action_replay_picker()
        elif settings.replay:
            self.run_worker(self.controller.replay_named(settings.replay), exit_on_error=False)

    async def on_unmount(self) -> None:
        self._unmounting = True  # what the controller reports while it stops is not rendered any more
        # The prompt as it is now: the last keys before a quit may not have had their `Changed` handled yet.
        self.controller.set_draft(self._prompt.unsent)
        self._exit_notes.extend(await self.controller.aclose())

    def on_resize(self) -> None:
        """Small terminals: the inspector goes below the chat, borders and extra metrics lines go."""
        width, height = self.size
        self.set_class(width < 100, "-narrow")
        self.set_class(height < 30, "-short")
        self.metrics.compact = height < 30 or width < 70

    def _show_top_bar(self) -> None:
        self.query_one(TopBar).show(
            model=self.conversation.model,
            endpoint=self.backend.endpoint,
            demo=self.backend.is_demo,
            controls=self.conversation.controls.changed(),
        )

    @work(exclusive=True, group="prepare", exit_on_error=False)
    async def prepare_backend(self) -> None:
        """Import the SDK (and start the demo server) in a thread, after the first frame; then warm up."""
        await self.controller.prepare()
        await asyncio.to_thread(self._warm_up)
        self.warmed_up = True

    def _warm_up(self) -> None:
        """The start-up thread's second part, once a message can be sent: the SDK's models, then the
        highlighters. Each step waits while an answer streams: a message sent right after start-up
        waits for none of it, and its stream does not share the interpreter with it."""
        from tui_chat.render.warmup import warm_up_lexers
        from tui_chat.stream.warmup import warm_up

        self._wait_while_streaming()
        warm_up()
        warm_up_lexers(before_each=self._wait_while_streaming)

    def _wait_while_streaming(self) -> None:
        while self.is_attached and self.controller.busy:
            time.sleep(0.05)

    def _stream(
        self,
        client: AsyncAnthropic,
        conversation: Conversation,
        turn: Turn,
        *,
        retry_policy: RetryPolicy,
        **extra: Any,
    ) -> TurnRecorder:
        """The controller's stream for one answer: the UI's, which posts what it reads to the panes."""
        from tui_chat.chat_stream import ChatStream, StreamTargets

        targets = StreamTargets(self.view, self.inspector, self.metrics, self)
        return ChatStream(client, conversation, turn, targets, retry_policy=retry_policy, **extra)

    # --------------------------------------------------------------------- what it reports
    def _report(self, report: reports.Report) -> None:
        """Render what the controller reports, at once (an answer's last stream batch may still be queued
        when its end is reported: nothing here depends on it)."""
        if not self.is_mounted or self._unmounting:
            return
        handler = self._REPORT_HANDLERS.get(type(report))
        if handler is not None:
            handler(self, report)

    def _notice(self, report: reports.Notice) -> None:
        options: dict[str, Any] = {"severity": report.severity, "markup": False}
        if report.title:
            options["title"] = report.title
        if report.timeout is not None:
            options["timeout"] = report.timeout
        self.notify(report.text, **options)

    def _prompt_text(self, report: reports.PromptText) -> None:
        self.prompt.text = report.text
        self.prompt.move_cursor(self.prompt.document.end)  # typing goes on where the text ends
        self.prompt.focus()

    def _user_turn_added(self, report: reports.UserTurnAdded) -> None:
        self.view.add_user(report.turn)

    def _answer_started(self, report: reports.AnswerStarted) -> None:
        self.view.add_assistant(report.turn)
        if self.prompt.cursor_blink:  # a blink repaints the prompt twice a second: bytes over SSH
            self._blink_after_turn = True
            self.prompt.cursor_blink = False
        for target in (self.inspector, self.metrics):
            target.post_message(TurnStarted(report.turn))
        if report.step:
            self.inspector_pane.display = True
            self.inspector.follow()  # each event must come into view as it is sent
            self.inspector.focus()
            self.notify("Step mode: n sends the next event, c plays the rest, Esc stops.", timeout=10)
        self.refresh_bindings()

    def _answer_ended(self, report: reports.AnswerEnded) -> None:
        if not report.started:  # its stream never ran: nothing told the panes
            for target in (self.view, self.inspector, self.metrics):
                target.post_message(TurnEnded(report.turn))
        if self._blink_after_turn and not self.controller.busy:
            self._blink_after_turn = False
            self.prompt.cursor_blink = not self.low_bandwidth
        self.refresh_bindings()

    def _approval_needed(self, report: reports.ApprovalNeeded) -> None:
        """The approval prompt: a modal, so y/a/n can never land in the prompt (its text stays as it is)."""
        from tui_chat.screens.approval import ApprovalScreen
        from tui_chat.session.approval import Approval, Decision

        def decided(approval: Approval | None) -> None:
            self.controller.answer_approval(approval or Approval(Decision.STOP))

        self.app.push_screen(ApprovalScreen(report.request), decided)

    def _tools_running(self, report: reports.ToolsRunning) -> None:
        self.view.show_tool_results(report.turn, done=report.done)

    def _tools_listed(self, report: reports.ToolsListed) -> None:
        from tui_chat.screens.tools import ToolsScreen

        self.app.push_screen(ToolsScreen(report))

    def _turns_removed(self, report: reports.TurnsRemoved) -> None:
        self.view.remove_turns(set(report.turn_ids))

    def _conversation_shown(self, report: reports.ConversationShown) -> None:
        self.close_find(focus_prompt=False)
        conversation = report.conversation
        self.metrics.set_conversation(conversation)
        if report.opened:
            self.view.show_turns(conversation.turns)
            self.inspector.clear()
            self.inspector.add_past_turns(conversation.turns)
            sent = [t.text for t in conversation.turns if t.role == "user" and t.replay is None]
            self.prompt.set_history(sent)
        else:
            self.view.clear_all()
        self.refresh_bindings()

    def _settings_changed(self, report: reports.SettingsChanged) -> None:
        self._show_top_bar()

    def _models_suggested(self, report: reports.ModelsSuggested) -> None:
        widget = self.view.assistant.get(report.turn.id)
        if widget is not None:
            names = ", ".join(model.id for model in report.models[:12])
            key = self.app_keys("pick_model")
            widget.add_note(f"Models available to this key: {names}. {key} picks one.")

    def _ttft_started(self, report: reports.TtftStarted) -> None:
        section = TtftSection(model=report.model, prompt=report.prompt)
        self._ttft_sections[report.key] = section
        self.view.add_section(section)

    def _ttft_finished(self, report: reports.TtftFinished) -> None:
        section = self._ttft_sections.pop(report.key, None)
        if section is not None:
            section.show(report.experiment)
            self.view.relayout()

    def _copy_requested(self, report: reports.CopyRequested) -> None:
        self.app.copy_to_clipboard(report.text)
        if os.environ.get("TMUX"):  # inside tmux: also through its passthrough (see `tmux_passthrough`)
            write_to_terminal(self.app, tmux_passthrough(osc52_sequence(report.text)))
        copied = f"Copied {report.what} ({len(report.text):,} characters)"
        if report.problem:
            self.notify(
                f"{copied} with OSC 52; {CLIPBOARD_FILENAME} (for terminals that ignore OSC 52) could not be "
                f"written: {report.problem}",
                severity="warning",
                markup=False,
                timeout=10,
            )
            return
        also = f" Also in {sanitize_line(str(report.fallback))} (for terminals that ignore OSC 52)."
        self.notify(f"{copied}.{also if report.fallback else ''}", markup=False, timeout=8)

    def _attachments_changed(self, report: reports.AttachmentsChanged) -> None:
        self.prompt.show_attachments(report.attachments)

    def _context_changed(self, report: reports.ContextChanged) -> None:
        self.metrics.set_context(report.usage)

    _REPORT_HANDLERS: ClassVar[dict[type, Callable[[Any, Any], None]]] = {
        reports.Notice: _notice,
        reports.PromptText: _prompt_text,
        reports.UserTurnAdded: _user_turn_added,
        reports.AnswerStarted: _answer_started,
        reports.AnswerEnded: _answer_ended,
        reports.ApprovalNeeded: _approval_needed,
        reports.ToolsRunning: _tools_running,
        reports.ToolsListed: _tools_listed,
        reports.TurnsRemoved: _turns_removed,
        reports.ConversationShown: _conversation_shown,
        reports.SettingsChanged: _settings_changed,
        reports.ModelsSuggested: _models_suggested,
        reports.TtftStarted: _ttft_started,
        reports.TtftFinished: _ttft_finished,
        reports.CopyRequested: _copy_requested,
        reports.AttachmentsChanged: _attachments_changed,
        reports.ContextChanged: _context_changed,
    }

    @staticmethod
    def app_keys(command_id: str) -> str:
        """The key of a command as the user has it (their `[keys]` applied)."""
        return active_keymap().label(command_id)

    # ------------------------------------------------------------------------------- prompts
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """The prompt's text is kept as the conversation's draft (saved after a pause in typing), and its
        tokens counted once typing pauses (the context gauge)."""
        if event.text_area is self.prompt:
            self.controller.set_draft(self.prompt.unsent)
            self.controller.draft_changed(self.prompt.text)

    async def on_prompt_submitted(self, message: PromptSubmitted) -> None:
        text = message.text
        if text.lstrip().startswith("/"):
            await self.run_slash_command(text.strip())
        else:
            await self.controller.send(text)

    async def run_slash_command(self, line: str) -> None:
        command, name, argument = find_slash(line)
        if command is None:
            unknown = sanitize_line(name)[:40]
            self.notify(f"Unknown command {unknown} — /help lists them.", severity="warning", markup=False)
            return
        prefix = "app." if command.scope is Scope.APP else ""
        if command.takes_argument:
            await self.run_action(f"{prefix}{command.slash_action}({argument!r})")
        else:
            await self.run_action(f"{prefix}{command.binding_action}")

    def action_slash_copy(self, argument: str) -> None:
        self.controller.copy_last(argument)

    def action_slash_export(self, argument: str) -> None:
        self.controller.export_markdown(argument)

    def action_slash_export_json(self, argument: str) -> None:
        self.controller.export_json(argument)

    def action_slash_save_recording(self, argument: str) -> None:
        self.controller.save_recording(argument)

    async def action_slash_replay(self, argument: str) -> None:
        if argument:
            await self.controller.replay_named(argument)
        else:
            self.action_replay_picker()

    def action_slash_ttft(self, argument: str) -> None:
        self.controller.run_ttft(argument or None)

    def action_slash_model(self, argument: str) -> None:
        if argument:
            self.controller.set_model(argument)
        else:
            self.action_pick_model()

    def action_slash_system(self, argument: str) -> None:
        self.controller.set_system(argument)

    # ---------------------------------------------------------------------- request controls
    THINKING_CHOICES: ClassVar[list[tuple[str, str]]] = [
        ("default", "send no thinking parameter: the model's own default"),
        (
            "summarized",
            'thinking={"type": "adaptive", "display": "summarized"}: thinking streams into its folded block',
        ),
        ("omitted", 'thinking={"type": "adaptive", "display": "omitted"}: an empty thinking block, only its signature'),
        ("off", 'thinking={"type": "disabled"} (models that always think refuse it)'),
    ]
    EFFORT_CHOICES: ClassVar[list[tuple[str, str]]] = [
        ("default", "send no output_config: the model's default effort"),
        *((level, f'output_config={{"effort": "{level}"}}') for level in ("low", "medium", "high", "xhigh", "max")),
    ]

    async def action_slash_thinking(self, argument: str) -> None:
        if argument:
            await self.controller.set_thinking(argument)
        else:
            self.action_thinking()

    def action_thinking(self) -> None:
        current = self.conversation.controls.thinking
        screen = ChoiceScreen("Thinking, for this conversation's requests:", self.THINKING_CHOICES, current)
        self.app.push_screen(screen, lambda choice: self._then(self.controller.set_thinking, choice))

    async def action_slash_effort(self, argument: str) -> None:
        if argument:
            await self.controller.set_effort(argument)
        else:
            self.action_effort()

    def action_effort(self) -> None:
        current = self.conversation.controls.effort or "default"
        screen = ChoiceScreen("Effort, for this conversation's requests:", self.EFFORT_CHOICES, current)
        self.app.push_screen(screen, lambda choice: self._then(self.controller.set_effort, choice))

    def _then(self, change: Callable[[str], Any], value: str | None) -> None:
        """Run a controller change chosen on a picker (it may ask the Models API first)."""
        if value is not None:
            self.run_worker(change(value), group="controls", exit_on_error=False)

    async def action_slash_web(self, argument: str) -> None:
        await self.controller.set_web(argument)

    async def action_toggle_web(self) -> None:
        await self.controller.set_web()

    async def action_slash_code_execution(self, argument: str) -> None:
        await self.controller.set_code_execution(argument)

    async def action_toggle_code_execution(self) -> None:
        await self.controller.set_code_execution()

    async def action_slash_cache(self, argument: str) -> None:
        await self.controller.set_cache(argument)

    async def action_toggle_cache(self) -> None:
        await self.controller.set_cache()

    async def action_slash_tools(self, argument: str) -> None:
        if argument.strip().lower() in ("", "list"):
            self.action_list_tools()
        else:
            await self.controller.set_tools(argument)

    async def action_toggle_tools(self) -> None:
        await self.controller.set_tools()

    @work(exclusive=True, group="tools", exit_on_error=False)
    async def action_list_tools(self) -> None:
        await self.controller.list_tools()

    def action_continue_tools(self) -> None:
        self.controller.continue_tools()

    async def action_slash_attach(self, argument: str) -> None:
        if argument:
            await self.controller.attach(argument)
        else:
            self.action_attach()

    def action_attach(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is not None:
                self.run_worker(self.controller.attach(str(path), typed=False), group="attach", exit_on_error=False)

        self.app.push_screen(FilePickerScreen(Path.cwd()), chosen)

    def action_slash_find(self, argument: str) -> None:
        self.action_find(argument or None)

    def action_slash_help(self) -> None:
        self.notify(slash_help(), markup=False, title="Help", timeout=15)

    # ------------------------------------------------------------------------------- turns
    @property
    def streaming(self) -> bool:
        return self.controller.busy

    @property
    def settled_answers(self) -> int:
        """Answers that have ended and been fully rendered (0 while one is still streaming)."""
        if self.controller.busy:
            return 0
        answers = [t for t in self.conversation.turns if t.role == "assistant"]
        widgets = [self.view.assistant.get(t.id) for t in answers]
        if any(t.status is TurnStatus.STREAMING for t in answers) or any(w and not w.ended for w in widgets):
            return 0
        return len(answers)

    async def on_stream_batch(self, batch: StreamBatch) -> None:
        """Apply a flush of the stream: each message to its widget, in order, painted once."""
        with self.app.batch_update():
            for target, message in batch.deliveries:
                handler = getattr(target, message.handler_name, None)
                if handler is not None:
                    result = handler(message)
                    if inspect.isawaitable(result):
                        await result
            self.view.relayout()
            # Let the widgets just changed run their idle checks (each posts its own repaint or layout
            # request) while the batch is held, so all of them land in this frame, not in a second one.
            for _ in range(3):
                await asyncio.sleep(0)

    # ------------------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return True if self.controller.busy else None
        if action == "retry":
            return self.controller.can_retry
        if action == "step":
            return self.controller.stepping
        return True

    def action_stop(self) -> None:
        self.controller.stop()

    def action_interrupt(self) -> None:
        """ctrl+c: stop an answer; otherwise copy the prompt's selection, or say how to quit."""
        if self.controller.stop():
            return
        if self.prompt.selected_text:
            self.prompt.action_copy()
        else:
            self.notify(f"Press {self.app_keys('quit')} (or type /quit) to quit.")

    def action_step(self, count: int) -> None:
        self.controller.step(count)

    def action_retry(self) -> None:
        self.controller.retry()

    def action_edit_last(self) -> None:
        self.controller.edit_last()

    def action_new_conversation(self) -> None:
        self.controller.new_conversation()

    def action_export(self) -> None:
        self.controller.export_markdown()

    def action_export_json(self) -> None:
        self.controller.export_json()

    def action_save_recording(self) -> None:
        self.controller.save_recording()

    def action_copy_last(self) -> None:
        self.controller.copy_last()

    def action_ttft_experiment(self, prompt: str | None = None) -> None:
        self.controller.run_ttft(prompt)

    # ----------------------------------------------------------------------------------- find
    def action_find(self, query: str | None = None) -> None:
        """ctrl+f: the find bar, with the focus in it (`query`: find it at once)."""
        self.find_bar.open(query)
        if query is not None:
            self.run_find(query)

    def run_find(self, query: str, turn: Turn | None = None) -> None:
        """Highlight `query` in the conversation and go to its first match (in `turn`, if given)."""
        self._found_query = query
        self.find_bar.show_count(self.view.find(query, turn=turn))

    def close_find(self, *, focus_prompt: bool = True) -> None:
        if self.find_bar.is_open or self.view.finding:
            self.find_bar.close()
            self.view.clear_find()
            self._found_query = None
            if focus_prompt:
                self.prompt.focus()

    def on_input_changed(self, event: FindInput.Changed) -> None:
        if isinstance(event.input, FindInput) and event.value != self._found_query:
            self.run_find(event.value)

    def on_find_input_step(self, message: FindInput.Step) -> None:
        value = self.find_bar.input.value
        if value != self._found_query:
            self.run_find(value)
        self.find_bar.show_count(self.view.find_step(message.step))

    def on_find_input_close(self, message: FindInput.Close) -> None:
        self.close_find()

    def on_conversation_view_find_moved(self, message: ConversationView.FindMoved) -> None:
        self.find_bar.show_count((message.current, message.total))

    def action_toggle_inspector(self) -> None:
        pane = self.inspector_pane
        pane.display = not pane.display
        if not pane.display and self.inspector.has_focus:
            self.prompt.focus()
        if self.preferences.inspector != pane.display:
            self.preferences.inspector = pane.display  # remembered for the next start
            self._save_preferences()

    def action_toggle_paced_reads(self) -> None:
        """Paced reads (less CPU, event times in steps) or exact event times, from the next answer on."""
        preferences = self.preferences
        preferences.paced_reads = not preferences.paced_reads
        self._save_preferences()
        self.controller.read_pace = UI_READ_PACE if preferences.paced_reads else 0.0
        if preferences.paced_reads:
            self.notify("From the next answer, its frames are read every 50 ms: less CPU, times in 50 ms steps.")
        else:
            self.notify("From the next answer, every frame is read as it lands: exact event times.")

    def show_low_bandwidth(self, on: bool) -> None:
        """Low-bandwidth mode (on or off): said in the inspector's status; no cursor blink while on."""
        self.low_bandwidth = on
        self.inspector_pane.low_bandwidth = on
        if on:
            self.prompt.cursor_blink = False
            self._blink_after_turn = False
        elif not self.controller.busy:
            self.prompt.cursor_blink = True

    async def action_inspector(self, action: str) -> None:
        """Run an inspector action (from the command palette), opening the inspector first."""
        self.inspector_pane.display = True
        await self.inspector.run_action(action)

    async def action_conversation(self, action: str) -> None:
        """Run a conversation view action (from the command palette)."""
        await self.view.run_action(action)

    def on_event_inspector_selected(self, message: EventInspector.Selected) -> None:
        self.app.push_screen(EventDetailScreen(message.inspector, message.row))

    def action_replay_picker(self) -> None:
        def chosen(choice: ReplayChoice | None) -> None:
            if choice is not None:
                self.controller.start_replay(choice)

        self.app.push_screen(ReplayPickerScreen(), chosen)

    def action_conversations(self) -> None:
        store = self.controller.history.open_store()
        if store is None:
            self.notify("Conversations are not being saved (see --no-history).", severity="warning")
            return

        async def opened(choice: ListChoice) -> None:
            if choice.conversation_id != self.conversation.id:
                if not await self.controller.open_saved(choice.conversation_id):
                    return
                self.notify(f"Opened “{sanitize_line(self.conversation.title)}”.", markup=False)
            if choice.query.strip():  # opened from a search: at the match, highlighted
                turns = self.conversation.turns
                turn = turns[choice.position] if choice.position is not None and choice.position < len(turns) else None
                self.find_bar.open(choice.query)
                self.run_find(choice.query, turn)

        def chosen(choice: ListChoice | None) -> None:
            if choice is not None:
                self.run_worker(opened(choice), group="open", exclusive=True, exit_on_error=False)

        self.app.push_screen(ConversationListScreen(store, self.conversation.id), chosen)

    def action_copy_picker(self) -> None:
        items = copy_items(self.conversation)
        if not items:
            self.notify("Nothing to copy yet.")
            return

        def chosen(item: CopyItem | None) -> None:
            if item is not None:
                self.controller.copy(item.text, item.label.strip().split(" (")[0].lower())

        self.app.push_screen(CopyPickerScreen(items), chosen)

    @work(exclusive=True, group="models", exit_on_error=False)
    async def action_pick_model(self) -> None:
        models, note = await self.controller.list_models()
        chosen = await self.app.push_screen_wait(ModelPickerScreen(models, self.conversation.model, note))
        if chosen:
            self.controller.set_model(chosen)

    def action_session_metrics(self) -> None:
        self.app.push_screen(SessionMetricsScreen(self.conversation, self.experiments))
