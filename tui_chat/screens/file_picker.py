"""Pick a file to attach, from a tree rooted at the current directory."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from rich.text import Text, TextType
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Footer, Static

from tui_chat.safety import sanitize_line


class SafeDirectoryTree(DirectoryTree):
    """File names are untrusted: shown as plain text (never markup), control characters removed."""

    def process_label(self, label: TextType) -> Text:
        return Text(sanitize_line(label if isinstance(label, str) else label.plain))

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")]


class FilePickerScreen(ModalScreen[Path | None]):
    """Dismissed with the file chosen, or None."""

    DEFAULT_CSS = """
    FilePickerScreen { align: center middle; background: $background 60%; }
    FilePickerScreen > #file-picker {
        width: 90; max-width: 95%; height: 80%;
        border: round $secondary; background: $surface; padding: 0 1;
    }
    FilePickerScreen #file-picker-title { margin: 0 0 1 0; color: $text-muted; }
    FilePickerScreen SafeDirectoryTree { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def compose(self) -> ComposeResult:
        with Vertical(id="file-picker"):
            yield Static(
                Content(
                    f"Attach to the next message: an image (PNG, JPEG, GIF, WebP), a PDF or a text file, from "
                    f"{sanitize_line(str(self.root))}. Enter picks a file; Esc cancels."
                ),
                id="file-picker-title",
                markup=False,
            )
            yield SafeDirectoryTree(self.root)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SafeDirectoryTree).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(event.path)

    def action_cancel(self) -> None:
        self.dismiss(None)
