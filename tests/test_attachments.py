"""Attachments: their type read from the bytes, sent as content blocks, refused clearly."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest

from tests.support.attachments import PDF, png
from tests.support.controller import answer_to, driver, messages_bodies
from tui_chat.attachments import IMAGE_MAX_BYTES
from tui_chat.demo.features import ModelFeatures
from tui_chat.demo.server import MODELS, DemoModel
from tui_chat.session import reports
from tui_chat.session.export import conversation_to_markdown


async def test_attachments_go_as_content_blocks_are_described_saved_and_resumed(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "chart.png").write_bytes(png(40, 30))
    (files / "paper.pdf").write_bytes(PDF)
    (files / "notes.md").write_text("# Notes\nline two\n", encoding="utf-8")
    async with driver(tmp_path / "db") as d:
        for name in ("chart.png", "paper.pdf", "notes.md"):
            assert await d.controller.attach(str(files / name))
        assert [a.name for a in d.of(reports.AttachmentsChanged)[-1].attachments] == [
            "chart.png",
            "paper.pdf",
            "notes.md",
        ]
        answer = await answer_to(d, "what are these?")
        assert d.of(reports.AttachmentsChanged)[-1].attachments == ()
        content = messages_bodies(d)[-1]["messages"][0]["content"]
        assert [block["type"] for block in content] == ["image", "document", "document", "text"]
        assert content[0]["source"]["media_type"] == "image/png"
        assert base64.b64decode(content[0]["source"]["data"]) == png(40, 30)
        assert content[1]["source"]["media_type"] == "application/pdf" and content[1]["title"] == "paper.pdf"
        assert base64.b64decode(content[1]["source"]["data"]) == PDF
        assert content[2]["source"] == {"type": "text", "media_type": "text/plain", "data": "# Notes\nline two\n"}
        assert "a PNG image, 40×30 px" in answer.answer_text and "a PDF “paper.pdf”" in answer.answer_text
        assert "a text document “notes.md”, 2 lines" in answer.answer_text
        conversation = d.controller.conversation
        markdown = conversation_to_markdown(conversation)
        assert "Attached: chart.png · PNG image · " in markdown and content[0]["source"]["data"] not in markdown
        d.controller.new_conversation()
        await d.controller.resume(conversation.id)
        reopened = d.controller.conversation
        assert [a.name for a in reopened.turns[0].attachments] == ["chart.png", "paper.pdf", "notes.md"]
        await answer_to(d, "and again")
        again = messages_bodies(d)[-1]["messages"][0]["content"]
        assert [block["type"] for block in again] == ["image", "document", "document", "text"]
        assert again[0]["source"]["data"] == content[0]["source"]["data"]


async def test_attachment_refusals_are_clear_and_keep_the_command(tmp_path: Path) -> None:
    (tmp_path / "program.bin").write_bytes(b"\x7fELF\x00\x01\x02binary")
    (tmp_path / "huge.png").write_bytes(png(8, 8) + b"\x00" * (IMAGE_MAX_BYTES + 1))
    (tmp_path / "wide.png").write_bytes(png(8001, 1))
    async with driver() as d:
        cases = [
            ("missing.png", "No such file"),
            ("program.bin", "not a file type the API takes"),
            ("huge.png", "the API takes images of up to 5.0 MB"),
            ("wide.png", "at most 8000 px a side"),
        ]
        for name, reason in cases:
            assert not await d.controller.attach(str(tmp_path / name))
            assert reason in d.notices()[-1], d.notices()[-1]
            assert d.of(reports.PromptText)[-1] == reports.PromptText(f"/attach {tmp_path / name}")
        assert d.controller.attachments == []


async def test_a_model_without_image_input_refuses_an_image(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(png(4, 4))
    blind = DemoModel("claude-blind-1", "No images (demo)", 200.0, 0.0, features=ModelFeatures(image_input=False))
    async with driver(models=[*MODELS, blind]) as d:
        d.controller.set_model("claude-blind-1")
        assert not await d.controller.attach(str(tmp_path / "chart.png"))
        assert "claude-blind-1 does not take images" in d.notices()[-1]
        d.controller.set_model("claude-sonnet-5-5")
        assert await d.controller.attach(str(tmp_path / "chart.png"))
        d.controller.set_model("claude-blind-1")  # attached first, then the model changed: the send is refused
        assert not await d.controller.send("look")
        assert d.of(reports.PromptText)[-1] == reports.PromptText("look")
        assert messages_bodies(d) == [] and len(d.controller.attachments) == 1


def test_attachment_types_come_from_the_bytes() -> None:
    from tui_chat.attachments import AttachmentError, attachment_from_bytes

    gif = b"GIF89a" + struct.pack("<HH", 30, 20) + b"\x00" * 20
    jpeg = (
        b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"\x00" * 14 + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 600, 800)
    )
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (639).to_bytes(3, "little") + (479).to_bytes(3, "little")
    for data, media_type, detail in (
        (gif, "image/gif", "30×20 px"),
        (jpeg + b"\x00" * 20, "image/jpeg", "800×600 px"),
        (webp, "image/webp", "640×480 px"),
        (PDF, "application/pdf", "1 page"),
        ("日本語\n".encode(), "text/plain", "1 line"),
    ):
        attachment = attachment_from_bytes("f", data)
        assert (attachment.media_type, attachment.detail) == (media_type, detail)
    named_png = attachment_from_bytes("photo.txt", png(3, 2))  # the name says text; the bytes say PNG
    assert named_png.media_type == "image/png" and named_png.block()["type"] == "image"
    with pytest.raises(AttachmentError, match="not a file type the API takes"):
        attachment_from_bytes("latin1.txt", "café".encode("latin-1"))
