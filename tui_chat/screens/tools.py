"""`/tools`: the tools Claude can call in this conversation, where each runs, and each MCP server's state."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui_chat.session.reports import ToolsListed


def tools_text(listed: ToolsListed) -> Content:
    """The list as lines: on/off, each tool with where it runs, each MCP server with its state."""
    state = ("on", "bold $success") if listed.enabled else ("off", "bold $warning")
    switch = "/tools off turns them off" if listed.enabled else "/tools on (or --tools) offers them to Claude"
    lines: list[Content] = [
        Content.assemble("Tools in this conversation: ", state, (f" — {switch}; every call asks you first.", "dim")),
        Content(""),
    ]
    for tool in listed.tools:
        lines.append(Content.assemble(("  ⚙ ", "bold"), (tool.name, "bold $secondary"), ("  ·  ", "dim"), tool.where))
        lines.append(Content.styled(f"      {tool.description}", "$text-muted"))
    if listed.servers:
        lines += [Content(""), Content.styled("MCP servers (config.toml, [mcp_servers.NAME]):", "bold")]
        for name, where, problem in listed.servers:
            status = ("running", "$success") if problem is None else (f"not usable: {problem}", "$error")
            lines.append(Content.assemble("  ", (name, "bold"), ("  ·  ", "dim"), where, ("  ·  ", "dim"), status))
    else:
        lines += [Content(""), Content.styled("No MCP server configured (README, Tools: [mcp_servers.NAME]).", "dim")]
    return Content("\n").join(lines)


class ToolsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ToolsScreen { align: center middle; background: $background 60%; }
    ToolsScreen > VerticalScroll { width: 100; max-width: 96%; height: auto; max-height: 85%;
        border: round $secondary; background: $surface; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, listed: ToolsListed) -> None:
        super().__init__()
        self.listed = listed

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Tools"
            yield Static(tools_text(self.listed), markup=False)
        yield Footer()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
