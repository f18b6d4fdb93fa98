"""The conversation: every turn drawn as lines by one line-API widget, scrolled to the newest while it streams.

Mounting a widget per paragraph (Textual's `Markdown`) makes each growing answer re-arrange and
repaint the whole screen: most of the CPU an answer costs. Here each piece of a turn is a
`Section` that renders itself into lines of `Content` (cached per width); this widget stacks
them, turns the visible lines into strips (cached per line) and draws only what is on screen.
An answer that grows changes one section: the layout is a sum of heights, a paint is 40 cached
strips. Text selection, clicks (thinking blocks, earlier turns) and themes work as for any widget.
"""

from __future__ import annotations

import bisect
import re
import time
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import BindingType
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.timer import Timer

from tui_chat.adapters import textual_private
from tui_chat.bindings import bindings
from tui_chat.commands import Scope
from tui_chat.messages import BlockCompleted, BlockStarted, BlockText, RetryScheduled, TurnEnded
from tui_chat.render.sections import (
    CitationsSection,
    EarlierSection,
    HeaderSection,
    HintSection,
    NoticeSection,
    OpaqueSection,
    Section,
    TextSection,
    ThinkingSection,
    ToolCallResultSection,
    ToolResultSection,
    ToolSection,
    UserSection,
    notice_for_retry,
    notice_for_turn,
)
from tui_chat.render.strips import cropped, filtered
from tui_chat.session.conversation import Block, Turn, TurnStatus, citation_source
from tui_chat.session.search import term_pattern
from tui_chat.stream.types import RetryNotice
from tui_chat.widgets.fast_scrollbar import FastScrollbars
from tui_chat.widgets.prompt_input import type_into_prompt

RECENT_TURNS = 40
"""Turns rendered when a conversation is opened; older ones wait behind a line to click (less to lay out)."""

RENDER_BUDGET = 0.012
"""Seconds of markdown rendering per pass: a burst of text is rendered over several frames, never in one stall."""

PAD = 1
"""Blank cells left and right of every line."""

MAX_CACHED_ROWS = 1200
"""Row strips kept (a screenful is 40; the rest serve scrolling back a little)."""

JUMP = 0.5
"""While an answer streams, a followed view scrolls by this part of a page at once (then stays while the
text fills the space below): a view scrolled by a line changes every row, which a terminal must be sent
again, every frame; by half a page, every row is sent once per half page. At its end, the answer
is aligned with the bottom as before."""


def notice_is_error(turn: Turn) -> bool:
    """A failed answer's notice is red; a stopped or cut-short one's is a warning."""
    return turn.status in (TurnStatus.FAILED, TurnStatus.INCOMPLETE)


class Entry:
    """One item of the conversation (a turn, a hint, a TTFT result): an ordered list of sections."""

    def __init__(self, *sections: Section) -> None:
        self.sections: list[Section] = list(sections)
        self.turn: Turn | None = None


class AssistantEntry(Entry):
    """An answer: its header, its blocks as they stream, and a notice if it went wrong."""

    def __init__(self, view: ConversationView, turn: Turn) -> None:
        super().__init__(HeaderSection(turn))
        self.view = view
        self.turn = turn
        self.blocks: dict[int, Section] = {}
        self.notice: NoticeSection | None = None
        self._ended = False
        self._countdown: Timer | None = None
        self._run: TextSection | None = None
        """The text section that consecutive text blocks go into (the API splits a paragraph into blocks
        where a citation starts or ends)."""
        self._sources: CitationsSection | None = None
        """The sources cited by the run's blocks, under it."""
        self._source_numbers: dict[str, int] = {}
        """Each source cited in this answer, by its line: its number, as the marks in the text show it."""
        if turn.status is not TurnStatus.STREAMING:  # a finished turn (a resumed conversation): all at once
            self._add_finished(turn.blocks)
            content = notice_for_turn(turn)
            if content is not None:
                self._set_notice(content, error=notice_is_error(turn))
            self._ended = True

    @property
    def ended(self) -> bool:
        """True once the end of the turn is rendered (all its text, its notice)."""
        return self._ended and not any(section.busy for section in self.sections)

    @property
    def streaming(self) -> bool:
        """The turn has not ended yet."""
        return not self._ended

    @property
    def text_sections(self) -> list[TextSection]:
        return [section for section in self.sections if isinstance(section, TextSection)]

    def _add_finished(self, blocks: list[Block]) -> None:
        """The blocks of a finished turn: each run of text blocks as one section, with its citation marks."""
        turn = self.turn
        assert turn is not None
        run: list[Block] = []

        def close_run() -> None:
            if not run:
                return
            sources: list[tuple[int, str]] = []
            text = "".join(block.text + self._marks(block, sources) for block in run)
            section = TextSection(turn, text, complete=True)
            for block in run:
                self.blocks[block.index] = section
            self._insert(section)
            if sources:
                self._insert(CitationsSection(turn, sources))
            run.clear()

        for block in blocks:
            if block.kind == "text":
                run.append(block)
            else:
                close_run()
                self._add_block(block)
        close_run()

    def _marks(self, block: Block, sources: list[tuple[int, str]]) -> str:
        """` [1][2]` for the sources `block` cites (numbered in order of first citation in the answer);
        each new one is added to `sources`."""
        numbers: list[int] = []
        for line in block.citations:
            key = citation_source(line)
            number = self._source_numbers.setdefault(key, len(self._source_numbers) + 1)
            if all(known != number for known, _ in sources):
                sources.append((number, line))
            if number not in numbers:
                numbers.append(number)
        return " " + "".join(f"\\[{number}\\]" for number in numbers) if numbers else ""

    def _add_block(self, block: Block) -> None:
        turn = self.turn
        assert turn is not None
        section: Section
        if block.kind == "text":
            section = self._run = TextSection(turn)
            self._sources = None
        elif block.kind == "thinking":
            section = ThinkingSection(turn, block)
        elif block.is_tool_use:
            section = ToolSection(turn, block)
        elif block.kind in ToolResultSection.TITLES:
            section = ToolResultSection(turn, block)
        else:
            section = OpaqueSection(turn, block)
        self.blocks[block.index] = section
        self._insert(section)

    def _end_run(self) -> None:
        if self._run is not None:
            self._run.finish()
        self._run = self._sources = None

    def _insert(self, section: Section) -> None:
        """Add a section after the blocks (before the notice, if there is one)."""
        position = self.sections.index(self.notice) if self.notice in self.sections else len(self.sections)
        self.sections.insert(position, section)
        self.view.structure_changed()

    def start_block(self, block: Block) -> None:
        self._stop_countdown()
        self.sections[0].changed()  # message_start has named the model that answers
        if self.notice is not None and self.turn is not None and self.turn.status is TurnStatus.STREAMING:
            self.sections.remove(self.notice)  # the retry notice: the stream has started
            self.notice = None
            self.view.structure_changed()
        if block.kind == "text" and self._run is not None:
            self.blocks[block.index] = self._run  # the paragraph goes on (a citation split it)
            return
        self._end_run()
        self._add_block(block)

    def add_text(self, index: int, text: str) -> None:
        section = self.blocks.get(index)
        if isinstance(section, TextSection):
            section.feed(text)
        elif section is not None:
            section.changed()  # thinking and tool input: the block's text is the model's, already grown

    def complete_block(self, block: Block) -> None:
        section = self.blocks.get(block.index)
        if isinstance(section, TextSection):
            if block.citations and self.turn is not None:  # mark the text just streamed; list its sources
                sources: list[tuple[int, str]] = []
                section.feed(self._marks(block, sources))
                if self._sources is None or self._sources not in self.sections:
                    self._sources = CitationsSection(self.turn, [])
                    self.sections.insert(self.sections.index(section) + 1, self._sources)
                    self.view.structure_changed()
                for number, line in sources:
                    self._sources.add(number, line)
        elif section is not None:
            section.changed()

    def show_retry(self, notice: RetryNotice) -> None:
        """Say that an attempt failed and count down to the next one (ten times a second)."""
        self._stop_countdown()
        deadline = time.monotonic() + notice.wait

        def tick() -> None:
            remaining = max(0.0, deadline - time.monotonic())
            self._set_notice(notice_for_retry(notice, remaining), error=False)
            self.view.relayout()
            if remaining <= 0:
                self._stop_countdown()

        tick()
        self._countdown = self.view.set_interval(0.1, tick)

    def _stop_countdown(self) -> None:
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None

    def _set_notice(self, content: Content, *, error: bool) -> None:
        if self.notice is None:
            assert self.turn is not None
            self.notice = NoticeSection(self.turn, content, error=error)
            self.sections.append(self.notice)
            self.view.structure_changed()
        else:
            self.notice.set(content, error=error)

    def add_note(self, text: str) -> None:
        """Add a line under the turn's notice (e.g. the models to choose from after a 404)."""
        if self.notice is not None:
            self.notice.add_note(text)
            self.view.relayout()

    def end(self) -> None:
        self._stop_countdown()
        self._run = self._sources = None
        for text in self.text_sections:
            text.finish()
        turn = self.turn
        assert turn is not None
        for section in self.sections:
            section.changed()  # the bar's colour and the header follow the final state
        content = notice_for_turn(turn)
        if content is None:
            if self.notice is not None:
                self.sections.remove(self.notice)
                self.notice = None
                self.view.structure_changed()
        else:
            self._set_notice(content, error=notice_is_error(turn))
        self._ended = True


class ToolResultsEntry(Entry):
    """The results of an answer's tool calls (a `tool` turn): one section each, filled in as they end."""

    def __init__(self, turn: Turn) -> None:
        super().__init__(*(ToolCallResultSection(turn, block) for block in turn.blocks))
        self.turn = turn

    def update(self, turn: Turn) -> None:
        """A call ended (its block filled in): redraw."""
        for section in self.sections:
            section.changed()


class ConversationView(FastScrollbars, ScrollView, can_focus=True):
    """User and assistant turns, as lines; follows the newest text unless scrolled up."""

    # No letter keys here: typing in the conversation goes to the prompt (see `on_key`).
    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.CONVERSATION)

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "conversation-view--user",
        "conversation-view--user-bar",
        "conversation-view--assistant-bar",
        "conversation-view--failed-bar",
        "conversation-view--stopped-bar",
        "conversation-view--match",
        "conversation-view--match-current",
    }

    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        background: transparent;
    }
    ConversationView > .conversation-view--user { background: $boost; }
    ConversationView > .conversation-view--user-bar { color: $accent; background: $boost; }
    ConversationView > .conversation-view--assistant-bar { color: $primary; }
    ConversationView > .conversation-view--failed-bar { color: $error; }
    ConversationView > .conversation-view--stopped-bar { color: $warning; }
    ConversationView > .conversation-view--match { background: $warning 35%; }
    ConversationView > .conversation-view--match-current { background: $accent; color: $text; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, hints: bool = True) -> None:
        super().__init__(id=id)
        self.hints = hints
        """Show the help text while the conversation is empty."""
        self.assistant: dict[int, AssistantEntry] = {}
        self.tool_results: dict[int, ToolResultsEntry] = {}
        self._entries: list[Entry] = []
        self._sections: list[Section] = []
        self._starts: list[int] = []
        """First line of each section (its top margin included)."""
        self._versions: list[tuple[int, int]] = []
        self._drawn: list[list[Content]] = []
        """Each stacked section's lines when it was stacked (compared by identity: unchanged blocks keep
        their line objects), to find the first line that changed."""
        self._changed_from = 0
        """The first virtual line the last `_stack` changed."""
        """(version, height) of each section when last laid out."""
        self._width = 0
        self._total = 0
        self._structure_dirty = True
        self._rows: dict[int, tuple[Content | None, str | None, Strip]] = {}
        """Row strips by virtual line, with the line's `Content` and bar they were drawn from."""
        self._styles: dict[str, Style] = {}
        self._pending_pass = False
        self._backlog: list[Turn] = []
        """Turns of an opened conversation not rendered yet (oldest first), going in at `_backlog_at`."""
        self._backlog_at = 0
        self.following = True
        """Keep the newest line in view (until the user scrolls up; back at the bottom, again)."""
        self._find: re.Pattern[str] | None = None
        """What the find (ctrl+f) highlights: every term of its query, in any case."""
        self._found: tuple[int, int] | None = None
        """The current match: its virtual line and where it starts in that line."""

    # -------------------------------------------------------------------------- content
    def on_mount(self) -> None:
        self._show_hint()

    def _show_hint(self) -> None:
        if self.hints and not self._entries:
            self._entries.append(Entry(HintSection()))
            self.structure_changed()
        self.relayout()

    def _hide_hint(self) -> None:
        before = len(self._entries)
        self._entries = [entry for entry in self._entries if not isinstance(entry.sections[0], HintSection)]
        if len(self._entries) != before:
            self.structure_changed()

    @property
    def entries(self) -> list[Entry]:
        return list(self._entries)

    @property
    def sections(self) -> list[Section]:
        """Every section, top to bottom."""
        return [section for entry in self._entries for section in entry.sections]

    # What the user asks for (a message, a new answer, a TTFT experiment) is followed from wherever the
    # view was scrolled: sending is asking to see the answer.
    def add_section(self, section: Section) -> None:
        """Add something that is not a turn (a TTFT experiment's result) at the end."""
        self._hide_hint()
        self._entries.append(Entry(section))
        self.structure_changed()
        self.relayout(follow=True)

    def add_user(self, turn: Turn) -> None:
        self._hide_hint()
        entry = Entry(UserSection(turn))
        entry.turn = turn
        self._entries.append(entry)
        self.structure_changed()
        self.relayout(follow=True)

    def add_assistant(self, turn: Turn) -> AssistantEntry:
        entry = AssistantEntry(self, turn)
        self.assistant[turn.id] = entry
        self._entries.append(entry)
        self.structure_changed()
        self.relayout(follow=True)
        return entry

    def show_tool_results(self, turn: Turn, *, done: bool = False) -> None:
        """Show (or update) the results of an answer's tool calls as they come in."""
        entry = self.tool_results.get(turn.id)
        if entry is None:
            self._hide_hint()
            entry = self.tool_results[turn.id] = ToolResultsEntry(turn)
            self._entries.append(entry)
            self.structure_changed()
        else:
            entry.update(turn)
        self.relayout()

    def remove_turns(self, turn_ids: set[int]) -> None:
        """Remove the entries of these turns (user and assistant)."""
        self._entries = [e for e in self._entries if e.turn is None or e.turn.id not in turn_ids]
        self._backlog = [turn for turn in self._backlog if turn.id not in turn_ids]
        for turn_id in turn_ids:
            self.assistant.pop(turn_id, None)
            self.tool_results.pop(turn_id, None)
        self.structure_changed()
        self.relayout()

    def clear_all(self) -> None:
        self.assistant.clear()
        self.tool_results.clear()
        self._entries.clear()
        self._backlog = []
        self.structure_changed()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.following = True  # the next answer is followed, wherever the old conversation was scrolled
        self._show_hint()

    def show_turns(self, turns: list[Turn], *, recent: int = RECENT_TURNS) -> None:
        """Show finished turns (a resumed conversation), from the newest up, a frame's worth at a time
        (see `relayout`). Only the last `recent` are rendered; older ones wait behind a line to click."""
        self.assistant.clear()
        self.tool_results.clear()
        self._entries.clear()
        hidden = turns[:-recent] if len(turns) > recent else []
        if hidden:
            self._entries.append(Entry(EarlierSection(hidden, self._show_earlier)))
        self._backlog = list(turns[len(hidden) :])
        self._backlog_at = len(self._entries)
        if not turns:
            self._show_hint()
        self.structure_changed()
        self.relayout(follow=True)

    def _entry(self, turn: Turn) -> Entry:
        if turn.is_tool_results:
            results = self.tool_results[turn.id] = ToolResultsEntry(turn)
            return results
        if turn.role == "user":
            entry = Entry(UserSection(turn))
            entry.turn = turn
            return entry
        assistant = AssistantEntry(self, turn)
        self.assistant[turn.id] = assistant
        return assistant

    def _show_earlier(self, placeholder: EarlierSection) -> None:
        """Render the turns that were left out, above the ones shown (the view stays where it was)."""
        position = next(i for i, entry in enumerate(self._entries) if placeholder in entry.sections)
        del self._entries[position]
        self._backlog = [*placeholder.turns, *self._backlog]
        self._backlog_at = position
        self.structure_changed()
        self.relayout()

    def _render_backlog(self, width: int, deadline: float) -> int:
        """Turn the newest turns of the backlog into entries until `deadline`; returns the lines added
        above the ones already shown."""
        made: list[Entry] = []
        while self._backlog and (not made or time.perf_counter() < deadline):
            entry = self._entry(self._backlog.pop())
            for section in entry.sections:
                section.lines(self._inner_width(section, width))
            made.append(entry)
        if not made:
            return 0
        made.reverse()
        self._entries[self._backlog_at : self._backlog_at] = made
        self.structure_changed()
        return sum(
            section.margin_top + len(section.lines(self._inner_width(section, width)))
            for entry in made
            for section in entry.sections
        )

    def action_show_earlier(self) -> None:
        for entry in self._entries:
            if isinstance(entry.sections[0], EarlierSection):
                entry.sections[0].click(0)
                return
        self.notify("Every turn of this conversation is shown.")

    def action_toggle_thinking(self) -> None:
        """Open every thinking block, or fold them all if one is open."""
        thinking = [s for s in self._sections if isinstance(s, ThinkingSection)]
        if not thinking:
            self.notify("No thinking block in this conversation.")
            return
        opened = not any(section.expanded for section in thinking)
        for section in thinking:
            section.toggle(opened)
        self.relayout(follow=False)

    # ------------------------------------------------------------------------------ find
    def find(self, query: str, *, turn: Turn | None = None) -> tuple[int, int]:
        """Highlight every match of `query` (each of its words, or "a phrase", in any case) in the lines as
        drawn, and go to the first one at or below the top of the view, or the first in `turn`'s lines.
        Every turn is rendered first (a long conversation's earlier ones too). Returns (current, total)."""
        self._find = term_pattern(query)
        self._found = None
        self._render_everything()
        matches = self._matches()
        if matches:
            if turn is not None:
                rows = self._turn_rows(turn)
                chosen = next((m for m in matches if m[0] in rows), matches[0])
            else:
                top = int(self.scroll_y)
                chosen = next((m for m in matches if m[0] >= top), matches[0])
            self._go_to(chosen)
        self._repaint_matches()
        return self.find_position(matches)

    def find_step(self, step: int) -> tuple[int, int]:
        """Go to the next (`step` 1) or previous (-1) match, round the ends. Returns (current, total)."""
        matches = self._matches()
        if not matches:
            self._found = None
        else:
            keys = [(row, start) for row, start, _ in matches]
            if self._found is None:
                index = 0 if step > 0 else len(matches) - 1
            else:
                index = bisect.bisect_left(keys, self._found)
                if step > 0:
                    index = index + 1 if index < len(keys) and keys[index] == self._found else index
                else:
                    index -= 1
                index %= len(matches)
            self._go_to(matches[index])
        self._repaint_matches()
        return self.find_position(matches)

    def clear_find(self) -> None:
        """No more highlights."""
        self._find = None
        self._found = None
        self._repaint_matches()

    @property
    def finding(self) -> bool:
        return self._find is not None

    def find_position(self, matches: list[tuple[int, int, int]] | None = None) -> tuple[int, int]:
        """(the current match's number from 1, how many there are); (0, n) with no current one."""
        matches = self._matches() if matches is None else matches
        keys = [(row, start) for row, start, _ in matches]
        current = keys.index(self._found) + 1 if self._found in keys else 0
        return current, len(matches)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("find_next", "find_previous"):
            return self._find is not None  # without a find, n and N are neither taken nor shown
        return True

    def action_find_next(self) -> None:
        self._step_from_the_view(1)

    def action_find_previous(self) -> None:
        self._step_from_the_view(-1)

    def _step_from_the_view(self, step: int) -> None:
        current, total = self.find_step(step)
        self.post_message(self.FindMoved(current, total))

    class FindMoved(Message):
        """The current match changed from a key in the view (n / N): the find bar's count follows."""

        def __init__(self, current: int, total: int) -> None:
            super().__init__()
            self.current = current
            self.total = total

    def _matches(self) -> list[tuple[int, int, int]]:
        """Every match in the lines as drawn: (virtual line, start, end), top to bottom."""
        pattern = self._find
        if pattern is None:
            return []
        self._collect_sections()
        if self._structure_dirty or len(self._starts) != len(self._sections):
            self.relayout(follow=False)
        found: list[tuple[int, int, int]] = []
        for index, section in enumerate(self._sections):
            lines = section.lines(self._inner_width(section, self._width))
            first = self._starts[index] + section.margin_top
            for number, line in enumerate(lines):
                plain = line.plain
                if plain:
                    found.extend((first + number, *match.span()) for match in pattern.finditer(plain))
        return found

    def _turn_rows(self, turn: Turn) -> set[int]:
        """The virtual lines of `turn`'s sections."""
        owned = {id(section) for entry in self._entries if entry.turn is turn for section in entry.sections}
        rows: set[int] = set()
        for index, section in enumerate(self._sections):
            if id(section) in owned:
                start = self._starts[index]
                rows.update(range(start, start + self._versions[index][1]))
        return rows

    def _go_to(self, match: tuple[int, int, int]) -> None:
        """Make `match` the current one and bring its line into view (a third of the way down)."""
        row, start, _ = match
        self._found = (row, start)
        height = self.scrollable_content_region.height
        if not (self.scroll_y <= row < self.scroll_y + height):
            self.scroll_to(y=max(0, row - height // 3), animate=False, immediate=True)

    def _repaint_matches(self) -> None:
        self._rows.clear()
        self.refresh()
        self.refresh_bindings()

    def _render_everything(self) -> None:
        """Render every turn (earlier ones of a long conversation included) and lay them out, now."""
        for entry in list(self._entries):
            if entry.sections and isinstance(entry.sections[0], EarlierSection):
                self._show_earlier(entry.sections[0])
        width = self.content_width
        if not self.is_mounted or width <= 0:
            return
        if self._backlog:
            self._render_backlog(width, float("inf"))
        self._collect_sections()
        for section in self._sections:
            while section.busy:
                section.step()
        self.relayout(follow=False)

    # ------------------------------------------------------------------ stream messages
    def on_block_started(self, message: BlockStarted) -> None:
        entry = self.assistant.get(message.turn_id)
        if entry is not None:
            entry.start_block(message.block)

    def on_block_text(self, message: BlockText) -> None:
        entry = self.assistant.get(message.turn_id)
        if entry is not None:
            entry.add_text(message.index, message.text)

    def on_block_completed(self, message: BlockCompleted) -> None:
        entry = self.assistant.get(message.turn_id)
        if entry is not None:
            entry.complete_block(message.block)

    def on_retry_scheduled(self, message: RetryScheduled) -> None:
        entry = self.assistant.get(message.turn_id)
        if entry is not None:
            entry.show_retry(message.notice)

    def on_turn_ended(self, message: TurnEnded) -> None:
        entry = self.assistant.get(message.turn.id)
        if entry is not None:
            entry.end()
        self.relayout()

    # --------------------------------------------------------------------------- layout
    def structure_changed(self) -> None:
        """Sections were added or removed (laid out at the next `relayout`)."""
        self._structure_dirty = True

    @property
    def busy(self) -> bool:
        """Some text (or some turns of an opened conversation) is still waiting to be rendered."""
        return bool(self._backlog) or any(section.busy for section in self._sections)

    def is_laid_out(self, section: Section) -> bool:
        """The section's current lines are in the layout (drawn by the next paint)."""
        if self._structure_dirty:
            return False
        try:
            index = self._sections.index(section)
        except ValueError:
            return False
        return index < len(self._versions) and self._versions[index][0] == section.version

    @property
    def content_width(self) -> int:
        return max(0, self.scrollable_content_region.width)

    def relayout(self, *, follow: bool | None = None) -> None:
        """Render what changed, stack the sections, keep the newest line in view if it was.

        Pending answer text is rendered for at most `RENDER_BUDGET` seconds; the rest in the next
        pass, after the next frame."""
        width = self.content_width
        if not self.is_mounted or width <= 0:
            return
        self._collect_sections()
        deadline = time.perf_counter() + RENDER_BUDGET
        for section in self._sections:
            while section.busy and time.perf_counter() < deadline:
                section.step()
                section.lines(self._inner_width(section, width))  # rendering is most of the cost: in the budget
        following = self.following if follow is None else follow
        added_above = self._render_backlog(width, deadline) if self._backlog else 0
        self._collect_sections()
        scroll_y = self.scroll_y
        self._stack(width)
        top = self._followed_top() if following else None
        height = self.scrollable_content_region.height
        self._set_virtual_height(self._total if top is None else max(self._total, top + height))
        if top is not None:
            self.scroll_to(y=top, animate=False, immediate=True)
            self.following = True
        elif added_above:
            self.scroll_to(y=scroll_y + added_above, animate=False, immediate=True)
        shown_from = int(self.scroll_y)
        if shown_from == int(scroll_y) and not added_above and self._changed_from >= shown_from:
            # Not scrolled: only the lines from the first that changed are drawn again (a row scrolled
            # into view is drawn by the scroll). Every row is still compared on the way to the terminal.
            self.refresh_lines(self._changed_from, max(1, shown_from + height - self._changed_from))
        else:
            self.refresh()
        if self.busy and not self._pending_pass:
            self._pending_pass = True
            self.call_after_refresh(self._next_pass)

    def _followed_top(self) -> int:
        """The first line shown by a followed view: the last page, or while an answer streams, where it
        is until the text reaches the bottom, then `JUMP` of a page further (see `JUMP`)."""
        height = self.scrollable_content_region.height
        bottom = max(0, self._total - height)
        last = self._entries[-1] if self._entries else None
        if not isinstance(last, AssistantEntry) or not last.streaming or height < 4:
            return bottom
        top = int(self.scroll_y)
        jumped = bottom + int(height * JUMP)
        if self._total > top + height:  # the text reached the bottom
            return jumped
        return min(top, jumped)

    def _collect_sections(self) -> None:
        """The flat list of sections, after sections or entries were added or removed."""
        if self._structure_dirty:
            self._structure_dirty = False
            self._sections = [section for entry in self._entries for section in entry.sections]
            self._versions = []
            self._starts = []
            self._drawn = []

    def _next_pass(self) -> None:
        self._pending_pass = False
        self.relayout()

    def _stack(self, width: int) -> None:
        """Heights and starts from the first section that changed. Cached rows need no forgetting: a
        row is reused only while the same content is at its place (see `_row`)."""
        inner_width = self._inner_width
        if width != self._width:
            self._width = width
            self._versions = []
            self._starts = []
            self._drawn = []
            self._rows.clear()
        sections = self._sections
        first = len(self._starts)
        for index, section in enumerate(sections[:first]):
            if self._versions[index][0] != section.version:
                first = index
                break
        before = self._drawn[first] if first < len(self._drawn) else None
        del self._starts[first:]
        del self._versions[first:]
        del self._drawn[first:]
        line = self._starts[-1] + self._versions[-1][1] if self._starts else 0
        self._changed_from = line
        for section in sections[first:]:
            lines = section.lines(inner_width(section, width))
            if before is not None:  # the first section that changed: from its first line that did
                same = 0
                for old, new in zip(before, lines, strict=False):
                    if old is not new:
                        break
                    same += 1
                self._changed_from = line + section.margin_top + same
                before = None
            height = section.margin_top + len(lines)
            self._starts.append(line)
            self._versions.append((section.version, height))
            self._drawn.append(lines)
            line += height
        if len(self._rows) > MAX_CACHED_ROWS:
            self._rows.clear()
        self._total = line + 1 if sections else 0  # one blank line below the last turn

    @staticmethod
    def _inner_width(section: Section, width: int) -> int:
        return max(1, width - 2 * PAD - (3 if section.gutter else 0))

    def _set_virtual_height(self, height: int) -> None:
        """Set around the reactive: its layout pass would re-arrange the whole screen for every batch."""
        size = Size(self._width, height)
        if size != self.virtual_size:
            self.set_reactive(ConversationView.virtual_size, size)
            textual_private.update_scrollbars(self, size)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.following = new_value >= self.max_scroll_y  # scrolled up, even a line: stay there as text arrives

    def on_resize(self) -> None:
        self._rows.clear()
        self.relayout()
        self.refresh()  # every row (`relayout` draws the lines that changed: none may have)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._rows.clear()

    # ------------------------------------------------------------------------ rendering
    def _style(self, name: str | None) -> Style:
        key = name or ""
        style = self._styles.get(key)
        if style is None:
            rich = self.get_component_rich_style(f"conversation-view--{name}") if name else self.rich_style
            style = self._styles[key] = Style.from_rich_style(rich)
        return style

    def _locate(self, row: int) -> tuple[Section, int] | None:
        """The section at virtual line `row`, and the line within its lines (-1 in its top margin)."""
        if not self._starts or row < 0:
            return None
        index = bisect.bisect_right(self._starts, row) - 1
        if index < 0 or index >= len(self._sections):
            return None
        section = self._sections[index]
        line = row - self._starts[index] - section.margin_top
        if line >= self._versions[index][1] - section.margin_top:
            return None
        return section, line

    def _row(self, row: int, width: int, selection: Selection | None, *, offsets: bool = False) -> Strip:
        """Virtual line `row` as a strip `width` cells wide. Painted rows carry no selection offsets
        (each one is a new style per segment: a third of the cost); `render_line`, which Textual asks
        where the mouse is, adds them."""
        found = self._locate(row)
        if found is None or found[1] < 0:
            if offsets:
                meta = RichStyle.from_meta({"offset": (0, row)})
                return Strip([Segment(" " * width, self._style(None).rich_style + meta)], width)
            blank = self._rows.get(-1)
            if blank is None or blank[2].cell_length != width:
                strip = Strip([Segment(" " * width, self._style(None).rich_style)], width)
                blank = self._rows[-1] = (None, None, strip)
            return blank[2]
        section, line = found
        content = section.lines(self._inner_width(section, self._width))[line]
        gutter = section.gutter
        cacheable = selection is None and not offsets
        if cacheable:
            cached = self._rows.get(row)
            if (
                cached is not None
                and cached[1] == gutter
                and cached[2].cell_length == width
                and cached[0] is not None
                and cached[0].is_same(content)  # a re-rendered block gives equal lines as new objects
            ):
                return cached[2]
        strip = self._build_row(section, content, row, width, selection, offsets=offsets)
        if cacheable:
            self._rows[row] = (content, gutter, strip)
        return strip

    def _build_row(
        self,
        section: Section,
        content: Content,
        row: int,
        width: int,
        selection: Selection | None,
        *,
        offsets: bool,
    ) -> Strip:
        base = self._style(None)
        inside = self._style(section.background) if section.background else base

        def at(x: int) -> RichStyle | None:
            return RichStyle.from_meta({"offset": (x, row)}) if offsets else None

        segments = [Segment(" " * PAD, base.rich_style + at(0))]
        used = PAD
        if section.gutter:
            bar = self._style(section.gutter)
            segments.append(Segment("▌", bar.rich_style + at(0)))
            segments.append(Segment(" ", inside.rich_style + at(0)))
            used += 2
        if self._find is not None:
            content = self._highlight_matches(content, row)
        if selection is not None and (span := selection.get_span(row)) is not None:
            start, end = span
            selected = Style.from_rich_style(self.screen.get_component_rich_style("screen--selection"))
            content = content.stylize(selected, start, len(content.plain) if end == -1 else end)
        x = 0
        for text, text_style in content.render(inside, end="", parse_style=textual_private.style_parser(self)):
            style = inside + text_style
            segments.append(Segment(text, style.rich_style_with_offset(x, row) if offsets else style.rich_style))
            x += len(text)
        used += content.cell_length
        right = width - used - PAD
        if right > 0:
            segments.append(Segment(" " * right, inside.rich_style + at(x)))
            used += right
        if width - used > 0:
            segments.append(Segment(" " * (width - used), base.rich_style))
        return Strip(segments, width).crop(0, width)

    def _highlight_matches(self, content: Content, row: int) -> Content:
        """`content` (virtual line `row`) with the find's matches highlighted, the current one apart."""
        assert self._find is not None
        for match in self._find.finditer(content.plain):
            start, end = match.span()
            current = self._found == (row, start)
            content = content.stylize(self._style("match-current" if current else "match"), start, end)
        return content

    def render_line(self, y: int) -> Strip:
        """Line `y` of the view with selection offsets (Textual asks for it to place the mouse in the text)."""
        return self._row(int(self.scroll_y) + y, self.size.width, self.text_selection, offsets=True)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The visible lines, straight from the line cache (no per-line styling pass: see the module doc)."""
        width = self.size.width
        scroll_y = int(self.scroll_y)
        selection = self.text_selection
        rows = [self._row(scroll_y + y, width, selection) for y in crop.line_range]
        return cropped(filtered(self, rows), crop, width)

    # ---------------------------------------------------------------- keys, mouse, selection
    def on_key(self, event: events.Key) -> None:
        """Typing here goes to the prompt (this pane has no letter keys)."""
        type_into_prompt(self, event)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        found = self._locate(int(self.scroll_y) + offset.y)
        if found is not None and found[1] >= 0 and found[0].click(found[1]):
            self.relayout(follow=False)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(self.lines_text())), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def lines_text(self) -> list[str]:
        """Every line as shown: plain text, without the bars (what selecting everything copies)."""
        lines: list[str] = []
        for row in range(self._total):
            found = self._locate(row)
            if found is None or found[1] < 0:
                lines.append("")
            else:
                section, line = found
                lines.append(section.lines(self._inner_width(section, self._width))[line].plain)
        return lines
