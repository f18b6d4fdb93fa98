"""The demo server: a loopback Messages API with deterministic, explanatory answers."""
