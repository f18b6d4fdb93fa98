"""Files attached to a message: an image, a PDF or a text file, as the content block the API takes.

Pure Python (no SDK, no Textual). A file's type comes from its bytes, never its name; the API's
size limits are checked before anything is sent, and every refusal is an `AttachmentError` whose
message can be shown as it is.
"""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_chat.safety import sanitize_line

IMAGE_MAX_BYTES = 5 * 1024 * 1024
"""The API's limit for one image (before base64)."""
IMAGE_MAX_SIDE = 8000
"""The API's limit for an image's width and height, in pixels."""
REQUEST_MAX_BYTES = 32 * 1024 * 1024
"""The API's limit for a whole Messages request (base64 grows a file by a third)."""
FILE_MAX_BYTES = REQUEST_MAX_BYTES * 3 // 4 - 64 * 1024
"""The largest PDF or text file that still fits a request once encoded (with room for the rest)."""

IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP"}


class AttachmentError(Exception):
    """A file cannot be attached; the message says why, in plain words."""


@dataclass
class Attachment:
    """One attached file: what the API gets (`block`) and what people see (`describe`)."""

    name: str
    """The file's name (sanitized: it is shown)."""
    media_type: str
    """`image/png`, `image/jpeg`, `image/gif`, `image/webp`, `application/pdf` or `text/plain`."""
    size: int
    """The file's size in bytes."""
    data: str
    """Base64 of the file (images, PDFs) or its text (text files)."""
    detail: str = ""
    """What is known of its content: `800×600 px`, `12 pages`, `340 lines`."""

    @property
    def kind(self) -> str:
        """`image`, `pdf` or `text`."""
        if self.media_type.startswith("image/"):
            return "image"
        return "pdf" if self.media_type == "application/pdf" else "text"

    @property
    def type_label(self) -> str:
        if self.kind == "image":
            return f"{IMAGE_TYPES.get(self.media_type, 'image')} image"
        return "PDF" if self.kind == "pdf" else "text file"

    def describe(self) -> str:
        """`photo.png · PNG image · 240 KB · 800×600 px`."""
        parts = [self.name, self.type_label, format_size(self.size)]
        if self.detail:
            parts.append(self.detail)
        return " · ".join(parts)

    def block(self) -> dict[str, Any]:
        """The Messages API content block for this file."""
        if self.kind == "image":
            return {"type": "image", "source": {"type": "base64", "media_type": self.media_type, "data": self.data}}
        if self.kind == "pdf":
            source = {"type": "base64", "media_type": "application/pdf", "data": self.data}
        else:
            source = {"type": "text", "media_type": "text/plain", "data": self.data}
        return {"type": "document", "source": source, "title": self.name}

    @property
    def encoded_size(self) -> int:
        """Bytes it adds to a request."""
        return len(self.data.encode("utf-8"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
            "data": self.data,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Attachment | None:
        """An attachment as saved (None if the record is not one)."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                name=sanitize_line(str(data["name"])),
                media_type=str(data["media_type"]),
                size=int(data["size"]),
                data=str(data["data"]),
                detail=sanitize_line(str(data.get("detail", ""))),
            )
        except (KeyError, TypeError, ValueError):
            return None


def format_size(size: int) -> str:
    """`512 bytes`, `240 KB`, `1.2 MB`."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024):,} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


def read_attachment(path: Path) -> Attachment:
    """The file at `path` as an attachment, or an `AttachmentError` saying why it cannot be one."""
    shown = sanitize_line(str(path))
    try:
        if not path.exists():
            raise AttachmentError(f"No such file: {shown}")
        if not path.is_file():
            raise AttachmentError(f"{shown} is not a file.")
        size = path.stat().st_size
        if size > FILE_MAX_BYTES:
            raise AttachmentError(
                f"{shown} is {format_size(size)}; a request to the API can hold at most {format_size(FILE_MAX_BYTES)} "
                "of attached files."
            )
        data = path.read_bytes()
    except OSError as error:
        raise AttachmentError(f"Cannot read {shown}: {error.strerror or error}.") from error
    return attachment_from_bytes(sanitize_line(path.name) or "file", data)


def attachment_from_bytes(name: str, data: bytes) -> Attachment:
    """`data` as an attachment named `name`: its type from its first bytes, its size checked."""
    media_type = sniff_media_type(data)
    if media_type is None:
        raise AttachmentError(
            f"{name}: not a file type the API takes. Attach an image (PNG, JPEG, GIF, WebP), a PDF, or a "
            "UTF-8 text file."
        )
    if media_type.startswith("image/"):
        if len(data) > IMAGE_MAX_BYTES:
            raise AttachmentError(
                f"{name} is {format_size(len(data))}; the API takes images of up to {format_size(IMAGE_MAX_BYTES)}."
            )
        dimensions = image_size(media_type, data)
        if dimensions is not None and max(dimensions) > IMAGE_MAX_SIDE:
            width, height = dimensions
            raise AttachmentError(
                f"{name} is {width}×{height} px; the API takes images of at most {IMAGE_MAX_SIDE} px a side."
            )
        detail = f"{dimensions[0]}×{dimensions[1]} px" if dimensions else ""
        return Attachment(name, media_type, len(data), base64.b64encode(data).decode("ascii"), detail)
    if media_type == "application/pdf":
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
        detail = f"{pages} page{'' if pages == 1 else 's'}" if pages else ""
        return Attachment(name, media_type, len(data), base64.b64encode(data).decode("ascii"), detail)
    text = data.decode("utf-8")
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    return Attachment(name, "text/plain", len(data), text, f"{lines:,} line{'' if lines == 1 else 's'}")


def sniff_media_type(data: bytes) -> str | None:
    """The media type the API would take this as, from the bytes; None when it takes none."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.lstrip()[:5] == b"%PDF-":
        return "application/pdf"
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain"


def image_size(media_type: str, data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from the image's header, when it can be read."""
    try:
        if media_type == "image/png" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if media_type == "image/gif":
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if media_type == "image/jpeg":
            return _jpeg_size(data)
        if media_type == "image/webp":
            return _webp_size(data)
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The size in the first start-of-frame marker."""
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None
