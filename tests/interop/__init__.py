"""Helpers for the interop tier: real third-party servers that speak the Messages API."""
