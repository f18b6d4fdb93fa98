"""`python -m tui_chat.bench`: claude-tui against the tutorial's raw SDK print loop, same server, same streams.

Modules: `server` (the demo server in its own process, with a timing hook), `raw` (the tutorial's
loop), `probe` (instruments a running app: paints, bytes, event-loop stalls), `worker` (one process
that runs the raw loop and the app on the same streams), `pty` (start-up and terminal bytes in a
real pseudo-terminal), `report` (targets, ratios, table, JSON) and `cli` (runs it all).
"""
