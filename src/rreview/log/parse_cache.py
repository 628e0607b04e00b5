"""A per-file cache of what reading the log found, so unchanged files are neither read nor parsed.

Ten years of log is ~3,650 files: reading and parsing them all costs 5-8 s, and every command
reads the log. The cache keeps, per file, the readers' claims (detection) and what its reader
read (entries, problems, files read or ignored), and is trusted for a file only while:

- the file's size, `st_mtime_ns` and `st_ctime_ns` are the ones it had when it was read. An
  edit always changes the ctime, which no tool can set back, so an edit that keeps the size
  and restores the mtime (`touch -d`, `rsync -t`) is still seen;
- the file was not changed within `RACY_NS` of the moment it was read (its timestamps could
  then be those of a later edit on a filesystem with coarse timestamps: git's "racy clean"
  case); such a file is read again next time;
- the folder marks the claims look at (`.obsidian`, `logseq/config.edn`) are as they were;
- the code is the same: the cache is stamped with the source files of the log stage and the
  Python version, so a new rreview never reuses an old parse.

Problems found in a file are kept with it and reported again on every run. The entries of a
file are stored pickled on their own and unpickled only when one of them is asked for: an
index run that only compares hashes never builds the 70,000 items of ten years. The cache
file is one pickle (written to a temporary file, then `os.replace`d) behind a magic number
and a CRC; a cache that is missing, cut short, corrupt or written by other code is ignored.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.model import Day, Entry
from rreview.log.readers.base import Ignored

MAGIC = b"rreview-parse-cache\n"
FORMAT = 1  # bump when what is stored changes shape
RACY_NS = 2_000_000_000  # FAT keeps times to 2 s: a file changed this close to its read is re-read

Stamp = tuple[int, int, int]  # size, st_mtime_ns, st_ctime_ns


@dataclass(frozen=True)
class EntryHead:
    """What the index and the facts cache need of an entry, without its items: where it is
    and the hash of its text."""

    date: date
    file: str
    line: int
    content_hash: str
    reader: str

    @classmethod
    def of(cls, entry: Entry) -> EntryHead:
        """The head of an entry read now."""
        return cls(entry.date, entry.file, entry.line, entry.content_hash, entry.reader)

    @property
    def order(self) -> tuple[Day, str, int]:
        """How the log's entries are sorted."""
        return (self.date, self.file, self.line)


@dataclass
class FileParse:
    """What one reader read from some files (one file when cached), instruction lines dropped.

    `flagged` holds the warnings about lines addressed to an AI, each with the index of its
    entry in `heads`, so that they are reported in the log's entry order."""

    reader: str
    heads: list[EntryHead]
    problems: list[Problem] = field(default_factory=list)
    flagged: list[tuple[int, Problem]] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)
    files_ignored: list[Ignored] = field(default_factory=list)
    blob: bytes | None = None  # the entries, pickled (a parse read back from the cache)
    loaded: list[Entry] | None = None  # the entries, once in memory

    def entries(self) -> list[Entry]:
        """The entries, unpickled on first use."""
        if self.loaded is None:
            assert self.blob is not None
            with paused_gc():
                self.loaded = pickle.loads(self.blob)
        return self.loaded

    def __getstate__(self) -> dict[str, object]:
        """What the cache stores: the entries as one pickled blob, unpickled only on use."""
        state = dict(self.__dict__)
        if state.get("blob") is None:
            state["blob"] = pickle.dumps(self.entries(), protocol=pickle.HIGHEST_PROTOCOL)
        state.pop("loaded", None)  # read back as the class default, None
        return state


@dataclass
class _Record:
    """The cache's knowledge of one file."""

    stamp: Stamp
    context: tuple[bool, ...] = ()  # the folder marks seen by its claims
    claims: dict[str, float] = field(default_factory=dict)
    parse: FileParse | None = None


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while many objects are unpickled: it would otherwise
    walk the growing heap again and again (2-3x slower for the items of ten years)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def source_stamp(*packages: str) -> str:
    """Which code made a cache: the Python version and the size and time of every source file
    of `packages` (a changed rule must never be hidden by what an older rule produced)."""
    return f"{sys.version_info[:2]}|" + "|".join(_package_stamp(p) for p in packages)


@functools.cache
def _package_stamp(package: str) -> str:
    module = sys.modules.get(package) or __import__(package, fromlist=["_"])
    origin = Path(module.__file__ or "")
    files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
    return "|".join(f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)


def code_stamp() -> str:
    """The stamp of the code a parse depends on: the log stage and its `Problem`."""
    return source_stamp("rreview.log", "rreview.errors")


def file_stamp(file: Path) -> Stamp | None:
    """Size, mtime and ctime of `file` (None if it cannot be stat'ed)."""
    try:
        st = file.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class ParseCache:
    """The parse cache of one log, loaded from `path` (ignored if unusable); `save` writes what
    this run read, for the files of the log as it is now."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self._key = (FORMAT, code_stamp(), str(root), root.is_dir())
        self._started_ns = time.time_ns()  # before any file is looked at
        self._old = self._load()
        self._now: dict[str, _Record] = {}
        self._changed = False
        self.files_reused = 0  # files whose parse came from the cache
        self.files_parsed = 0  # files read and parsed anew

    def _load(self) -> dict[str, _Record]:
        try:
            data = self.path.read_bytes()
            body = data[len(MAGIC) + 4 :]
            if not data.startswith(MAGIC) or zlib.crc32(body) != int.from_bytes(
                data[len(MAGIC) : len(MAGIC) + 4], "big"
            ):
                return {}
            with paused_gc():
                key, records = pickle.loads(body)
            if key != self._key or not isinstance(records, dict):
                return {}
            return records
        except Exception:  # missing, cut short, or from other code: read the files instead
            return {}

    def _record(self, file: Path) -> _Record | None:
        """This run's record of `file`: the cached one if the file is unchanged, else a new one
        (None if the file cannot be stat'ed: nothing is cached for it)."""
        name = str(file)
        record = self._now.get(name)
        if record is not None:
            return record
        stamp = file_stamp(file)
        if stamp is None:
            return None
        record = self._old.get(name)
        if record is None or record.stamp != stamp:
            record = _Record(stamp)
            self._changed = True
        self._now[name] = record
        return record

    def stamp(self, file: Path) -> Stamp | None:
        """The size, mtime and ctime of `file` as this run saw them (one `stat` per run)."""
        record = self._record(file)
        return record.stamp if record is not None else None

    def claims(
        self, file: Path, names: tuple[str, ...], context: tuple[bool, ...]
    ) -> dict[str, float] | None:
        """The cached claims of these readers on `file`, if still valid."""
        record = self._record(file)
        if record is None or record.context != context:
            return None
        if not all(name in record.claims for name in names):
            return None
        return {name: record.claims[name] for name in names}

    def keep_claims(self, file: Path, context: tuple[bool, ...], claims: dict[str, float]) -> None:
        """Remember the claims made on `file` now."""
        record = self._record(file)
        if record is None:
            return
        if record.context != context:
            record.context, record.claims = context, {}
        record.claims.update(claims)
        self._changed = True

    def parse(self, file: Path, reader: str) -> FileParse | None:
        """The cached parse of `file` by `reader`, if still valid."""
        record = self._record(file)
        if record is None or record.parse is None or record.parse.reader != reader:
            return None
        self.files_reused += 1
        return record.parse

    def keep_parse(self, file: Path, parse: FileParse) -> None:
        """Remember what `reader` read from `file` now."""
        self.files_parsed += 1
        record = self._record(file)
        if record is not None:
            record.parse = parse
            self._changed = True

    def save(self) -> None:
        """Write the cache if anything changed: the records of this run's files, except those
        changed too recently to be told apart from a later edit."""
        if not self._changed and len(self._now) == len(self._old):
            return
        latest = self._started_ns - RACY_NS
        records = {
            name: record
            for name, record in self._now.items()
            if max(record.stamp[1], record.stamp[2]) < latest
        }
        body = pickle.dumps((self._key, records), protocol=pickle.HIGHEST_PROTOCOL)
        data = MAGIC + zlib.crc32(body).to_bytes(4, "big") + body
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, self.path)
        except OSError:  # a cache: the next run reads the files again
            temporary.unlink(missing_ok=True)
