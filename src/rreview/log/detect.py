"""Choosing the reader for a log: by name, or the most confident one."""

from __future__ import annotations

from pathlib import Path

from rreview.errors import UsageError
from rreview.log.readers import READERS, reader_named
from rreview.log.readers.base import Reader, ReadResult


def choose_reader(path: Path, fmt: str = "auto") -> Reader:
    """The reader named by `fmt`, or for "auto" the one most confident about `path`."""
    if fmt != "auto":
        reader = reader_named(fmt)
        if reader is None:
            names = ", ".join(r.name for r in READERS)
            raise UsageError(f"unknown log format '{fmt}' (known: auto, {names})")
        return reader
    return max(READERS, key=lambda reader: reader.detect(path))


def read_log(path: Path, fmt: str = "auto") -> tuple[Reader, ReadResult]:
    """Read the whole log at `path` with the chosen reader."""
    reader = choose_reader(path, fmt)
    return reader, reader.read(path)
