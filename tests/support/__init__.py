"""What the test modules share: helpers, servers and scripts, no tests.

Test modules import from here and never from each other (`tests/test_suite_layout.py` checks it);
fixtures are in `tests/conftest.py`."""
