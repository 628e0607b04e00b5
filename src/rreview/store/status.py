"""What made it into the index: per source file, indexed or not, when, in which format, how
many days and items, and why a file was skipped. Reads the log and the SQLite facts only:
no model, no Chroma."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rreview.store.facts import FactStore, IndexedEntry
from rreview.store.sync import LogSnapshot

INDEXED, CHANGED, NEW = "indexed", "changed", "not indexed"
SKIPPED, IGNORED, REMOVED = "skipped", "ignored", "removed"


@dataclass(frozen=True)
class DayStatus:
    """One entry (a day, or one jrnl entry) of a file, and whether the index has it as it is."""

    date: str
    line: int
    items: int
    state: str  # indexed | changed | not indexed | removed
    indexed_at: str | None = None
    until: str | None = None  # the last day, for an entry that covers a range of days


@dataclass(frozen=True)
class FileStatus:
    """One file of the log folder, as the index sees it."""

    file: str  # relative to the log folder
    state: str  # indexed | changed | not indexed | skipped | ignored | removed
    format: str | None = None
    indexed_at: str | None = None
    entries: int = 0
    items: int = 0
    reason: str | None = None  # why it was skipped or ignored
    problems: tuple[str, ...] = ()
    days: tuple[DayStatus, ...] = ()


@dataclass
class Totals:
    """Counts over the whole log."""

    files: int = 0
    indexed: int = 0
    changed: int = 0
    not_indexed: int = 0
    skipped: int = 0
    ignored: int = 0
    removed: int = 0
    entries: int = 0
    items: int = 0
    indexed_entries: int = 0
    indexed_items: int = 0


@dataclass(frozen=True)
class IndexStatus:
    """The whole answer of `rreview status`."""

    log: str
    format: str
    confidence: float
    index: str
    exists: bool
    indexed_at: str | None
    files: tuple[FileStatus, ...] = ()
    totals: Totals = field(default_factory=Totals)


def _rel(file: str, root: Path) -> str:
    if not root.is_dir():
        return Path(file).name
    try:
        return os.path.relpath(file, root)
    except ValueError:
        return file


def _known(index_dir: Path) -> dict[str, IndexedEntry]:
    path = index_dir / "facts.sqlite"
    if not path.exists():
        return {}
    store = FactStore(path)
    try:
        return {entry.key: entry for entry in store.indexed_entries()}
    finally:
        store.close()


def _day(key: str, snapshot: LogSnapshot, known: dict[str, IndexedEntry]) -> DayStatus:
    entry = snapshot.entries[key]
    stored = known.get(key)
    state = NEW if stored is None else INDEXED if stored.digest == entry.content_hash else CHANGED
    when = stored.indexed_at if stored else None
    until = entry.until.isoformat() if entry.until else None
    return DayStatus(entry.date.isoformat(), entry.line, len(entry.items), state, when, until)


def _file_state(days: list[DayStatus]) -> str:
    states = {d.state for d in days}
    if states == {INDEXED}:
        return INDEXED
    return NEW if states == {NEW} else CHANGED


def index_status(snapshot: LogSnapshot, index_dir: Path) -> IndexStatus:
    """Compare the log as read now with the index at `index_dir`."""
    root = snapshot.root
    known = _known(index_dir)
    read = snapshot.read
    keys_by_file: dict[str, list[str]] = defaultdict(list)
    for key, entry in snapshot.entries.items():
        keys_by_file[entry.file].append(key)
    problems: dict[str, list[str]] = defaultdict(list)
    for problem in read.problems:
        where = f"line {problem.line}: " if problem.line else ""
        problems[problem.file].append(where + problem.message)
    files: list[FileStatus] = []
    for file in read.files_read:
        days = [_day(key, snapshot, known) for key in keys_by_file.get(file, [])]
        stamps = [d.indexed_at for d in days if d.indexed_at]
        files.append(
            FileStatus(
                _rel(file, root),
                _file_state(days) if days else NEW,
                read.formats.get(file),
                max(stamps) if stamps else None,
                len(days),
                sum(d.items for d in days),
                None,
                tuple(problems.pop(file, [])),
                tuple(days),
            )
        )
    for file, messages in problems.items():
        if file != str(root):  # a problem about the whole folder (a mixed folder) is no file
            files.append(FileStatus(_rel(file, root), SKIPPED, reason="; ".join(messages)))
    for ignored in read.files_ignored:
        files.append(FileStatus(_rel(ignored.file, root), IGNORED, reason=ignored.reason))
    files.extend(_removed(known, snapshot, root))
    files.sort(key=lambda f: f.file)
    stamps = [e.indexed_at for e in known.values() if e.indexed_at]
    return IndexStatus(
        str(root),
        snapshot.reader,
        read.confidence,
        str(index_dir),
        bool(known) or (index_dir / "facts.sqlite").exists(),
        max(stamps) if stamps else None,
        tuple(files),
        _totals(files),
    )


def _removed(known: dict[str, IndexedEntry], snapshot: LogSnapshot, root: Path) -> list[FileStatus]:
    """Files the index still has although they are gone from the log (the next index drops them)."""
    gone: dict[str, list[IndexedEntry]] = defaultdict(list)
    for key, entry in known.items():
        if key not in snapshot.entries and entry.file not in snapshot.read.files_read:
            gone[entry.file].append(entry)
    return [
        FileStatus(
            _rel(file, root),
            REMOVED,
            entries[0].reader,
            max((e.indexed_at or "" for e in entries), default=None) or None,
            len(entries),
            sum(e.n_items for e in entries),
            "no longer in the log; `rreview index` removes it from the index",
        )
        for file, entries in sorted(gone.items())
    ]


def _totals(files: list[FileStatus]) -> Totals:
    totals = Totals(files=len(files))
    field_of = {INDEXED: "indexed", CHANGED: "changed", NEW: "not_indexed", SKIPPED: "skipped"}
    field_of |= {IGNORED: "ignored", REMOVED: "removed"}
    for f in files:
        setattr(totals, field_of[f.state], getattr(totals, field_of[f.state]) + 1)
        if f.state == REMOVED:
            continue
        totals.entries += f.entries
        totals.items += f.items
        indexed = [d for d in f.days if d.state == INDEXED]
        totals.indexed_entries += len(indexed)
        totals.indexed_items += sum(d.items for d in indexed)
    return totals
