"""Rendering of answer text into lines, for the line-API conversation view."""
