"""The only modules that use private names of the libraries claude-tui builds on.

`sdk_private` holds the anthropic SDK's (no Textual import), `textual_private` Textual's (and its
renderer Rich's and textual-serve's). Each name says why it is needed and which public API would
replace it; `tests/test_private_names.py` fails if any other module uses a private name of a library.
The versions they were checked against are the pins in pyproject.toml.
"""
