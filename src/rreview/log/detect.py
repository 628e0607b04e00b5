"""Choosing the reader for each file of a log: by name, or by the readers' claims.

Every reader claims each file with a confidence. A file goes to the reader that claims it
most, unless the folder's majority reader claims it nearly as much (a plain `2026-11-23.md`
in an Obsidian vault is an Obsidian note). A folder read by more than one reader is "mixed":
one warning, and every file is still read. Files no reader claims are listed as ignored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from rreview.errors import Problem, UsageError
from rreview.log.instructions import drop_instructions
from rreview.log.model import Entry
from rreview.log.readers import READERS, reader_named
from rreview.log.readers.base import TOOL_FOLDER_REASON, Ignored, Reader, ReadResult, ignore_reason
from rreview.log.scan import head, log_files

MAJORITY_MARGIN = 0.35  # the majority reader keeps a file unless another claims it this much more


@dataclass
class Detection:
    """Which reader reads which file, and how sure the choice is."""

    reader: Reader  # the chosen format: the one that reads most files
    confidence: float
    files: dict[str, list[Path]] = field(default_factory=dict)  # reader name -> its files
    ignored: list[Ignored] = field(default_factory=list)


def _known(fmt: str) -> Reader:
    reader = reader_named(fmt)
    if reader is None:
        names = ", ".join(r.name for r in READERS)
        raise UsageError(f"unknown log format '{fmt}' (known: auto, {names})")
    return reader


def detect(path: Path, fmt: str = "auto") -> Detection:
    """Give every file of the log at `path` to a reader (all to `fmt` when it names one)."""
    forced = None if fmt == "auto" else _known(fmt)
    if path.is_dir():
        files, skipped = log_files(path)
    else:
        files, skipped = [path], []
    claims = {f: _claims(f, forced) for f in files}
    winners = {f: max(c, key=c.__getitem__) for f, c in claims.items() if max(c.values()) > 0}
    if forced is not None and not path.is_dir():
        winners = {path: forced.name}  # one file named by the user: read it as told
    majority_name = _majority(winners, claims)
    assigned: dict[str, list[Path]] = {}
    ignored = [Ignored(str(d), TOOL_FOLDER_REASON) for d in skipped]
    for file in files:
        name = winners.get(file)
        if name is None:
            why = f"not a {forced.name} file" if forced else ignore_reason(file)
            ignored.append(Ignored(str(file), why))
            continue
        majority_claim = claims[file].get(majority_name or "", 0)
        if (
            majority_name
            and majority_claim > 0
            and claims[file][name] - majority_claim < MAJORITY_MARGIN
        ):
            name = majority_name
        assigned.setdefault(name, []).append(file)
    chosen = forced or (reader_named(majority_name) if majority_name else None) or READERS[0]
    mine = assigned.get(chosen.name, [])
    confidence = (
        sum(claims[f].get(chosen.name, 0) for f in mine) / max(len(winners), 1) if mine else 0.0
    )
    return Detection(chosen, round(min(confidence, 1.0), 2), assigned, ignored)


def _claims(file: Path, forced: Reader | None) -> dict[str, float]:
    text = head(file)
    readers = (forced,) if forced else READERS
    return {reader.name: max(0.0, min(1.0, reader.claim(file, text))) for reader in readers}


def _majority(winners: dict[Path, str], claims: dict[Path, dict[str, float]]) -> str | None:
    """The reader that wins most files; ties go to the one with the larger total claim."""
    if not winners:
        return None
    counts = Counter(winners.values())
    totals = Counter({name: sum(c.get(name, 0) for c in claims.values()) for name in counts})
    return max(counts, key=lambda name: (counts[name], totals[name]))


def choose_reader(path: Path, fmt: str = "auto") -> Reader:
    """The reader named by `fmt`, or for "auto" the one that reads most of `path`."""
    return detect(path, fmt).reader


def read_log(path: Path, fmt: str = "auto") -> tuple[Reader, ReadResult]:
    """Read the whole log at `path`: each file by its reader; a mixed folder is one warning."""
    detection = detect(path, fmt)
    result = ReadResult(files_ignored=list(detection.ignored), confidence=detection.confidence)
    order = {reader.name: rank for rank, reader in enumerate(READERS)}
    for name in sorted(detection.files, key=lambda n: (n != detection.reader.name, order[n])):
        reader = _known(name)
        part = reader.read_files(detection.files[name], path)
        part.formats.update({f: name for f in part.files_read})
        part.entries = [_with_reader(entry, name) for entry in part.entries]
        result.merge(part)
    counts = result.format_counts()
    if len(counts) > 1:
        parts = ", ".join(f"{n} as '{name}'" for name, n in counts.most_common())
        result.problems.insert(
            0, Problem(str(path), f"mixed folder: files read as several formats ({parts})")
        )
    result.entries = drop_instructions(result.entries, result.problems)
    result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
    return detection.reader, result


def _with_reader(entry: Entry, name: str) -> Entry:
    return replace(entry, reader=name)
