"""`python -m tui_chat.bench`: see `tui_chat.bench.cli`."""

import sys

from tui_chat.bench.cli import main

sys.exit(main())
