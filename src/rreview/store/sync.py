"""Keeping the index in step with the log, incrementally by content hash."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock

from rreview.extract import extract
from rreview.extract.facts import ItemFacts
from rreview.log.detect import read_log
from rreview.log.model import Entry
from rreview.log.readers.base import ReadResult
from rreview.store.embed import Embedder
from rreview.store.facts import FactStore, item_ids
from rreview.store.vectors import Metadata

if TYPE_CHECKING:
    from rich.progress import Progress

    from rreview.store.vectors import VectorStore

PROGRESS_MIN_ITEMS = 200  # below this a bar would only flicker


@dataclass
class LogSnapshot:
    """The log as read now: entries, their facts, and what the reader had to say."""

    root: Path
    reader: str
    read: ReadResult
    facts_by_entry: dict[str, list[ItemFacts]] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)

    @property
    def facts(self) -> list[ItemFacts]:
        """Facts of every item of the log, in date order."""
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
    seconds: float = 0.0

    @property
    def touched(self) -> bool:
        """True if anything in the index changed."""
        return bool(self.new or self.changed or self.moved or self.removed)


def load_log(root: Path, fmt: str = "auto") -> LogSnapshot:
    """Read the log at `root` and extract the facts of every item (no index involved)."""
    reader, result = read_log(root, fmt)
    snapshot = LogSnapshot(root=root, reader=reader.name, read=result)
    counts: Counter[str] = Counter()
    for entry in result.entries:
        base = f"{_relative(entry.file, root)}#{entry.date.isoformat()}"
        counts[base] += 1
        key = base if counts[base] == 1 else f"{base}#{counts[base]}"
        snapshot.entries[key] = entry
        snapshot.facts_by_entry[key] = [extract(item) for item in entry.items]
    return snapshot


def _relative(file: str, root: Path) -> str:
    if root.is_file():
        return Path(file).name
    return os.path.relpath(file, root)


def _metadata(key: str, facts: ItemFacts) -> Metadata:
    item = facts.item
    return {
        "entry": key,
        "date": item.date.isoformat(),
        "day": item.date.toordinal(),
        "section": item.section.value,
        "file": item.file,
        "line": item.line,
    }


def sync_index(
    snapshot: LogSnapshot, index_dir: Path, embedder: Embedder | None = None
) -> SyncStats:
    """Bring the index at `index_dir` up to date with `snapshot`; only changed days are embedded.

    Nothing is imported or loaded (no Chroma, no model) when no day changed.
    """
    started = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(index_dir / "index.lock")):
        facts_db = FactStore(index_dir / "facts.sqlite")
        try:
            stats = _sync(snapshot, index_dir, facts_db, embedder or Embedder())
        finally:
            facts_db.close()
    stats.seconds = time.perf_counter() - started
    return stats


def _sync(
    snapshot: LogSnapshot, index_dir: Path, facts_db: FactStore, embedder: Embedder
) -> SyncStats:
    vectors_dir = index_dir / "chroma"
    known = facts_db.entry_states()
    if known and not vectors_dir.exists():  # the vectors were deleted: forget the facts too
        facts_db.delete_entries(known)
        known = {}
    orphans = not known and vectors_dir.exists()  # vectors without facts (facts db deleted)
    stats = SyncStats(entries=len(snapshot.entries))
    to_embed: list[str] = []
    to_move: list[str] = []
    for key, entry in snapshot.entries.items():
        state = known.get(key)
        if state is None:
            stats.new += 1
            to_embed.append(key)
        elif state[0] != entry.content_hash:
            stats.changed += 1
            to_embed.append(key)
        elif state[1] != entry.line:
            stats.moved += 1
            to_move.append(key)
        else:
            stats.unchanged += 1
    removed = [key for key in known if key not in snapshot.entries]
    stats.removed = len(removed)
    if not (to_embed or to_move or removed):
        return stats

    from rreview.store.vectors import VectorStore  # chromadb: only when something changed

    with VectorStore(vectors_dir) as vectors:
        if orphans:
            vectors.clear()
        # every entry about to be embedded loses its old vectors first: an edit that drops
        # items, or a run cut short between vectors and facts, leaves none behind
        vectors.delete_entries(removed + to_embed)
        facts_db.delete_entries(removed)
        for key in to_move:
            facts = snapshot.facts_by_entry[key]
            ids = facts_db.move_entry(key, snapshot.entries[key].line, facts)
            vectors.update_metadata(ids, [_metadata(key, f) for f in facts])
        _embed_entries(snapshot, to_embed, facts_db, vectors, embedder, stats)
    return stats


def _embed_entries(
    snapshot: LogSnapshot,
    keys: list[str],
    facts_db: FactStore,
    vectors: VectorStore,
    embedder: Embedder,
    stats: SyncStats,
) -> None:
    total = sum(len(snapshot.facts_by_entry[key]) for key in keys)
    progress = _progress(total)
    task = progress.add_task("embedding", total=total) if progress else None
    chunk: list[str] = []
    chunk_items = 0
    for position, key in enumerate(keys, start=1):
        chunk.append(key)
        chunk_items += len(snapshot.facts_by_entry[key])
        if chunk_items >= 256 or position == len(keys):
            _embed_chunk(snapshot, chunk, facts_db, vectors, embedder)
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
    vectors: VectorStore,
    embedder: Embedder,
) -> None:
    """Embed and store some entries: vectors first, then the facts row that marks them done,
    so a run cut short is simply redone next time."""
    pairs = [(key, f) for key in keys for f in snapshot.facts_by_entry[key]]
    ids = [i for key in keys for i in item_ids(key, len(snapshot.facts_by_entry[key]))]
    embeddings = embedder.encode([f.item.text for _, f in pairs])
    vectors.add(
        ids,
        embeddings,
        [f.item.text for _, f in pairs],
        [_metadata(key, f) for key, f in pairs],
    )
    for key in keys:
        entry = snapshot.entries[key]
        facts_db.replace_entry(
            key,
            entry.date.isoformat(),
            entry.file,
            entry.line,
            entry.content_hash,
            snapshot.facts_by_entry[key],
        )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    facts_db.mark_indexed(keys, [snapshot.entries[key].reader for key in keys], now)


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
