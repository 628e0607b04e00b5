"""Extraction: items to structured facts (tasks, estimates, bugs, predictions, ideas, sources)."""
