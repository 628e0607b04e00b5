"""The interface every log reader implements, and what a read returns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from rreview.errors import Problem
from rreview.log.model import Entry
from rreview.log.scan import head, log_files

TOOL_FOLDER_REASON = "a tool's own folder (backups, build output); not read"
TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".org", ".json", ".csv", ""}


@dataclass(frozen=True)
class Ignored:
    """A file of the log folder that no reader took, and why: listed, never silently dropped."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass
class ReadResult:
    """Entries read from a log, plus every problem and skipped file, for reporting."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)
    files_ignored: list[Ignored] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # file read -> reader name
    confidence: float = 0.0  # how sure the detection was of the chosen format, in [0, 1]

    def merge(self, other: ReadResult) -> None:
        """Add what another reader read (a mixed folder is read by several)."""
        self.entries.extend(other.entries)
        self.problems.extend(other.problems)
        self.files_read.extend(other.files_read)
        self.files_ignored.extend(other.files_ignored)
        self.formats.update(other.formats)

    def format_counts(self) -> Counter[str]:
        """How many files each reader read."""
        return Counter(self.formats.values())


class Reader(Protocol):
    """A log format: how sure it is that a file is in its format, and how to read such files.

    `claim` looks at one file (its path and first 16 KB) and answers in [0, 1]: 0 means "not
    mine", about 0.5 "I can read it" (a plain dated Markdown page), 0.9 and more "this is
    certainly my format" (a Logseq `journals/2026_11_23.md`). Detection gives each file to
    the reader that claims it most, or to the folder's majority reader when that one claims
    it nearly as much. `read_files` then reads all the files a reader was given at once (a
    Notion CSV dates the pages beside it).
    """

    @property
    def name(self) -> str:
        """The name `--format` takes."""
        ...

    @property
    def title(self) -> str:
        """What the format is, in a few words, for `-v` and the README."""
        ...

    @property
    def per_file(self) -> bool:
        """Whether reading files one at a time gives what reading them together gives (not so
        for Notion, whose CSVs date the pages beside them): only then is a file's parse cached
        on its own (`log/parse_cache.py`)."""
        ...

    def claim(self, file: Path, head: str) -> float:
        """Confidence in [0, 1] that `file` (whose first bytes are `head`) is in this format."""
        ...

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Read these files of the log at `root`; problems are collected, never raised."""
        ...

    def detect(self, path: Path) -> float:
        """Confidence in [0, 1] that the whole log at `path` (file or folder) is this format."""
        ...

    def read(self, path: Path) -> ReadResult:
        """Read every file of `path` that this reader claims; list the others as ignored."""
        ...


def ignore_reason(file: Path) -> str:
    """Why no reader took `file`, in words a user acts on."""
    suffix = file.suffix.lower()
    if suffix in {".md", ".markdown", ".txt"}:
        return "no date in its name, front matter or headings"
    if suffix == ".org":
        return "no dated headings and no date in its name"
    if suffix == ".json":
        return "not a jrnl JSON export"
    if suffix == ".csv":
        return "not a Notion database export (no date column)"
    return f"not a log file ({suffix or 'no suffix'})"


class BaseReader:
    """What every reader shares: whole-log `detect` and `read` built on `claim` and `read_files`."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    per_file: ClassVar[bool] = True

    def claim(self, file: Path, head: str) -> float:
        raise NotImplementedError

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        raise NotImplementedError

    def detect(self, path: Path) -> float:
        """The mean claim over the log's text files (a folder) or the claim on the file."""
        if not path.is_dir():
            return self.claim(path, head(path))
        files = [f for f in log_files(path)[0] if f.suffix.lower() in TEXT_SUFFIXES]
        if not files:
            return 0.0
        return sum(self.claim(f, head(f)) for f in files) / len(files)

    def read(self, path: Path) -> ReadResult:
        """Read the files of `path` this reader claims; a single file is read whatever it is."""
        if not path.is_dir():
            result = self.read_files([path], path)
            result.formats.update({f: self.name for f in result.files_read})
            return result
        files, skipped = log_files(path)
        mine = [f for f in files if self.claim(f, head(f)) > 0]
        result = self.read_files(mine, path)
        taken = set(mine)
        result.files_ignored.extend(Ignored(str(d), TOOL_FOLDER_REASON) for d in skipped)
        result.files_ignored.extend(
            Ignored(str(f), ignore_reason(f)) for f in files if f not in taken
        )
        result.formats.update({f: self.name for f in result.files_read})
        return result
