"""Choosing the reader for each file of a log: by name, or by the readers' claims.

Every reader claims each file with a confidence. A file goes to the reader that claims it
most, unless the folder's majority reader claims it nearly as much (a plain `2026-11-23.md`
in an Obsidian vault is an Obsidian note). A folder read by more than one reader is "mixed":
one warning, and every file is still read. Files no reader claims are listed as ignored.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rreview.errors import Problem, UsageError
from rreview.log.instructions import drop_instructions
from rreview.log.model import Entry
from rreview.log.parse_cache import (
    EntryHead,
    FileParse,
    ParseCache,
    Stamp,
    code_stamp,
    file_stamp,
)
from rreview.log.readers import READERS, reader_named
from rreview.log.readers.base import TOOL_FOLDER_REASON, Ignored, Reader, ReadResult, ignore_reason
from rreview.log.scan import head, log_files, marker_above

MAJORITY_MARGIN = 0.35  # the majority reader keeps a file unless another claims it this much more
# The folder marks readers' claims look for (obsidian.py, logseq.py), with how far up: a cached
# claim is reused only while they are as they were (tests/test_parse_cache.py keeps this list
# in step with the readers).
FOLDER_MARKERS = ((".obsidian", 6), ("logseq/config.edn", 2))


@dataclass
class Detection:
    """Which reader reads which file, and how sure the choice is."""

    reader: Reader  # the chosen format: the one that reads most files
    confidence: float
    files: dict[str, list[Path]] = field(default_factory=dict)  # reader name -> its files
    ignored: list[Ignored] = field(default_factory=list)
    signature: str = ""  # `log_signature` of the log as it was looked at


def _known(fmt: str) -> Reader:
    reader = reader_named(fmt)
    if reader is None:
        names = ", ".join(r.name for r in READERS)
        raise UsageError(f"unknown log format '{fmt}' (known: auto, {names})")
    return reader


def detect(path: Path, fmt: str = "auto", cache: ParseCache | None = None) -> Detection:
    """Give every file of the log at `path` to a reader (all to `fmt` when it names one);
    claims on unchanged files come from `cache` when there is one."""
    forced = None if fmt == "auto" else _known(fmt)
    files, skipped = _listing(path)
    folders: dict[str, tuple[bool, ...]] = {}
    claims = {f: _claims(f, forced, cache, folders) for f in files}
    stamp = cache.stamp if cache is not None else file_stamp
    signature = _signature(path, fmt, files, skipped, stamp, folders)
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
    return Detection(chosen, round(min(confidence, 1.0), 2), assigned, ignored, signature)


def _listing(path: Path) -> tuple[list[Path], list[Path]]:
    """The files of the log and the tool folders skipped; the folder marks looked up afresh
    (a long-running process must see a vault folder made since its last read)."""
    marker_above.cache_clear()
    if path.is_dir():
        return log_files(path)
    return [path], []


def log_signature(path: Path, fmt: str = "auto") -> str:
    """A digest of what a read of the log at `path` depends on, from `stat` calls alone (no
    file is opened): the files with their size, mtime and ctime, the folder marks readers
    look at, the format asked for and the code. Equal to the `signature` of a read (a
    `LogRead`, a `LogSnapshot`) made of the log as it is now: then a new read would find
    the same entries, and a long-running process can keep what it built from the last one.
    Like the parse cache, it cannot see an edit made within the same timestamp tick as
    that read on a filesystem with coarse times."""
    files, skipped = _listing(path)
    return _signature(path, fmt, files, skipped, file_stamp, {})


def _signature(
    path: Path,
    fmt: str,
    files: list[Path],
    skipped: list[Path],
    stamp: Callable[[Path], Stamp | None],
    folders: dict[str, tuple[bool, ...]],
) -> str:
    digest = hashlib.sha256(f"{path}|{fmt}|{code_stamp()}".encode())
    for file in files:
        digest.update(f"\n{file}\t{stamp(file)}".encode())
        _context(file, folders)  # known already for the files a cache looked at
    for folder in sorted(folders):
        digest.update(f"\n{folder}\t{folders[folder]}".encode())
    for tool in skipped:
        digest.update(f"\n{tool}".encode())
    return digest.hexdigest()[:32]


def _claims(
    file: Path,
    forced: Reader | None,
    cache: ParseCache | None,
    folders: dict[str, tuple[bool, ...]],
) -> dict[str, float]:
    readers = (forced,) if forced else READERS
    if cache is None:
        return _claimed(file, readers)
    context = _context(file, folders)
    cached = cache.claims(file, tuple(reader.name for reader in readers), context)
    if cached is None:
        cached = _claimed(file, readers)
        cache.keep_claims(file, context, cached)
    return cached


def _claimed(file: Path, readers: tuple[Reader, ...]) -> dict[str, float]:
    text = head(file)
    return {reader.name: max(0.0, min(1.0, reader.claim(file, text))) for reader in readers}


def _context(file: Path, seen: dict[str, tuple[bool, ...]]) -> tuple[bool, ...]:
    """What a file's claims depend on besides its path and its text: the folder marks above
    it (looked up once per folder: `seen`)."""
    folder = os.path.dirname(file)
    context = seen.get(folder)
    if context is None:
        parent = Path(folder)
        context = tuple(marker_above(parent, mark, levels) for mark, levels in FOLDER_MARKERS)
        seen[folder] = context
    return context


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


@dataclass
class LogRead:
    """A log as read: what the readers had to say (`result`, whose `entries` stay empty) and
    the heads of its entries in log order; an entry itself is built from its file's parse
    when first asked for (from the parse cache, it is unpickled only then)."""

    reader: Reader
    result: ReadResult
    heads: list[EntryHead]
    places: list[tuple[FileParse, int]]  # per head: the parse holding its entry, and where
    files_parsed: int = 0  # files read and parsed by this run
    files_reused: int = 0  # files whose parse came from the cache
    signature: str = ""  # `log_signature` of the log as it was read

    def entry(self, number: int) -> Entry:
        """The entry of `heads[number]`."""
        part, index = self.places[number]
        return part.entries()[index]

    def entries(self) -> list[Entry]:
        """Every entry, in log order."""
        return [self.entry(number) for number in range(len(self.heads))]


def read_log(path: Path, fmt: str = "auto", cache: Path | None = None) -> tuple[Reader, ReadResult]:
    """Read the whole log at `path`: each file by its reader; a mixed folder is one warning.
    With `cache` (a file), unchanged files are not read again (see `open_log`)."""
    log = open_log(path, fmt, cache)
    log.result.entries = log.entries()
    return log.reader, log.result


def open_log(path: Path, fmt: str = "auto", cache: Path | None = None) -> LogRead:
    """Read the log at `path`, keeping the entries' items out of memory until asked for.

    With `cache`, the parse cache at that path (see `log/parse_cache.py`) gives the claims and
    the parse of every unchanged file; changed, new and recently edited files are read, and
    the cache is rewritten when anything changed. The result is the same as without it,
    warnings included."""
    parse_cache = ParseCache(cache, path) if cache is not None else None
    detection = detect(path, fmt, parse_cache)
    result = ReadResult(files_ignored=list(detection.ignored), confidence=detection.confidence)
    placed: list[tuple[EntryHead, FileParse, int]] = []
    flagged: list[Problem] = []
    order = {reader.name: rank for rank, reader in enumerate(READERS)}
    for name in sorted(detection.files, key=lambda n: (n != detection.reader.name, order[n])):
        group: list[tuple[EntryHead, FileParse, int]] = []
        for part in _read_group(_known(name), detection.files[name], path, parse_cache):
            result.problems.extend(part.problems)
            result.files_read.extend(part.files_read)
            result.files_ignored.extend(part.files_ignored)
            result.formats.update({f: name for f in part.files_read})
            group.extend((head, part, number) for number, head in enumerate(part.heads))
        group.sort(key=lambda place: place[0].order)  # as each reader sorts what it read
        flagged.extend(_flagged(group))
        placed.extend(group)
    counts = result.format_counts()
    if len(counts) > 1:
        parts = ", ".join(f"{n} as '{name}'" for name, n in counts.most_common())
        result.problems.insert(
            0, Problem(str(path), f"mixed folder: files read as several formats ({parts})")
        )
    result.problems.extend(flagged)
    placed.sort(key=lambda place: place[0].order)
    log = LogRead(
        detection.reader,
        result,
        [head for head, _, _ in placed],
        [(part, number) for _, part, number in placed],
        signature=detection.signature,
    )
    if parse_cache is not None:
        parse_cache.save()
        log.files_parsed, log.files_reused = parse_cache.files_parsed, parse_cache.files_reused
    return log


def _read_group(
    reader: Reader, files: list[Path], root: Path, cache: ParseCache | None
) -> list[FileParse]:
    """The parses of the files given to `reader`: file by file from the cache where it can
    (a reader that reads files together, as Notion's CSVs date their pages, is never cached)."""
    if cache is None or not reader.per_file:
        return [_parse(reader, files, root)]
    parts = []
    for file in files:
        part = cache.parse(file, reader.name)
        if part is None:
            part = _parse(reader, [file], root)
            cache.keep_parse(file, part)
        parts.append(part)
    return parts


def _parse(reader: Reader, files: list[Path], root: Path) -> FileParse:
    """Read `files` with `reader`; lines addressed to an AI are dropped, each one a warning
    kept with its entry."""
    read = reader.read_files(files, root)
    entries: list[Entry] = []
    flagged: list[tuple[int, Problem]] = []
    for entry in read.entries:
        problems: list[Problem] = []
        (kept,) = drop_instructions([replace(entry, reader=reader.name)], problems)
        flagged.extend((len(entries), problem) for problem in problems)
        entries.append(kept)
    return FileParse(
        reader.name,
        [EntryHead.of(entry) for entry in entries],
        read.problems,
        flagged,
        read.files_read,
        read.files_ignored,
        loaded=entries,
    )


def _flagged(group: list[tuple[EntryHead, FileParse, int]]) -> list[Problem]:
    """The instruction warnings of a reader's entries, in the order of its entries."""
    out: list[Problem] = []
    for _, part, number in group:
        if part.flagged:  # rare: a scan of the few is enough
            out.extend(problem for at, problem in part.flagged if at == number)
    return out
