"""`python -m tui_chat` runs the same entry point as the `claude-tui` console script."""

from tui_chat.cli import main

raise SystemExit(main())
