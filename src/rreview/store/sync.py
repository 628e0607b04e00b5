"""Keeping the index in step with the log, incrementally by content hash.

What makes it fast at ten years of log (~3,650 entries, ~70,000 items):
- an entry whose content hash is unchanged is skipped on the hashes in SQLite alone: no
  Chroma, no model, and its items' facts are not even extracted (extraction is lazy);
- new and changed entries are embedded in chunks of `CHUNK_ITEMS` texts (one model call,
  identical texts such as carried to-dos embedded once), and each chunk is written with one
  Chroma upsert and one SQLite transaction: no round trip per item or per entry;
- a small update (a day or two) is embedded by the ONNX copy of the model, so it never
  imports torch (see `store/embed.py`), and its vectors wait in the facts database for the
  next opening of the embedded store, so it never imports chromadb (see `store/journal.py`).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock

from rreview.config import StoreSettings
from rreview.extract import extract
from rreview.extract.facts import ItemFacts
from rreview.log.detect import LogRead, open_log
from rreview.log.model import Entry
from rreview.log.parse_cache import EntryHead, paused_gc, source_stamp
from rreview.log.readers.base import ReadResult
from rreview.paths import index_dir, log_key
from rreview.store.embed import Embedder
from rreview.store.facts import EntryRow, FactStore, item_ids
from rreview.store.journal import VectorJournal
from rreview.store.vectors import Metadata, Owner, author, vectors_dir

if TYPE_CHECKING:
    from rich.progress import Progress

    from rreview.store.vectors import VectorStore

PROGRESS_MIN_ITEMS = 200  # below this a bar would only flicker
CHUNK_ITEMS = 2048  # texts per model call and per store write: big enough to sort by length
FACTS_CACHE = "facts-cache.pickle"
FACTS_CACHE_FORMAT = 2  # 2: each entry's facts pickled on their own
PARSE_CACHE = "parse-cache.pickle"  # see log/parse_cache.py
DEFER_AT_MOST = 2048  # items an update may embed and leave in the journal (store/journal.py)
JOURNAL_AT_MOST = 5_000  # rows the journal may hold (~8 MB, months of days) before Chroma gets them


class LazyFacts(Mapping[str, list[ItemFacts]]):
    """Entry key -> the facts of its items, extracted on first access and then kept.

    With a `cache` file, facts extracted by an earlier run for an entry with the same key,
    content hash and first line are read back instead (extraction costs ~0.4 ms an item:
    ~25 s for ten years of log, against ~0.5 s to read the cache). Each entry's facts are
    pickled on their own: only the entries asked for are unpickled, and rewriting the cache
    after a day was edited pickles that day alone (the others are written back as the bytes
    they were read as). The cache is rewritten once every entry has been asked for and some
    were extracted anew; it is keyed by the source of the extraction code, so a new rreview
    never reuses an old extraction.
    """

    def __init__(
        self,
        entries: Mapping[str, Entry],
        cache: Path | None = None,
        heads: Mapping[str, EntryHead] | None = None,
    ) -> None:
        self._entries = entries
        # the hash and line of each entry, for the cache keys: from the heads when given, so
        # that facts read back from the cache never need the entry itself
        self._heads = heads if heads is not None else _Heads(entries)
        self._facts: dict[str, list[ItemFacts]] = {}
        self._cache_path = cache
        self._cached: dict[str, bytes] | None = None  # cache key -> pickled facts
        self._fresh = 0  # entries extracted anew since the cache was last written
        self.extracted_anew = 0  # entries whose facts this process extracted itself

    @property
    def cache_loaded(self) -> bool:
        """Whether the cache file has been read (an index run that only re-embeds edited
        days never needs it)."""
        return self._cached is not None

    @property
    def extracted(self) -> int:
        """How many entries have had their facts asked for (extracted, or read back)."""
        return len(self._facts)

    def __getitem__(self, key: str) -> list[ItemFacts]:
        return self._get(key, use_cache=True)

    def fresh(self, key: str) -> list[ItemFacts]:
        """The facts of an entry the cache cannot hold (new, edited or moved: its key, hash
        or line differs), extracted without reading the whole cache first."""
        return self._get(key, use_cache=False)

    def _get(self, key: str, use_cache: bool) -> list[ItemFacts]:
        found = self._facts.get(key)
        if found is not None:
            return found
        found = self._from_cache(key) if use_cache else None
        if found is None:
            found = [extract(item) for item in self._entries[key].items]
            self._fresh += 1
            self.extracted_anew += 1
        self._facts[key] = found
        if self._fresh and len(self._facts) == len(self._entries):
            self._save_cache()
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def _from_cache(self, key: str) -> list[ItemFacts] | None:
        if self._cache_path is None:
            return None
        if self._cached is None:
            self._cached = _read_facts_cache(self._cache_path)
        blob = self._cached.get(_cache_key(key, self._heads[key]))
        if not isinstance(blob, bytes):
            return None
        import pickle

        try:
            with paused_gc():
                facts = pickle.loads(blob)
        except Exception:  # a damaged entry: extract it again
            return None
        return facts if isinstance(facts, list) else None

    def _save_cache(self) -> None:
        if self._cache_path is None:
            return
        import pickle

        known = self._cached or {}
        blobs = {}
        for key in self._entries:
            cache_key = _cache_key(key, self._heads[key])
            blob = known.get(cache_key)
            if blob is None:
                blob = pickle.dumps(self._facts[key], protocol=pickle.HIGHEST_PROTOCOL)
            blobs[cache_key] = blob
        _write_facts_cache(self._cache_path, blobs)
        self._cached = blobs
        self._fresh = 0


class _Heads(Mapping[str, EntryHead]):
    """The heads of entries held in memory (a snapshot built without the parse cache)."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self._entries = entries

    def __getitem__(self, key: str) -> EntryHead:
        return EntryHead.of(self._entries[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class LazyEntries(Mapping[str, Entry]):
    """Entry key -> entry, built from its file's parse when first asked for: with the parse
    cache, the items of an entry nobody looks at are never unpickled."""

    def __init__(self, log: LogRead, places: dict[str, int]) -> None:
        self._log = log
        self._places = places  # key -> position in the log's heads

    def __getitem__(self, key: str) -> Entry:
        return self._log.entry(self._places[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)

    def __contains__(self, key: object) -> bool:
        return key in self._places


def _cache_key(key: str, head: EntryHead) -> str:
    # the file's full path too: facts keep it, and an index copied beside a log at another
    # path must not hand back items that point at the old one
    return f"{key}|{head.file}|{head.content_hash}|{head.line}"


def _code_stamp() -> str:
    """Which code made the facts cache: the readers and the extraction (a changed rule must
    not be hidden by facts extracted before it)."""
    return source_stamp("rreview.log", "rreview.errors", "rreview.extract")


def _facts_stamp() -> str:
    """The facts cache's key: its layout and the code that extracted it."""
    return f"facts-{FACTS_CACHE_FORMAT}|{_code_stamp()}"


def _read_facts_cache(path: Path) -> dict[str, bytes]:
    import pickle

    try:
        with path.open("rb") as fh, paused_gc():
            stamp, facts = pickle.load(fh)
    except Exception:  # missing, cut short, or written by other code: extract instead
        return {}
    return facts if stamp == _facts_stamp() and isinstance(facts, dict) else {}


def _write_facts_cache(path: Path, facts: dict[str, bytes]) -> None:
    import pickle

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as fh:
            pickle.dump((_facts_stamp(), facts), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache: the next run extracts again


@dataclass
class LogSnapshot:
    """The log as read now: entries, their facts, and what the reader had to say.

    `read` holds the problems and the files read, ignored and their formats; its `entries`
    stay empty: the entries are `entries`, by key, built when first asked for. `heads` gives
    each entry's date, file, line, content hash and reader without building it (what the
    index compares, and what a digest of the log needs)."""

    root: Path
    reader: str
    read: ReadResult
    entries: Mapping[str, Entry] = field(default_factory=dict)
    heads: Mapping[str, EntryHead] = field(default_factory=dict)
    facts_by_entry: Mapping[str, list[ItemFacts]] = field(default_factory=dict)
    files_parsed: int = 0  # files this read parsed (the others came from the parse cache)
    signature: str = ""  # equal to `log.detect.log_signature(root, fmt)` while nothing changed

    @property
    def facts(self) -> list[ItemFacts]:
        """Facts of every item of the log, in date order (read back from the cache with the
        garbage collector paused: 70,000 items would make it walk the heap again and again)."""
        with paused_gc():
            return [f for key in self.entries for f in self.facts_by_entry[key]]


@dataclass
class SyncStats:
    """What an index run did."""

    entries: int = 0
    new: int = 0
    changed: int = 0
    moved: int = 0
    removed: int = 0
    unchanged: int = 0
    items_embedded: int = 0
    waiting: int = 0  # vector writes in the journal, for the embedded store's next opening
    seconds: float = 0.0

    @property
    def touched(self) -> bool:
        """True if anything in the index changed."""
        return bool(self.new or self.changed or self.moved or self.removed)


def load_log(root: Path, fmt: str = "auto", cache: bool = True) -> LogSnapshot:
    """Read the log at `root`. With `cache`, files unchanged since an earlier run are not read
    again (the index folder's parse cache), entries are built only when asked for, and the
    facts of each entry are read back from the facts cache or extracted when first asked for.
    """
    folder = index_dir(root)
    log = open_log(root, fmt, folder / PARSE_CACHE if cache else None)
    snapshot = LogSnapshot(
        root, log.reader.name, log.result, files_parsed=log.files_parsed, signature=log.signature
    )
    counts: Counter[str] = Counter()
    heads: dict[str, EntryHead] = {}
    places: dict[str, int] = {}
    relative = _relative_to(root)
    for number, head in enumerate(log.heads):
        base = f"{relative(head.file)}#{head.date.isoformat()}"
        counts[base] += 1
        key = base if counts[base] == 1 else f"{base}#{counts[base]}"
        heads[key], places[key] = head, number
    snapshot.heads = heads
    snapshot.entries = LazyEntries(log, places)
    snapshot.facts_by_entry = LazyFacts(
        snapshot.entries, folder / FACTS_CACHE if cache else None, heads
    )
    return snapshot


def _relative_to(root: Path) -> Callable[[str], str]:
    """How an entry's file is named in its key: relative to the log folder (its name alone
    for a one-file log); a string cut where the file is under the folder as given."""
    if root.is_file():
        return lambda file: Path(file).name
    prefix = os.path.join(str(root), "")

    def relative(file: str) -> str:
        if file.startswith(prefix) and ".." not in file:
            return file[len(prefix) :]
        return os.path.relpath(file, root)

    return relative


def _metadata(key: str, facts: ItemFacts, owner: str | None) -> Metadata:
    item = facts.item
    meta: dict[str, str | int] = {
        "entry": key,
        "date": item.date.isoformat(),
        "day": item.date.toordinal(),
        "section": item.section.value,
        "file": item.file,
        "line": item.line,
    }
    if owner:
        meta["author"] = owner
    return meta


def state_dir(index_dir: Path, store: StoreSettings | None = None) -> Path:
    """Where the facts and hashes of one log's index live: the index folder itself for the
    embedded store; a sub-folder per server and collection in team mode, so switching
    between stores never mistakes one store's contents for another's."""
    if store is None or not store.remote:
        return index_dir
    import hashlib

    from rreview.store.vectors import collection_name

    key = hashlib.sha256(f"{store.url}|{collection_name(store)}".encode()).hexdigest()[:12]
    return index_dir / f"server-{key}"


def sync_index(
    snapshot: LogSnapshot,
    index_dir: Path,
    embedder: Embedder | None = None,
    store: StoreSettings | None = None,
) -> SyncStats:
    """Bring the index at `index_dir` (and the server of `store`, in team mode) up to date
    with `snapshot`; only new and changed days are embedded.

    Nothing is imported or loaded (no Chroma, no model) when no day changed.
    """
    started = time.perf_counter()
    folder = state_dir(index_dir, store)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / "index.lock")):
        facts_db = FactStore(folder / "facts.sqlite")
        try:
            stats = _sync(snapshot, index_dir, facts_db, embedder or Embedder(), store)
        finally:
            facts_db.close()
    stats.seconds = time.perf_counter() - started
    return stats


@dataclass
class _Plan:
    """What a run has to do, by entry key."""

    embed: list[str] = field(default_factory=list)  # new and changed
    changed: list[str] = field(default_factory=list)
    move: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.embed or self.move or self.removed)


def _plan(snapshot: LogSnapshot, known: Mapping[str, tuple[str, int]], stats: SyncStats) -> _Plan:
    plan = _Plan()
    stats.new = stats.changed = stats.moved = stats.unchanged = 0
    for key, head in snapshot.heads.items():
        state = known.get(key)
        if state is None:
            stats.new += 1
            plan.embed.append(key)
        elif state[0] != head.content_hash:
            stats.changed += 1
            plan.embed.append(key)
            plan.changed.append(key)
        elif state[1] != head.line:
            stats.moved += 1
            plan.move.append(key)
        else:
            stats.unchanged += 1
    plan.removed = [key for key in known if key not in snapshot.heads]
    stats.removed = len(plan.removed)
    return plan


def _sync(
    snapshot: LogSnapshot,
    index_dir: Path,
    facts_db: FactStore,
    embedder: Embedder,
    store: StoreSettings | None,
) -> SyncStats:
    remote = store is not None and store.remote
    known = facts_db.entry_states()
    journal = VectorJournal(facts_db)
    if known and not remote and not vectors_dir(index_dir).exists():
        facts_db.forget_all()  # the vectors were deleted: forget the facts too
        known = {}
    stats = SyncStats(entries=len(snapshot.heads))
    plan = _plan(snapshot, known, stats)
    if plan.empty:
        stats.waiting = journal.size()
        return stats
    if not remote and known and _small(snapshot, plan, journal):
        _write(snapshot, plan, facts_db, journal, embedder, stats, None)
        stats.waiting = journal.size()
        return stats

    from rreview.store.vectors import open_vectors  # chromadb: only for a large update

    owner = Owner(log=log_key(snapshot.root), author=author()) if remote else None
    with open_vectors(index_dir, store, owner, settle=False) as vectors:
        journal.flush(vectors)  # first: the counts below compare the store with the facts
        stored, expected = vectors.count(), facts_db.count("items")
        if stored < expected:  # vectors lost (a server collection reset): embed all again
            facts_db.forget_all()
            known = {}
            plan = _plan(snapshot, known, stats)
        if not known and stored:
            vectors.clear()  # vectors without facts (the facts database was deleted)
        elif stored > expected:  # a run cut short between vectors and facts left some
            vectors.delete_entries_except([k for k in known if k not in plan.removed])
        _write(snapshot, plan, facts_db, vectors, embedder, stats, owner)
    return stats


def _small(snapshot: LogSnapshot, plan: _Plan, journal: VectorJournal) -> bool:
    """Whether an update is small enough to wait in the journal instead of opening Chroma:
    a few days' items, and a journal that stays a few megabytes."""
    if len(plan.embed) + len(plan.move) > DEFER_AT_MOST // 4:  # do not even extract them
        return False
    items = sum(len(_changed_facts(snapshot, key)) for key in plan.embed + plan.move)
    return items <= DEFER_AT_MOST and journal.size() + items <= JOURNAL_AT_MOST


def _write(
    snapshot: LogSnapshot,
    plan: _Plan,
    facts_db: FactStore,
    vectors: VectorStore | VectorJournal,
    embedder: Embedder,
    stats: SyncStats,
    owner: Owner | None,
) -> None:
    """Carry out `plan` into `vectors` (the store, or the journal) and the facts."""
    # an edited entry loses its old vectors first: an edit that drops items leaves none
    vectors.delete_entries(plan.removed + plan.changed)
    facts_db.delete_entries(plan.removed)
    for key in plan.move:
        facts = _changed_facts(snapshot, key)
        ids = facts_db.move_entry(key, snapshot.entries[key].line, facts)
        vectors.update_metadata(
            ids, [_metadata(key, f, owner.author if owner else None) for f in facts]
        )
    _embed_entries(snapshot, plan.embed, facts_db, vectors, embedder, stats, owner)


def _changed_facts(snapshot: LogSnapshot, key: str) -> list[ItemFacts]:
    """Facts of an entry being (re)indexed: never in the facts cache, so not looked up there."""
    facts = snapshot.facts_by_entry
    return facts.fresh(key) if isinstance(facts, LazyFacts) else facts[key]


def _embed_entries(
    snapshot: LogSnapshot,
    keys: list[str],
    facts_db: FactStore,
    vectors: VectorStore | VectorJournal,
    embedder: Embedder,
    stats: SyncStats,
    owner: Owner | None,
) -> None:
    total = sum(len(_changed_facts(snapshot, key)) for key in keys)
    progress = _progress(total)
    task = progress.add_task("embedding", total=total) if progress else None
    chunk: list[str] = []
    chunk_items = 0
    for position, key in enumerate(keys, start=1):
        chunk.append(key)
        chunk_items += len(_changed_facts(snapshot, key))
        if chunk_items >= CHUNK_ITEMS or position == len(keys):
            _embed_chunk(snapshot, chunk, facts_db, vectors, embedder, owner)
            stats.items_embedded += chunk_items
            if progress and task is not None:
                progress.advance(task, chunk_items)
            chunk, chunk_items = [], 0
    if progress:
        progress.stop()


def _embed_chunk(
    snapshot: LogSnapshot,
    keys: list[str],
    facts_db: FactStore,
    vectors: VectorStore | VectorJournal,
    embedder: Embedder,
    owner: Owner | None,
) -> None:
    """Embed and store some entries: vectors first, then the facts rows that mark them done
    (one transaction), so a run cut short is simply redone next time."""
    pairs = [(key, f) for key in keys for f in snapshot.facts_by_entry[key]]
    ids = [i for key in keys for i in item_ids(key, len(snapshot.facts_by_entry[key]))]
    texts = [f.item.text for _, f in pairs]
    vectors.add(
        ids,
        embedder.encode_array(texts),
        texts,
        [_metadata(key, f, owner.author if owner else None) for key, f in pairs],
    )
    rows = []
    for key in keys:
        entry = snapshot.entries[key]
        rows.append(
            EntryRow(
                key,
                entry.date.isoformat(),
                entry.file,
                entry.line,
                entry.content_hash,
                snapshot.facts_by_entry[key],
            )
        )
    facts_db.replace_entries(rows)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    facts_db.mark_indexed(keys, [snapshot.heads[key].reader for key in keys], now)


def _progress(total: int) -> Progress | None:
    if total < PROGRESS_MIN_ITEMS or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    progress.start()
    return progress
