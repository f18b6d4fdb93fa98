"""Untrusted text made safe to show (`tui_chat/safety.py`): controls stripped, hidden characters revealed,
secrets redacted."""

from __future__ import annotations

from tests.support.attacks import FAMILY, SMUGGLED
from tui_chat.safety import redact, reveal_invisible, sanitize, sanitize_line


def test_controls_are_stripped() -> None:
    hostile = "a\x1b[2Jb\x1b]0;t\x07c\x9b31md\x7fe\x00f\r\ng\th"
    assert sanitize(hostile) == "a[2Jb]0;tc31mdef\ng\th"
    assert "\x1b" not in sanitize(hostile)


def test_plain_text_is_untouched() -> None:
    text = "日本語 🎉 עברית\n\tcode"
    assert sanitize(text) is text


def test_line() -> None:
    assert sanitize_line("a\nb\tc") == "a b c"


def test_bidi_overrides_go_but_rtl_text_and_joiners_stay() -> None:
    assert sanitize("a\u202eevil\u202cb\u2066x\u2069") == "aevilbx"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # joined by ZWJ
    assert sanitize(f"שלום {family} \u200fمرحبا") == f"שלום {family} \u200fمرحبا"


def test_invisible_marks() -> None:
    assert reveal_invisible("a\u202eb") == "a<U+202E>b"


def test_redact() -> None:
    assert redact("key=sk-secret-123456 end", ["sk-secret-123456", None, "x"]) == "key=[REDACTED] end"


def test_every_form_of_a_key_is_redacted() -> None:
    """Item 3: the configured key, whole or in pieces, escaped (`repr`), as bytes (`\\xc3\\xa9`), split across
    lines; and anything shaped like an Anthropic key, whoever's it is."""
    key = "sk-ant-" + "api03-FIRSTLINEaaaa\nSECONDLINEbb-é-THIRDPARTcccc"
    texts = [
        f"Illegal header value {f'Bearer {key}'.encode()!r}",
        f"value {key!r}",
        f"as sent: {key}",
        key.replace("\n", "\r\n"),
        "echoed: sk-ant-" + "admin01-someone_elses-key_0123 and done",
    ]
    for text in texts:
        shown = redact(text, [key])
        for piece in ("FIRSTLINE", "SECONDLINE", "THIRDPART", "someone_elses"):
            assert piece not in shown, (text, shown)
        assert "[REDACTED]" in shown
    assert redact("a short key abc is no secret", ["abc"]) == "a short key abc is no secret"
    assert redact("model sk-antelope is fine", []) == "model sk-antelope is fine"


def test_the_inspector_reveals_tag_characters() -> None:
    from tui_chat.safety import reveal_invisible

    assert reveal_invisible(f"a{SMUGGLED[:2]}\u200db") == "a<U+E0069><U+E0067><U+200D>b"
    assert sanitize(f"a{SMUGGLED[:2]}{FAMILY}\u200fb") == f"a<U+E0069><U+E0067>{FAMILY}\u200fb"
