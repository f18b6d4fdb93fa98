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
