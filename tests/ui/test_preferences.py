"""Preferences in the app: remembered in config.toml, a broken file reported, `[keys]` rebinding."""

from __future__ import annotations

from tests.support.app import SIZE, demo_app, screen_text, type_prompt, wait_for_turn_end
from tui_chat.commands import KeyMap, active_keymap, use_keymap
from tui_chat.preferences import Preferences
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.help import HelpScreen


async def test_theme_and_inspector_are_remembered() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "ansi-dark"
        await pilot.press("f2")
        await pilot.pause(0.1)
    saved = Preferences.load()
    assert saved.theme == "ansi-dark" and saved.inspector is True
    assert 'theme = "ansi-dark"' in Preferences.path().read_text(encoding="utf-8")

    app, _ = demo_app()
    async with app.run_test(size=SIZE):
        assert app.theme == "ansi-dark"
        screen = app.screen
        assert isinstance(screen, ChatScreen) and screen.inspector_pane.display


async def test_a_broken_config_is_reported_not_fatal() -> None:
    path = Preferences.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("theme = [unclosed", encoding="utf-8")
    app, _ = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause(0.1)
        assert "Preferences not read" in screen_text(app)
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot)


async def test_empty_conversation_hint_can_be_switched_off() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        assert "Ask anything, then press Enter." in screen_text(app)
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot)
        assert "Ask anything" not in screen_text(app)
    Preferences(hints=False).save()
    app, _ = demo_app()
    async with app.run_test(size=SIZE):
        assert "Ask anything" not in screen_text(app)


async def test_rebound_keys_work_in_the_app_and_show_in_help_and_bad_ones_are_reported() -> None:
    path = Preferences.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[keys]\ntoggle_inspector = "f9"\nretry = "nonsense"\nexport = "f7"\n', encoding="utf-8")
    try:
        app, _ = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause(0.2)
            assert "Preferences not read" in screen_text(app)  # the notice; what it lists:
            problems = "\n".join(app.preferences.problems)
            assert "retry: 'nonsense' is not a key" in problems
            assert "export: f7 edits text in the prompt" in problems
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            assert not screen.inspector_pane.display
            await pilot.press("f9")
            assert screen.inspector_pane.display
            await pilot.press("f2")  # no longer the inspector's key
            assert screen.inspector_pane.display
            await pilot.press("f1")
            await pilot.pause(0.1)
            assert isinstance(app.screen, HelpScreen)
            shown = screen_text(app)
            assert "F9" in shown and "show or hide the event inspector" in shown
    finally:
        use_keymap(KeyMap())
    assert active_keymap().keys("toggle_inspector") == ("f2",)
