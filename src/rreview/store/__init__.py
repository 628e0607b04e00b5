"""The index: structured facts in SQLite and item vectors in Chroma, kept in step with the log."""
