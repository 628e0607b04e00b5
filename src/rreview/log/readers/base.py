"""The interface every log reader implements, and what a read returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rreview.errors import Problem
from rreview.log.model import Entry


@dataclass
class ReadResult:
    """Entries read from a log, plus every problem and skipped file, for reporting."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)
    files_ignored: list[str] = field(default_factory=list)


class Reader(Protocol):
    """A log format: how confident it is that a path is in its format, and how to read it."""

    name: str

    def detect(self, path: Path) -> float:
        """Confidence in [0, 1] that `path` (file or folder) is a log in this format."""
        ...

    def read(self, path: Path) -> ReadResult:
        """Read every entry of the log at `path`; problems are collected, never raised."""
        ...
