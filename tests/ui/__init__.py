"""Tests through the app: screens, widgets and the UI's own modules, driven with Pilot, in a pty, or as snapshots."""
