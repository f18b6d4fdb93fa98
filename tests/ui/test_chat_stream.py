"""`ChatStream`, the UI's stream: how it coalesces what it posts, where its messages go, and paced reads."""

from __future__ import annotations

from textual.message import Message

from tests.support.app import SIZE, demo_app, screen_text, type_prompt, wait_for_turn_end
from tui_chat.messages import StreamBatch, TurnEnded, TurnStarted
from tui_chat.preferences import Preferences
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.conversation import Turn


async def test_paced_reads_are_a_remembered_choice_shown_with_the_turns_they_paced() -> None:
    """The "paced_reads" preference (palette): a flowing answer is read in 50 ms bursts, and that turn's
    inspector status, tok/s and inter-token label say so (saved with it); off again, the next turn is
    read frame by frame."""
    from itertools import pairwise

    from tui_chat.demo.bench_content import bench_prompt

    prompt = bench_prompt("prose", 80, rate=200)  # real pauses below: 200 tokens a second, 5 ms apart

    def pauses(turn: Turn) -> int:
        """Gaps between deltas much longer than the server's 5 ms: where the reads paused."""
        return sum(later - earlier > 0.03 for earlier, later in pairwise(turn.metrics.delta_times))

    app, _ = demo_app(pace=1.0)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        screen.action_toggle_paced_reads()
        await pilot.pause(0.1)
        assert Preferences.load().paced_reads is True
        await type_prompt(pilot, prompt)
        await wait_for_turn_end(pilot)
        paced = screen.conversation.turns[-1]
        assert paced.metrics.read_pace == 0.05
        assert 4 <= pauses(paced) <= 15  # 0.4 s of deltas in 50 ms bursts: about 7 pauses (unpaced: none)
        shown = screen_text(app)
        assert "read every 50 ms" in shown and "tok/s ≈" in shown
        await pilot.press("f2")  # the inspector closed, the metrics have room for the inter-token sparkline
        await pilot.pause(0.2)
        label = screen.metrics._spark_label
        assert label.display and label.content.plain.startswith("inter-token ms · paced\np50 ")
        assert "inter-token ms · paced" in screen_text(app)  # drawn whole, in its own row
    app, _ = demo_app(pace=1.0)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.preferences.paced_reads
        screen.action_toggle_paced_reads()
        await pilot.pause(0.1)
        assert Preferences.load().paced_reads is False
        await pilot.press("f2")
        await type_prompt(pilot, prompt)
        await wait_for_turn_end(pilot)
        exact = screen.conversation.turns[-1]
        assert exact.metrics.read_pace == 0 and pauses(exact) < 4
        shown = screen_text(app)
        assert "read every" not in shown and "tok/s ≈" not in shown


async def test_the_streams_messages_stop_where_they_are_posted() -> None:
    """A batch is applied by the screen and goes no further, and a turn's start and end stop at the panes they
    are posted to: bubbling, each would be dispatched again by every container up to the app."""
    dispatched: list[Message] = []  # (kept: the identities below stay unique)

    def hook(message: Message) -> None:
        if isinstance(message, StreamBatch | TurnStarted | TurnEnded):
            dispatched.append(message)

    app, _server = demo_app()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)
    assert sum(isinstance(message, StreamBatch) for message in dispatched) >= 2
    assert sum(isinstance(message, TurnStarted) for message in dispatched) == 2  # the inspector's, the metrics'
    assert len({id(message) for message in dispatched}) == len(dispatched)  # each dispatched once
