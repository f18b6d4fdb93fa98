"""The main screen: conversation, metrics and prompt on the left, event inspector on the right (F2)."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui_chat import slash_commands
from tui_chat.messages import PromptSubmitted, StreamBatch, TurnEnded, TurnStarted
from tui_chat.preferences import Preferences
from tui_chat.render.transcript import TtftSection
from tui_chat.safety import redact, sanitize_line
from tui_chat.screens.conversation_list import ConversationListScreen
from tui_chat.screens.copy_picker import CopyItem, CopyPickerScreen, copy_items
from tui_chat.screens.event_detail import EventDetailScreen
from tui_chat.screens.model_picker import ModelPickerScreen
from tui_chat.screens.replay_picker import ReplayChoice, ReplayPickerScreen
from tui_chat.screens.session_metrics import SessionMetricsScreen
from tui_chat.screens.transcripts import Transcripts
from tui_chat.session.backend import Backend
from tui_chat.session.clipboard import code_blocks
from tui_chat.session.model import Conversation, Turn, TurnStatus
from tui_chat.stream.types import UI_READ_PACE
from tui_chat.widgets.conversation_view import ConversationView
from tui_chat.widgets.event_inspector import EventInspector
from tui_chat.widgets.inspector_pane import InspectorPane
from tui_chat.widgets.key_bar import KeyBar
from tui_chat.widgets.metrics_panel import MetricsPanel
from tui_chat.widgets.prompt_input import PromptInput
from tui_chat.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

    from tui_chat.demo.server import DemoThread
    from tui_chat.session.models import ModelChoice
    from tui_chat.session.ttft import TtftExperiment
    from tui_chat.stream.retry import RetryPolicy


class ChatScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_suffix(".tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next event"),
        Binding("c", "step(1000000000)", "Play the rest"),
        Binding("escape", "stop", "Stop"),
        Binding("ctrl+c", "interrupt", "Stop", show=False, priority=True),
        Binding("ctrl+r", "retry", "Retry"),
        Binding("f2", "toggle_inspector", "Inspector"),
        Binding("f3", "session_metrics", "Metrics table"),
        Binding("f4", "copy_picker", "Copy"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+l", "conversations", "Conversations"),
        Binding("ctrl+o", "pick_model", "Model"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("f5", "edit_last", "Edit last", show=False),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        settings = backend.settings
        self.conversation = Conversation(model=settings.model, system=settings.system, max_tokens=settings.max_tokens)
        self.transcripts = Transcripts(self)
        self.experiments: list[TtftExperiment] = []
        """TTFT experiments run in this session (kept across conversations)."""
        self._stream_worker: Worker[None] | None = None
        self._replays: dict[int, ReplayChoice] = {}
        """The replay behind each replayed answer (by turn id), so ctrl+r can replay it again."""
        self._stepping: DemoThread | None = None
        self._owners: dict[int, Conversation] = {}
        """The conversation each streaming answer belongs to (the user may switch while it ends)."""
        self._models: list[ModelChoice] = []
        """The models the API listed (filled by the model picker), for context-window checks."""
        self._editing: Turn | None = None
        """The user turn being edited (F5): sending replaces it and what followed."""
        self.warmed_up = False
        """The start-up thread is done: SDK imported and warmed up, highlighters compiled."""
        self._opening = False
        """A saved conversation is loading (in a thread): sending waits for it."""

    # -------------------------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield TopBar()
        with Horizontal(id="body"):
            with Vertical(id="chat-column"):
                with Vertical(id="conversation"):
                    yield ConversationView(id="conversation-view", hints=self.preferences.hints)
                yield MetricsPanel(self.conversation, id="metrics")
                yield PromptInput(id="prompt")
            yield InspectorPane(id="inspector-pane")
        yield KeyBar()

    @property
    def view(self) -> ConversationView:
        return self.query_one(ConversationView)

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

    @property
    def preferences(self) -> Preferences:
        return getattr(self.app, "preferences", None) or Preferences()

    async def on_mount(self) -> None:
        self.query_one("#conversation").border_title = "Conversation"
        self.inspector_pane.display = self.preferences.inspector
        self._show_top_bar()
        self.prompt.focus()
        self.prepare_backend()
        self.transcripts.start()
        self.set_interval(1.0, self.transcripts.checkpoint)
        settings = self.backend.settings
        store = self.transcripts.open_store()
        if settings.resume is not None and store is not None:
            self.run_worker(self._resume_at_start(settings.resume), group="open", exclusive=True, exit_on_error=False)
        if settings.replay == "":
            self.action_replay_picker()
        elif settings.replay:
            self.run_worker(self._replay_named(settings.replay), exit_on_error=False)

    def on_unmount(self) -> None:
        self.transcripts.close()

    def on_resize(self) -> None:
        """Small terminals: the inspector goes below the chat, borders and extra metrics lines go."""
        width, height = self.size
        self.set_class(width < 100, "-narrow")
        self.set_class(height < 30, "-short")
        self.metrics.compact = height < 30 or width < 70

    def _show_top_bar(self) -> None:
        self.query_one(TopBar).show(
            model=self.conversation.model, endpoint=self.backend.endpoint, demo=self.backend.is_demo
        )

    @work(exclusive=True, group="prepare", exit_on_error=False)
    async def prepare_backend(self) -> AsyncAnthropic:
        """Import the SDK (and start the demo server) in a thread, after the first frame."""
        client = await asyncio.to_thread(self.backend.prepare)
        self._show_top_bar()
        from tui_chat.render.warmup import warm_up_lexers

        await asyncio.to_thread(warm_up_lexers)
        self.warmed_up = True
        return client

    async def _client(self) -> AsyncAnthropic:
        if self.backend.ready:  # no thread hop once it is built (the hop costs a few ms per turn)
            return self.backend.prepare()
        return await asyncio.to_thread(self.backend.prepare)

    # ------------------------------------------------------------------------------- prompts
    async def on_prompt_submitted(self, message: PromptSubmitted) -> None:
        text = message.text
        if text.lstrip().startswith("/"):
            await self.run_slash_command(text.strip())
            return
        if self.streaming:
            self.notify("Claude is still answering: press Esc to stop it first.", severity="warning")
            self.prompt.text = text
            return
        if self._opening:
            self.notify("Opening the saved conversation: send it in a moment.", severity="warning")
            self.prompt.text = text
            return
        if self._editing is not None:
            await self._drop_from(self._editing)
            self._editing = None
        self._warn_if_too_long(text)
        turn = self.conversation.add_user(text)
        self.transcripts.save(turn)
        self.view.add_user(turn)
        await self.start_turn()

    def _warn_if_too_long(self, text: str) -> None:
        """A big paste is sent as it is, but say so when it cannot fit the model's context window."""
        from tui_chat.session.models import context_window, estimate_tokens

        limit = context_window(self.conversation.model, self._models)
        history = sum(len(str(t.api_content or t.text)) for t in self.conversation.turns)
        tokens = estimate_tokens(text) + history // 4
        if limit is not None and tokens > limit:
            self.notify(
                f"This message is about {tokens:,} tokens with the history; {self.conversation.model} takes "
                f"{limit:,} input tokens. The API will probably refuse it — start a new conversation or shorten it.",
                severity="warning",
                markup=False,
                timeout=15,
            )
        elif len(text) > 100_000:
            self.notify(f"Sending {len(text):,} characters (about {estimate_tokens(text):,} tokens).", markup=False)

    async def run_slash_command(self, line: str) -> None:
        command, name, argument = slash_commands.parse(line)
        if command is None:
            unknown = sanitize_line(name)[:40]
            self.notify(f"Unknown command {unknown} — /help lists them.", severity="warning", markup=False)
        elif command.action == "app.quit":
            self.app.exit()
        elif command.takes_argument:
            await self.run_action(f"slash_{command.action}({argument!r})")
        else:
            await self.run_action(command.action)

    async def action_slash_copy(self, argument: str) -> None:
        if argument.strip() == "code":
            self.action_copy_last_code()
        else:
            self.action_copy_last()

    def action_slash_export(self, argument: str) -> None:
        self.transcripts.export_markdown(argument)

    def action_slash_export_json(self, argument: str) -> None:
        self.transcripts.export_json(argument)

    def action_slash_save_recording(self, argument: str) -> None:
        self.transcripts.save_recording(argument)

    async def action_slash_replay(self, argument: str) -> None:
        if argument:
            await self._replay_named(argument)
        else:
            self.action_replay_picker()

    def action_slash_ttft(self, argument: str) -> None:
        self.action_ttft_experiment(argument or None)

    def action_slash_model(self, argument: str) -> None:
        if argument:
            self.set_model(argument)
        else:
            self.action_pick_model()

    def action_slash_system(self, argument: str) -> None:
        self.conversation.system = argument or None
        self.notify("System prompt set." if argument else "System prompt cleared.", markup=False)

    def action_slash_help(self) -> None:
        self.notify(slash_commands.HELP, markup=False, title="Help", timeout=15)

    # ------------------------------------------------------------------------------- turns
    @property
    def streaming(self) -> bool:
        worker = self._stream_worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    @property
    def settled_answers(self) -> int:
        """Answers that have ended and been fully rendered (0 while one is still streaming)."""
        if self.streaming:
            return 0
        answers = [t for t in self.conversation.turns if t.role == "assistant"]
        widgets = [self.view.assistant.get(t.id) for t in answers]
        if any(t.status is TurnStatus.STREAMING for t in answers) or any(w and not w.ended for w in widgets):
            return 0
        return len(answers)

    async def start_turn(self, replay: ReplayChoice | None = None) -> None:
        self.transcripts.compact(self.conversation)  # the answers before this one: packed, their bytes released
        turn = self.conversation.start_assistant()
        self._owners[turn.id] = self.conversation
        if replay is not None:
            turn.replay = replay.recording.name
            self._replays[turn.id] = replay
        self.view.add_assistant(turn)
        for target in (self.inspector, self.metrics):
            target.post_message(TurnStarted(turn))
        self._stream_worker = self.run_worker(
            self._stream_turn(turn, replay), group="stream", exclusive=True, exit_on_error=False
        )
        self.refresh_bindings()

    async def _stream_turn(self, turn: Turn, replay: ReplayChoice | None = None) -> None:
        from tui_chat.chat_stream import ChatStream, StreamTargets

        try:
            extra: dict[str, object] = {}
            if replay is None:
                client = await self._client()
            else:
                client = await self._queue_replay(replay)
                extra["messages"] = [{"role": "user", "content": f"replay {replay.recording.name}"}]
            targets = StreamTargets(self.view, self.inspector, self.metrics, self)
            stream = ChatStream(client, self.conversation, turn, targets, retry_policy=self._retry_policy(), **extra)
            if self.preferences.paced_reads:
                stream.read_pace = UI_READ_PACE
            await stream.run()
        except asyncio.CancelledError:
            self._end_unstarted(turn, None)
            raise
        except Exception as error:  # the client could not be built (e.g. the demo server failed)
            self._end_unstarted(turn, error)

    def _retry_policy(self) -> RetryPolicy:
        from tui_chat.stream.retry import RetryPolicy

        return RetryPolicy(max_retries=self.backend.settings.max_retries)

    def _end_unstarted(self, turn: Turn, error: BaseException | None) -> None:
        """End a turn whose stream never ran, so the UI is never left waiting."""
        if turn.status is not TurnStatus.STREAMING:
            return
        from tui_chat.stream.types import ErrorInfo

        if error is None:
            turn.status = TurnStatus.STOPPED
        else:
            turn.status = TurnStatus.FAILED
            summary = redact(sanitize_line(f"{type(error).__name__}: {error}"), self.backend.settings.secrets)
            turn.error = ErrorInfo(kind="could not start", summary=summary)
        for target in (self.view, self.inspector, self.metrics, self):
            target.post_message(TurnEnded(turn))

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

    def on_turn_ended(self, message: TurnEnded) -> None:
        self._stepping = None
        self.refresh_bindings()
        turn = message.turn
        self.transcripts.save(turn, self._owners.pop(turn.id, None))
        if turn.status is TurnStatus.FAILED and turn.error is not None:
            text = f"{turn.error.kind}: {turn.error.summary}"
            self.notify(text, severity="error", title="The answer failed", markup=False)
            if turn.error.status == 404 and turn.replay is None:
                self._suggest_models(turn)

    @work(group="models", exit_on_error=False)
    async def _suggest_models(self, turn: Turn) -> None:
        """After a 404 (an unknown model, usually): list the models this key can use."""
        from tui_chat.session.models import fetch_models

        try:
            models = await fetch_models(await self._client())
        except Exception:
            return
        self._models = models
        widget = self.view.assistant.get(turn.id)
        if widget is not None and models:
            names = ", ".join(model.id for model in models[:12])
            widget.add_note(f"Models available to this key: {names}. ctrl+o picks one.")

    async def _drop_from(self, turn: Turn) -> None:
        """Remove `turn` and everything after it (editing an earlier message)."""
        if turn not in self.conversation.turns:
            return
        index = self.conversation.turns.index(turn)
        dropped = self.conversation.turns[index:]
        del self.conversation.turns[index:]
        self.view.remove_turns({t.id for t in dropped})
        if self.conversation.turns:
            self.transcripts.save(self.conversation.turns[-1])

    # ------------------------------------------------------------------------------ replays
    async def _replay_named(self, name: str) -> None:
        from tui_chat.session.recording import find_recording

        settings = self.backend.settings
        try:
            recording = find_recording(name)
        except (OSError, FileNotFoundError) as error:
            self.notify(sanitize_line(str(error)), severity="error", markup=False, timeout=15)
            return
        await self.start_replay(ReplayChoice(recording, settings.replay_speed, settings.replay_step))

    async def start_replay(self, choice: ReplayChoice) -> None:
        """Replay a recording as an answer: same stream class, same panes; not part of the history."""
        if self.streaming or self._opening:
            self.notify("Wait for the answer to finish, or press Esc, before replaying.", severity="warning")
            return
        recording = choice.recording
        how = "one event per keypress" if choice.step else f"speed ×{choice.speed:g}"
        user = self.conversation.add_user(f"▶ Replay of {recording.name} ({how})")
        user.replay = recording.name
        self.transcripts.save(user)
        self.view.add_user(user)
        if choice.step:
            self.inspector_pane.display = True
            self.inspector.follow()  # each event must come into view as it is sent
            self.inspector.focus()
            self.notify("Step mode: n sends the next event, c plays the rest, Esc stops.", timeout=10)
        await self.start_turn(choice)

    async def _queue_replay(self, choice: ReplayChoice) -> AsyncAnthropic:
        from tui_chat.demo.server import Recording

        client, thread = await asyncio.to_thread(self.backend.prepare_replay)
        recording = choice.recording
        served = Recording(
            recording.body, delays=recording.delays(choice.speed), headers=dict(recording.headers), step=choice.step
        )
        thread.call(thread.server.queue_recording, served)
        self._stepping = thread if choice.step else None
        self.refresh_bindings()
        return client

    def action_step(self, count: int) -> None:
        if self._stepping is not None:
            self._stepping.call(self._stepping.server.grant_steps, count)

    def action_replay_picker(self) -> None:
        def chosen(choice: ReplayChoice | None) -> None:
            if choice is not None:
                self.run_worker(self.start_replay(choice), exit_on_error=False)

        self.app.push_screen(ReplayPickerScreen(), chosen)

    # ------------------------------------------------------------------- saved conversations
    async def _resume_at_start(self, which: str) -> None:
        store = self.transcripts.store
        assert store is not None
        from tui_chat.session.store import StoreError

        try:
            conversation_id = store.last_id() if which == "" else store.find(which)
        except StoreError as error:
            self.notify(sanitize_line(str(error)), severity="error", markup=False, timeout=10)
            return
        if conversation_id is None:
            self.notify("No saved conversation yet: this is a new one.", markup=False)
            return
        await self.open_saved(conversation_id)

    async def open_saved(self, conversation_id: str) -> bool:
        """Load a saved conversation in a thread (the UI keeps drawing), then show it."""
        from tui_chat.session.store import StoreError, load_conversation

        store = self.transcripts.store
        if store is None:
            return False
        self._opening = True  # a message sent now would go to the conversation being replaced
        try:
            conversation = await asyncio.to_thread(load_conversation, store.path, conversation_id)
        except StoreError as error:
            self.notify(sanitize_line(str(error)), severity="error", markup=False, timeout=10)
            return False
        finally:
            self._opening = False
        self.transcripts.compact(conversation, stored=True)
        await self.open_conversation(conversation)
        if conversation.load_notes:  # a damaged or hand-edited database: what was read is shown, the rest marked
            note = sanitize_line("; ".join(conversation.load_notes))[:300]
            self.notify(f"Not all of this conversation could be read: {note}.", severity="warning", markup=False)
        return True

    async def open_conversation(self, conversation: Conversation) -> None:
        """Show a saved conversation; its next turn sends its whole history."""
        if self.streaming:
            self.action_stop()
        self.transcripts.compact(self.conversation)  # (the one left: its last answer's frames packed)
        self.conversation = conversation
        self._replays.clear()
        self._editing = None
        self.view.show_turns(conversation.turns)
        self.metrics.set_conversation(conversation)
        self.inspector.clear()
        self.inspector.add_past_turns(conversation.turns)
        self.prompt.set_history([t.text for t in conversation.turns if t.role == "user" and t.replay is None])
        self._show_top_bar()
        self.refresh_bindings()

    def action_conversations(self) -> None:
        store = self.transcripts.open_store()
        if store is None:
            self.notify("Conversations are not being saved (see --no-history).", severity="warning")
            return

        async def opened(conversation_id: str) -> None:
            if await self.open_saved(conversation_id):
                self.notify(f"Opened “{sanitize_line(self.conversation.title)}”.", markup=False)

        def chosen(conversation_id: str | None) -> None:
            if conversation_id is not None and conversation_id != self.conversation.id:
                self.run_worker(opened(conversation_id), group="open", exclusive=True, exit_on_error=False)

        self.app.push_screen(ConversationListScreen(store, self.conversation.id), chosen)

    # ------------------------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return True if self.streaming else None
        if action == "retry":
            return self._can_retry()
        if action == "step":
            return bool(self._stepping is not None and self.streaming)
        return True

    def _can_retry(self) -> bool:
        if self.streaming or not self.conversation.turns:
            return False
        return self.conversation.turns[-1].role == "assistant"

    def action_stop(self) -> None:
        if self._stream_worker is not None and self.streaming:
            self._stream_worker.cancel()

    def action_interrupt(self) -> None:
        """ctrl+c: stop an answer; otherwise copy the prompt's selection, or say how to quit."""
        if self.streaming:
            self.action_stop()
            return
        if self.prompt.selected_text:
            self.prompt.action_copy()
        else:
            self.notify("Press ctrl+q (or type /quit) to quit.")

    def action_toggle_inspector(self) -> None:
        pane = self.inspector_pane
        pane.display = not pane.display
        if not pane.display and self.inspector.has_focus:
            self.prompt.focus()
        preferences = self.preferences
        if preferences.inspector != pane.display and hasattr(self.app, "save_preferences"):
            preferences.inspector = pane.display  # remembered for the next start
            self.app.save_preferences()

    def action_toggle_paced_reads(self) -> None:
        """Paced reads (less CPU, event times in steps) or exact event times, from the next answer on."""
        preferences = self.preferences
        preferences.paced_reads = not preferences.paced_reads
        if hasattr(self.app, "save_preferences"):
            self.app.save_preferences()
        if preferences.paced_reads:
            self.notify("From the next answer, its frames are read every 50 ms: less CPU, times in 50 ms steps.")
        else:
            self.notify("From the next answer, every frame is read as it lands: exact event times.")

    async def action_inspector(self, action: str) -> None:
        """Run an inspector action (from the command palette), opening the inspector first."""
        self.inspector_pane.display = True
        await self.inspector.run_action(action)

    async def action_conversation(self, action: str) -> None:
        """Run a conversation view action (from the command palette)."""
        await self.view.run_action(action)

    def on_event_inspector_selected(self, message: EventInspector.Selected) -> None:
        self.app.push_screen(EventDetailScreen(message.inspector, message.row))

    async def action_retry(self) -> None:
        """A new answer to the last message: after a failure, or to regenerate a complete one."""
        if self._opening:
            self.notify("Opening the saved conversation: try again in a moment.", severity="warning")
            return
        if not self._can_retry():
            self.notify("Nothing to answer again yet.")
            return
        previous = self.conversation.discard_last_assistant()
        replay = None
        if previous is not None:
            self.view.remove_turns({previous.id})
            replay = self._replays.pop(previous.id, None)
        await self.start_turn(replay)

    def action_edit_last(self) -> None:
        """Put the last message back in the prompt; sending replaces it and its answer."""
        if self.streaming:
            self.notify("Wait for the answer to finish, or press Esc, first.", severity="warning")
            return
        last = next((t for t in reversed(self.conversation.turns) if t.role == "user" and t.replay is None), None)
        if last is None:
            self.notify("No message to edit yet.")
            return
        self._editing = last
        self.prompt.text = str(last.api_content) if isinstance(last.api_content, str) else last.text
        self.prompt.focus()
        self.notify("Editing your last message: Enter resends it and replaces its answer.", timeout=8)

    async def action_new_conversation(self) -> None:
        if self.streaming:
            self.action_stop()
        self.transcripts.compact(self.conversation)  # (the one left: its last answer's frames packed)
        settings = self.backend.settings
        self.conversation = Conversation(
            model=self.conversation.model, system=self.conversation.system, max_tokens=settings.max_tokens
        )
        self._editing = None
        self.view.clear_all()
        self.metrics.set_conversation(self.conversation)
        self.notify("New conversation.")

    def action_export(self) -> None:
        self.transcripts.export_markdown()

    def action_copy_last(self) -> None:
        answer = next((t for t in reversed(self.conversation.turns) if t.role == "assistant" and t.answer_text), None)
        if answer is None:
            self.notify("No answer to copy yet.")
            return
        self.transcripts.copy(answer.answer_text, f"answer {answer.number}")

    def action_copy_last_code(self) -> None:
        for turn in reversed(self.conversation.turns):
            if turn.role == "assistant" and (blocks := code_blocks(turn.answer_text)):
                self.transcripts.copy(blocks[-1][1], f"the last code block of answer {turn.number}")
                return
        self.notify("No code block to copy yet.")

    def action_copy_picker(self) -> None:
        items = copy_items(self.conversation)
        if not items:
            self.notify("Nothing to copy yet.")
            return

        def chosen(item: CopyItem | None) -> None:
            if item is not None:
                self.transcripts.copy(item.text, item.label.strip().split(" (")[0].lower())

        self.app.push_screen(CopyPickerScreen(items), chosen)

    # ---------------------------------------------------------------------- models, metrics
    def set_model(self, model: str) -> None:
        self.conversation.model = sanitize_line(model)
        self._show_top_bar()
        self.notify(f"Model for the next turns: {self.conversation.model}", markup=False)

    @work(exclusive=True, group="models", exit_on_error=False)
    async def action_pick_model(self) -> None:
        from tui_chat.session.models import FALLBACK_MODELS, FALLBACK_MODELS_AS_OF, fetch_models

        try:
            client = await self._client()
            models = await fetch_models(client)
            self._models = models
            note = f"Models listed by {self.backend.endpoint} (GET /v1/models)."
        except Exception as error:
            models = list(FALLBACK_MODELS)
            reason = redact(sanitize_line(str(error)), self.backend.settings.secrets)[:120]
            note = f"The Models API could not be reached ({reason}); the public lineup of {FALLBACK_MODELS_AS_OF}:"
        if not models:
            models, note = list(FALLBACK_MODELS), "The Models API listed no models; the public lineup:"
        chosen = await self.app.push_screen_wait(ModelPickerScreen(models, self.conversation.model, note))
        if chosen:
            self.set_model(chosen)

    def action_session_metrics(self) -> None:
        self.app.push_screen(SessionMetricsScreen(self.conversation, self.experiments))

    def action_ttft_experiment(self, prompt: str | None = None) -> None:
        if self.streaming:
            self.notify("Wait for the answer to finish, or press Esc, first.", severity="warning")
            return
        self.run_worker(self._ttft(prompt), group="stream", exclusive=True, exit_on_error=False)

    async def _ttft(self, prompt: str | None) -> None:
        from tui_chat.session.ttft import DEFAULT_MAX_TOKENS, DEFAULT_PROMPT
        from tui_chat.session.ttft_runner import run_ttft_experiment

        text = prompt or DEFAULT_PROMPT
        model = self.conversation.model
        result = TtftSection(model=model, prompt=sanitize_line(text))
        self.view.add_section(result)
        client = await self._client()
        experiment = await run_ttft_experiment(client, model, text, DEFAULT_MAX_TOKENS)
        self.experiments.append(experiment)
        result.show(experiment)
        self.view.relayout()
