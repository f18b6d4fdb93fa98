"""One benchmark process: the raw loop and the real app (headless, inspector open) on the same streams.

`python -m tui_chat.bench.worker BASE_URL JOB[,JOB...] [--quick]` prints one JSON object. Jobs:
`throughput` (time to fully rendered, loop stalls), `latency` (first-token lag, keystroke echo),
`cpu` (CPU share at 100 tok/s), `rss10k` (peak RSS after a 10,000-token answer), `turns200`
(opening a saved 200-turn conversation: time and peak RSS) and `search` (2,000 saved conversations:
search times, opening the list). Peak-RSS jobs need a process each.
The raw loop always runs first, before Textual is imported, so its RSS is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from tui_chat.bench.raw import BENCH_KEY, MAX_TOKENS, MODEL, RawRun, first_delta_written, make_client, raw_loop
from tui_chat.demo.bench_content import BenchKind, bench_prompt, bench_text

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tui_chat.app import ClaudeTUI
    from tui_chat.bench.probe import AppProbe, LoopMonitor
    from tui_chat.screens.chat import ChatScreen
    from tui_chat.session.conversation import Conversation, Turn

SIZE = (120, 40)
THROUGHPUT_CASES: list[tuple[BenchKind, int]] = [
    ("prose", 2000),
    ("markdown", 2000),
    ("prose", 10000),
    ("markdown", 10000),
    ("code", 8000),
]


@dataclass(frozen=True)
class Plan:
    """Sizes for a full run, or a tiny one (`--quick`)."""

    quick: bool

    def size(self, tokens: int) -> int:
        return max(20, tokens // 25) if self.quick else tokens

    @property
    def repeats(self) -> int:
        return 1 if self.quick else 2

    @property
    def cpu_tokens(self) -> int:
        return 150 if self.quick else 3000  # at 100 tok/s: 1.5 s or 30 s

    @property
    def idle_seconds(self) -> float:
        return 0.5 if self.quick else 5.0

    @property
    def keystroke_tokens(self) -> int:
        return 600 if self.quick else 6000  # at 1,000 tok/s

    @property
    def keystrokes(self) -> int:
        return 6 if self.quick else 60

    @property
    def first_token_runs(self) -> int:
        return 1 if self.quick else 3

    @property
    def turns(self) -> int:
        return 10 if self.quick else 200

    @property
    def saved_conversations(self) -> tuple[int, int]:
        """(conversations, messages in each) of the search benchmark's history."""
        return (200, 10) if self.quick else (2000, 50)

    @property
    def search_repeats(self) -> int:
        return 2 if self.quick else 5


def peak_rss_mb() -> float:
    """This process's peak resident set size (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# ------------------------------------------------------------------------------------ the raw loop
class Raw:
    """The tutorial's loop with its own client, printing to /dev/null."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = make_client(base_url)
        self.sink: TextIO = open(os.devnull, "w")  # noqa: SIM115  # closed in `close`

    async def run(self, prompt: str) -> RawRun:
        return await raw_loop(self.client, prompt, self.sink)

    async def best(self, prompt: str, repeats: int) -> RawRun:
        runs = [await self.run(prompt) for _ in range(repeats)]
        return min(runs, key=lambda run: run.seconds)

    async def close(self) -> None:
        await self.client.close()
        self.sink.close()


# ------------------------------------------------------------------------------------- the app
@dataclass
class Session:
    app: ClaudeTUI
    pilot: Pilot[None]
    screen: ChatScreen
    probe: AppProbe
    monitor: LoopMonitor


@asynccontextmanager
async def app_session(base_url: str, *, inspector: bool = True, warm_up: bool = True) -> AsyncIterator[Session]:
    """The real app on `base_url`, headless at 120x40, SDK loaded, inspector open (F2), one warm-up turn."""
    from tui_chat.app import ClaudeTUI
    from tui_chat.bench.probe import AppProbe, LoopMonitor
    from tui_chat.config import Secret, Settings
    from tui_chat.screens.chat import ChatScreen

    settings = Settings(
        api_key=Secret(BENCH_KEY), base_url=base_url, model=MODEL, max_tokens=MAX_TOKENS, read_timeout=120
    )
    app = ClaudeTUI(settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        async with asyncio.timeout(60):
            while not screen.warmed_up:  # noqa: ASYNC110  # app state: nothing to await
                await asyncio.sleep(0.02)
        if inspector and not screen.inspector_pane.display:  # the app remembers it: open it (F2) if closed
            await pilot.press("f2")
        assert screen.inspector_pane.display == inspector or not inspector
        probe = AppProbe(app)
        monitor = LoopMonitor()
        monitor.start()
        session = Session(app, pilot, screen, probe, monitor)
        if warm_up:
            await app_turn(session, bench_prompt("markdown", 60), bench_text("markdown", 60))
            await pilot.pause(0.3)  # every pane has had the turn's end before the conversation changes
            screen.action_new_conversation()
            await pilot.pause(0.1)
        try:
            yield session
        finally:
            await monitor.stop()


def _last_answer(screen: ChatScreen) -> Turn | None:
    turns = screen.conversation.turns
    return turns[-1] if turns and turns[-1].role == "assistant" else None


def shown_text(screen: ChatScreen, turn: Turn) -> str:
    """The text the answer's rendered markdown holds."""
    entry = screen.view.assistant.get(turn.id)
    if entry is None:
        return ""
    return "".join(section.rendered_source for section in entry.text_sections)


def answer_rendered(screen: ChatScreen, expected: str, answers: int) -> Callable[[], bool]:
    """Complete, fully rendered (`settled_answers`), and all of `expected` in the widgets."""

    def check() -> bool:
        if screen.settled_answers < answers:
            return False
        turn = _last_answer(screen)
        return turn is not None and shown_text(screen, turn) == expected

    return check


@dataclass
class AppRun:
    seconds: float
    cpu_seconds: float
    max_stall: float
    paints: int
    bytes: int


async def app_turn(session: Session, prompt: str, expected: str) -> AppRun:
    """Send `prompt` as Enter would; time until the answer is complete, in the widgets, and painted."""
    from tui_chat.messages import PromptSubmitted

    screen, probe, monitor = session.screen, session.probe, session.monitor
    answers = sum(1 for turn in screen.conversation.turns if turn.role == "assistant") + 1
    paints, sent = probe.paints, probe.bytes
    monitor.reset()
    cpu = time.process_time()
    started = time.perf_counter()
    screen.post_message(PromptSubmitted(prompt))
    done = await probe.wait_for(answer_rendered(screen, expected, answers))
    cpu = time.process_time() - cpu
    return AppRun(done - started, cpu, monitor.max_stall, probe.paints - paints, probe.bytes - sent)


# ----------------------------------------------------------------------------------------- jobs
async def job_throughput(base_url: str, plan: Plan) -> dict[str, Any]:
    raw = Raw(base_url)
    results: dict[str, Any] = {}
    raw_runs: dict[str, RawRun] = {}
    await raw.run(bench_prompt("prose", 50))  # warm-up
    for kind, tokens in THROUGHPUT_CASES:
        size = plan.size(tokens)
        raw_runs[f"{kind}_{tokens}"] = await raw.best(bench_prompt(kind, size), 3)
    await raw.close()
    for kind, tokens in THROUGHPUT_CASES:
        size = plan.size(tokens)
        key = f"{kind}_{tokens}"
        runs: list[AppRun] = []
        for _ in range(plan.repeats):
            async with app_session(base_url) as session:
                runs.append(await app_turn(session, bench_prompt(kind, size), bench_text(kind, size)))
        best = min(runs, key=lambda run: run.seconds)
        raw_run = raw_runs[key]
        results[key] = {
            "tokens": size,
            "app_seconds": best.seconds,
            "app_seconds_all": [run.seconds for run in runs],
            "raw_seconds": raw_run.seconds,
            "app_max_stall": max(run.max_stall for run in runs),
            "raw_max_stall": raw_run.max_stall,
            "app_paints": best.paints,
        }
    return {"throughput": results}


async def job_latency(base_url: str, plan: Plan) -> dict[str, Any]:
    from textual import events

    from tui_chat.messages import PromptSubmitted
    from tui_chat.widgets.prompt_input import PromptInput

    raw = Raw(base_url)
    prompt = bench_prompt("prose", 40, rate=100, first=0.2)
    await raw.run(bench_prompt("prose", 50))
    raw_lags: list[float] = []
    for _ in range(plan.first_token_runs):
        run = await raw.run(prompt)
        written = await first_delta_written(base_url, run.message_id)
        if written is not None and run.first_printed_at is not None:
            raw_lags.append(run.first_printed_at - written)
    await raw.close()

    app_lags: list[float] = []
    keys: list[float] = []
    stream_stall = 0.0
    async with app_session(base_url) as session:
        screen, probe = session.screen, session.probe
        for _ in range(plan.first_token_runs):
            answers = sum(1 for turn in screen.conversation.turns if turn.role == "assistant") + 1
            screen.post_message(PromptSubmitted(prompt))
            shown_at = await probe.wait_for(lambda: _first_text_shown(screen))
            turn = _last_answer(screen)
            assert turn is not None
            written = await first_delta_written(base_url, turn.message_id)
            if written is not None:
                app_lags.append(shown_at - written)
            await probe.wait_for(answer_rendered(screen, bench_text("prose", 40), answers))
            await session.pilot.pause(0.3)
            screen.action_new_conversation()
            await session.pilot.pause(0.1)

        # Keystrokes while a 1,000 tok/s answer streams.
        prompt_input = screen.query_one(PromptInput)
        stream_prompt = bench_prompt("markdown", plan.keystroke_tokens, rate=1000)
        answers = 1
        session.monitor.reset()
        screen.post_message(PromptSubmitted(stream_prompt))
        async with asyncio.timeout(30):
            while not _answer_started(screen):  # noqa: ASYNC110  # app state: nothing to await
                await asyncio.sleep(0.005)
        for number in range(plan.keystrokes):
            if screen.settled_answers >= answers:
                break  # the stream is over: only keystrokes during it count
            char = "xyz"[number % 3]
            before = len(prompt_input.text)
            started = time.perf_counter()
            session.app.post_message(events.Key(char, char))
            echoed = await probe.wait_for(lambda before=before: len(prompt_input.text) > before)  # type: ignore[misc]
            keys.append(echoed - started)
            await asyncio.sleep(0.07)
        await probe.wait_for(answer_rendered(screen, bench_text("markdown", plan.keystroke_tokens), answers))
        stream_stall = session.monitor.max_stall
    return {
        "latency": {
            "first_token_app": statistics.median(app_lags) if app_lags else None,
            "first_token_app_all": app_lags,
            "first_token_raw": statistics.median(raw_lags) if raw_lags else None,
            "keystrokes": keys,
            "keystroke_stream_max_stall": stream_stall,
        }
    }


def _answer_started(screen: ChatScreen) -> bool:
    turn = _last_answer(screen)
    return turn is not None and bool(turn.answer_text)


def _first_text_shown(screen: ChatScreen) -> bool:
    """Some answer text of the last answer is rendered and laid out in the conversation view."""
    turn = _last_answer(screen)
    entry = screen.view.assistant.get(turn.id) if turn is not None else None
    if entry is None:
        return False
    return any(section.rendered_source.strip() and screen.view.is_laid_out(section) for section in entry.text_sections)


async def job_cpu(base_url: str, plan: Plan) -> dict[str, Any]:
    raw = Raw(base_url)
    prompt = bench_prompt("markdown", plan.cpu_tokens, rate=100)
    await raw.run(bench_prompt("prose", 50))
    raw_run = await raw.run(prompt)
    await raw.close()
    async with app_session(base_url) as session:
        app_run = await app_turn(session, prompt, bench_text("markdown", plan.cpu_tokens))
    async with app_session(base_url) as session:
        app_idle_share = await idle_share(plan.idle_seconds)  # the app waiting for a prompt
        session.screen.preferences.paced_reads = True  # the "paced_reads" preference, not saved
        paced_run = await app_turn(session, prompt, bench_text("markdown", plan.cpu_tokens))
    return {
        "cpu": {
            "tokens": plan.cpu_tokens,
            "app_share": app_run.cpu_seconds / app_run.seconds,
            "raw_share": raw_run.cpu_seconds / raw_run.seconds,
            "paced_share": paced_run.cpu_seconds / paced_run.seconds,
            "app_idle_share": app_idle_share,
            "idle_share": await idle_loop_share(plan.idle_seconds),
            "app_seconds": app_run.seconds,
            "paced_seconds": paced_run.seconds,
            "app_max_stall": app_run.max_stall,
            "paced_max_stall": paced_run.max_stall,
            "raw_max_stall": raw_run.max_stall,
        }
    }


async def idle_loop_share(seconds: float) -> float:
    """CPU share of this process's event loop doing nothing but the stall monitor that runs beside both
    the raw loop and the app: the floor under both figures on this machine (each wake-up costs)."""
    from tui_chat.bench.probe import LoopMonitor

    monitor = LoopMonitor()
    monitor.start()
    share = await idle_share(seconds)
    await monitor.stop()
    return share


async def idle_share(seconds: float) -> float:
    """CPU share of this process while it waits `seconds`."""
    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (time.process_time() - cpu) / (time.perf_counter() - started)


async def job_rss10k(base_url: str, plan: Plan) -> dict[str, Any]:
    size = plan.size(10000)
    raw = Raw(base_url)
    await raw.run(bench_prompt("markdown", size))
    await raw.close()
    raw_peak = peak_rss_mb()
    async with app_session(base_url) as session:
        run = await app_turn(session, bench_prompt("markdown", size), bench_text("markdown", size))
    return {"rss10k": {"tokens": size, "app_peak_mb": peak_rss_mb(), "raw_peak_mb": raw_peak, "seconds": run.seconds}}


def build_conversation(turns: int, tokens: int = 300) -> Conversation:
    """A finished conversation of `turns` questions and answers (markdown with code), with wire records."""
    from tui_chat.demo.script import Block as ScriptBlock
    from tui_chat.demo.script import MessageMeta, Reply, frames
    from tui_chat.session.conversation import Block, Conversation, TurnStatus
    from tui_chat.stream.wire import WireEvent, WireRecord

    conversation = Conversation(model=MODEL, max_tokens=MAX_TOKENS)
    for number in range(1, turns + 1):
        conversation.add_user(f"Question {number}: tell me about streaming, with code.")
        turn = conversation.start_assistant()
        text = bench_text("markdown", tokens, seed=number)
        reply = Reply([ScriptBlock("text", text)], tokens_per_second=100)
        record = WireRecord(status=200, headers=[("request-id", f"req_bench_{number:06d}")], headers_at=0.2)
        at = 0.3
        events: list[WireEvent] = []
        for index, frame in enumerate(frames(reply, MessageMeta(f"msg_bench_{number}", MODEL, 40), MAX_TOKENS)):
            at += frame.delay
            events.append(WireEvent.from_frame(index, at, frame.data))
        record.events = events
        turn.wire = record
        turn.blocks = [Block(0, "text", text, complete=True)]
        turn.api_content = [{"type": "text", "text": text}]
        turn.status = TurnStatus.COMPLETE
        turn.message_id = f"msg_bench_{number}"
        metrics = turn.metrics
        metrics.input_tokens, metrics.output_tokens, metrics.output_tokens_final = 40, tokens, True
        metrics.first_token_at, metrics.last_token_at, metrics.ended_at = 0.3, at, at
        metrics.stop_reason, metrics.events = "end_turn", len(record.events)
    return conversation


async def job_turns200(base_url: str, plan: Plan) -> dict[str, Any]:
    from tui_chat.session.store import ConversationStore

    raw = Raw(base_url)
    await raw.run(bench_prompt("markdown", 300))
    await raw.close()
    raw_peak = peak_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        store = ConversationStore(folder)
        conversation = build_conversation(plan.turns)
        store.save_conversation(conversation)
        for turn in conversation.turns:
            store.save_turn(conversation, turn)
        conversation_id = conversation.id
        del conversation
        result: dict[str, Any] = {"turns": plan.turns, "raw_peak_mb": raw_peak}
        async with app_session(base_url, warm_up=True) as session:
            screen = session.screen
            session.monitor.reset()
            started = time.perf_counter()
            screen.controller.history.store = store  # the app's own way: loaded in a thread, then shown
            assert await screen.controller.open_saved(conversation_id)
            last = screen.conversation.turns[-1]
            # Opened: its last answer is drawn at the bottom of the view (older turns keep arriving above).
            shown = await session.probe.wait_for(lambda: _end_shown(screen, last))
            done = await session.probe.wait_for(lambda: _all_rendered(screen))
            result["open_seconds"] = shown - started
            result["all_rendered_seconds"] = done - started
            result["open_max_stall"] = session.monitor.max_stall
            await session.pilot.pause(0.5)
            result["after_open_max_stall"] = session.monitor.max_stall
            result["app_peak_mb"] = peak_rss_mb()
        store.close()
    return {"turns200": result}


async def job_hour(base_url: str, plan: Plan) -> dict[str, Any]:
    """Memory after an hour at 100 tok/s with the inspector open, compressed in time: 36 answers of 10,000
    tokens (360,000 tokens, one delta event each) streamed at full speed. What a session holds depends on
    the events and turns it has seen, not on the time they took: the pace only changes how long this runs.
    Between answers it waits as long as the app waits after an answer before it lets the collector catch
    up (`RELEASE_AFTER`, plus a little): over an hour a person reads each answer before the next, so that
    happens after every answer. RSS is read after a full collection, once the last answer is saved."""
    import gc

    from tui_chat.session.collector import RELEASE_AFTER

    turns, tokens = (3, 1000) if plan.quick else (36, 10_000)
    async with app_session(base_url) as session:
        screen = session.screen
        gc.collect()
        rss_start = current_rss_mb()
        events = 0
        for _ in range(turns):
            await app_turn(session, bench_prompt("markdown", tokens), bench_text("markdown", tokens))
            turn = _last_answer(screen)
            events += turn.metrics.events if turn is not None else 0
            await session.pilot.pause(RELEASE_AFTER + 0.5)
        writer = screen.controller.history.writer
        if writer is not None:
            writer.flush(30)
        await session.pilot.pause(3.0)  # (the collector's hold after a stream is released after 2 s)
        gc.collect()
        return {
            "hour": {
                "turns": turns,
                "tokens": turns * tokens,
                "events": events,
                "rss_start_mb": rss_start,
                "rss_end_mb": current_rss_mb(),
                "peak_mb": peak_rss_mb(),
                "inspector_rows": len(screen.inspector.rows),
            }
        }


HOSTILE_SIZES = {"line": 1_000_000, "event": 50_000_000, "error": 10_000_000, "answer": 20_000_000}
"""The red-team's sizes: a 1 MB answer without a newline, a 50 MB event, a 10 MB error body, a 20 MB answer."""

HOSTILE_QUICK_SIZES = {"line": 20_000, "event": 9_000_000, "error": 100_000, "answer": 200_000}


async def job_hostile(kind: str, base_url: str, plan: Plan) -> dict[str, Any]:
    """One hostile answer (see `bench.hostile`) with the inspector open: how long until it has ended and is
    drawn, the longest loop stall and the keystroke echo meanwhile, and the memory it took."""
    from textual import events

    from tui_chat.bench.hostile import hostile_prompt, hostile_text
    from tui_chat.messages import PromptSubmitted
    from tui_chat.widgets.prompt_input import PromptInput

    size = (HOSTILE_QUICK_SIZES if plan.quick else HOSTILE_SIZES)[kind]
    async with app_session(base_url) as session:
        screen, probe = session.screen, session.probe
        rss_before = current_rss_mb()
        prompt_input = screen.query_one(PromptInput)
        session.monitor.reset()
        started = time.perf_counter()
        screen.post_message(PromptSubmitted(hostile_prompt(kind, size)))
        keys: list[float] = []
        while not _hostile_settled(screen):
            char = "xyz"[len(keys) % 3]
            before = len(prompt_input.text)
            pressed = time.perf_counter()
            session.app.post_message(events.Key(char, char))
            echoed = await probe.wait_for(lambda before=before: len(prompt_input.text) > before)  # type: ignore[misc]
            keys.append(echoed - pressed)
            await asyncio.sleep(0.2)
        seconds = time.perf_counter() - started
        turn = _last_answer(screen)
        assert turn is not None
        if kind in ("line", "answer"):
            assert turn.answer_text == hostile_text(kind, size), "the whole answer is kept"
        error = turn.error
        sections = screen.view.assistant[turn.id].text_sections
        return {
            f"hostile_{kind}": {
                "size": size,
                "seconds": seconds,
                "max_stall": session.monitor.max_stall,
                "keystrokes": keys,
                "rss_before_mb": rss_before,
                "rss_after_mb": current_rss_mb(),
                "peak_mb": peak_rss_mb(),
                "status": str(turn.status),
                "error": None if error is None else f"{error.kind}: {error.summary[:120]}",
                "shown_chars": sum(len(section.rendered_source) for section in sections),
            }
        }


def _hostile_settled(screen: ChatScreen) -> bool:
    return screen.settled_answers >= 1 and not screen.view.busy


def _end_shown(screen: ChatScreen, last: Turn) -> bool:
    """The last turn's sections are laid out, and the view shows its end."""
    view = screen.view
    entry = view.assistant.get(last.id)
    if entry is None or not all(view.is_laid_out(section) for section in entry.sections):
        return False
    return view.scroll_y >= view.max_scroll_y


def _all_rendered(screen: ChatScreen) -> bool:
    """Every section of the conversation is rendered and laid out, and every saved event is listed."""
    view = screen.view
    laid_out = bool(view.assistant) and not view.busy and all(view.is_laid_out(s) for s in view.sections)
    return laid_out and not screen.inspector.adding_saved_rows


async def job_search(base_url: str, plan: Plan) -> dict[str, Any]:
    """Search over thousands of saved conversations: the store's search (as `claude-tui list -q` and the
    list's search box run it), then in the app: ctrl+l until the list is on screen, and a search typed
    into its box until the results are."""
    from textual.widgets import Input

    from tui_chat.bench.corpus import conversations, queries
    from tui_chat.config import data_dir
    from tui_chat.screens.conversation_list import SEARCH_DELAY, ConversationListScreen
    from tui_chat.session.store import ConversationStore

    count, messages = plan.saved_conversations
    started = time.perf_counter()
    with ConversationStore(data_dir()) as store:
        batch: list[Conversation] = []
        for conversation in conversations(count, messages):
            batch.append(conversation)
            if len(batch) == 100:
                store.save_conversations(batch)
                batch = []
        store.save_conversations(batch)
    result: dict[str, Any] = {"conversations": count, "messages": count * messages}
    result["build_seconds"] = time.perf_counter() - started
    times: list[float] = []
    with ConversationStore(data_dir()) as store:
        for query in queries():
            for prefix in (False, True):
                store.search(query, prefix_last=prefix)  # (the first of each reads its pages from disk)
                for _ in range(plan.search_repeats):
                    begun = time.perf_counter()
                    store.search(query, prefix_last=prefix)
                    times.append(time.perf_counter() - begun)
    result["search_seconds"] = times
    opened: list[float] = []
    typed: list[float] = []
    typed_words = queries()[2:5]
    async with app_session(base_url, warm_up=False) as session:
        app, screen, probe = session.app, session.screen, session.probe
        for attempt in range(3):
            begun = time.perf_counter()
            screen.action_conversations()  # what ctrl+l runs
            shown = await probe.wait_for(
                lambda: isinstance(app.screen, ConversationListScreen) and app.screen.options.option_count > 0
            )
            opened.append(shown - begun)
            listing = app.screen
            assert isinstance(listing, ConversationListScreen)
            begun = time.perf_counter()
            listing.query_one("#list-search", Input).value = typed_words[attempt]
            found = await probe.wait_for(lambda: listing.hits is not None)  # noqa: B023  # (awaited here)
            typed.append(found - begun - SEARCH_DELAY)
            listing.action_cancel()
            await session.pilot.pause(0.3)
    result["open_list_seconds"] = opened
    result["typed_search_seconds"] = typed
    return {"search": result}


Job = Callable[[str, Plan], Awaitable[dict[str, Any]]]

JOBS: dict[str, Job] = {
    "throughput": job_throughput,
    "latency": job_latency,
    "cpu": job_cpu,
    "rss10k": job_rss10k,
    "turns200": job_turns200,
    "hour": job_hour,
    **{f"hostile_{kind}": functools.partial(job_hostile, kind) for kind in HOSTILE_SIZES},
    "search": job_search,
}


async def run_jobs(base_url: str, jobs: list[str], plan: Plan) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for job in jobs:
        results.update(await JOBS[job](base_url, plan))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui_chat.bench.worker")
    parser.add_argument("base_url")
    parser.add_argument("jobs", help="comma-separated: " + ", ".join(JOBS))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    jobs = args.jobs.split(",")
    unknown = [job for job in jobs if job not in JOBS]
    if unknown:
        parser.error(f"unknown job(s): {', '.join(unknown)}")
    results = asyncio.run(run_jobs(args.base_url, jobs, Plan(quick=args.quick)))
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
