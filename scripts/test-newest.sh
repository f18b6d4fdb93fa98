#!/usr/bin/env bash
# Run the test suite against the newest releases of the libraries whose private names claude-tui uses
# (anthropic, textual, textual-serve: see tui_chat/adapters/), whatever pyproject.toml pins them to.
#
#   scripts/test-newest.sh [pytest arguments]     e.g. scripts/test-newest.sh -x -q tests/stream/
#
# It builds its own venv (.venv-newest; CLAUDE_TUI_NEWEST_VENV names another), installs claude-tui with its
# dev extras, then upgrades those libraries to the newest release the package index has (pip warns that
# they break the pins: that is the point), prints the versions and runs pytest. Not part of CI's run: a
# failure here is what the next bump of the pins has to fix, in the adapters first.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${CLAUDE_TUI_NEWEST_VENV:-.venv-newest}
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q -e ".[dev]"
"$venv/bin/pip" install -q --upgrade anthropic textual textual-serve
echo "newest releases installed:"
"$venv/bin/pip" list 2>/dev/null | grep -iE '^(anthropic|textual|textual-serve|rich|httpx2) ' || true
exec "$venv/bin/python" -m pytest "$@"
