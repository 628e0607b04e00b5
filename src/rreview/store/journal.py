"""Vector writes waiting for the embedded Chroma store, kept in the facts database.

Opening the embedded store costs more than everything else a small update does: importing
chromadb takes ~1.2 s and its first access another 0.3-0.5 s (6 s on the first run after a
full index of ten years), against ~0.2 s to embed the day that was edited. So when a few
entries changed, `rreview index` embeds them and writes their vectors here, in the same
SQLite file as their facts, and leaves Chroma alone; `rreview ask` never reads Chroma (its
question corpus gets the same vectors from here through the sync), and whatever next opens
the embedded store for reading or for a large update first writes these rows into it
(`settle`). Nothing is lost when a run is cut short: the rows are written before the facts
that mark their entries as indexed (as vectors are before facts on the direct path), and
writing them into Chroma again is harmless (upserts, and deletes by entry).

Per entry the journal keeps the last word: "replace this entry's vectors by these rows"
(`replace`, none for a removed entry), or new metadata for the rows of an entry that only
moved inside its file (`move`). Team mode never defers: a lab's server is written at once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rreview.store.facts import FactStore

if TYPE_CHECKING:
    from rreview.store.vectors import Metadata, VectorStore

VECTOR_DTYPE = "float32"  # each vector is kept as its float32 bytes (1.5 KB for MiniLM)


class VectorJournal:
    """The writes the embedded store has not received yet. It offers the writing half of
    `VectorStore` (`add`, `delete_entries`, `update_metadata`), so the sync writes through
    either one the same way."""

    def __init__(self, facts: FactStore) -> None:
        self.db: sqlite3.Connection = facts.db

    def size(self) -> int:
        """Rows waiting: replaced entries, their new vectors and moved items."""
        return int(
            self.db.execute(
                """select (select count(*) from pending_entries)
                        + (select count(*) from pending_items)
                        + (select count(*) from pending_moves)"""
            ).fetchone()[0]
        )

    def delete_entries(self, entry_keys: Sequence[str]) -> None:
        """These entries' vectors are to go (removed, or about to be replaced by `add`)."""
        with self.db:
            self.db.executemany(
                "insert or ignore into pending_entries values (?)", [(k,) for k in entry_keys]
            )
            for table in ("pending_items", "pending_moves"):
                self.db.executemany(
                    f"delete from {table} where entry_key = ?", [(k,) for k in entry_keys]
                )

    def add(
        self,
        ids: Sequence[str],
        embeddings: Any,
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        """New vectors of entries given to `delete_entries` first (as the sync does)."""
        import numpy as np

        rows = np.asarray(embeddings, dtype=VECTOR_DTYPE)
        with self.db:
            self.db.executemany(
                "insert or ignore into pending_entries values (?)",
                [(str(m["entry"]),) for m in metadatas],
            )
            self.db.executemany(
                "insert or replace into pending_items values (?, ?, ?, ?, ?)",
                [
                    (item_id, str(meta["entry"]), row.tobytes(), text, json.dumps(dict(meta)))
                    for item_id, row, text, meta in zip(
                        ids, rows, documents, metadatas, strict=True
                    )
                ],
            )

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[Metadata]) -> None:
        """New line numbers for items whose vectors stay: on a waiting row itself when the
        entry has one, else as a move applied after the replacements."""
        with self.db:
            for item_id, meta in zip(ids, metadatas, strict=True):
                text = json.dumps(dict(meta))
                waiting = self.db.execute(
                    "update pending_items set metadata = ? where id = ?", (text, item_id)
                )
                if not waiting.rowcount:
                    self.db.execute(
                        "insert or replace into pending_moves values (?, ?, ?)",
                        (item_id, str(meta["entry"]), text),
                    )

    def flush(self, vectors: VectorStore) -> int:
        """Write every waiting row into `vectors` (the caller holds the index lock), then
        forget them; returns how many rows were written."""
        import numpy as np

        entries = [k for (k,) in self.db.execute("select key from pending_entries")]
        items = self.db.execute(
            "select id, embedding, document, metadata from pending_items"
        ).fetchall()
        moves = self.db.execute("select id, metadata from pending_moves").fetchall()
        if not (entries or items or moves):
            return 0
        vectors.delete_entries(entries)
        if items:
            vectors.add(
                [row[0] for row in items],
                np.stack([np.frombuffer(row[1], dtype=VECTOR_DTYPE) for row in items]),
                [row[2] for row in items],
                [json.loads(row[3]) for row in items],
            )
        if moves:
            vectors.update_metadata([row[0] for row in moves], [json.loads(r[1]) for r in moves])
        self.clear()
        return len(entries) + len(items) + len(moves)

    def clear(self) -> None:
        """Forget every waiting row (written, or the store they were for is gone)."""
        with self.db:
            for table in ("pending_entries", "pending_items", "pending_moves"):
                self.db.execute(f"delete from {table}")


def settle(index: Path, vectors: VectorStore) -> None:
    """Before the embedded store of the index folder `index` is read: write the rows waiting
    in its journal. Best effort and never blocking: when another process holds the index
    lock (a long index run), the reader goes on without them, as readers compare each
    stored vector's text with the item's and embed the ones that differ."""
    from filelock import FileLock, Timeout

    path = index / "facts.sqlite"
    if not path.exists() or not _waiting(path):
        return
    try:
        with FileLock(str(index / "index.lock"), timeout=0):
            facts = FactStore(path)
            try:
                VectorJournal(facts).flush(vectors)
            finally:
                facts.close()
    except Timeout:
        return


def waiting_vectors(index: Path, ids: Sequence[str]) -> dict[str, tuple[Any, str]]:
    """The vector and text of each of `ids` waiting in the journal of the index folder
    `index` (read-only): what a run that just embedded a day hands to the question corpus,
    instead of embedding that day a second time."""
    import numpy as np

    path = index / "facts.sqlite"
    if not ids or not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found: dict[str, tuple[Any, str]] = {}
    try:
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters
            batch = list(ids[start : start + 500])
            marks = ", ".join("?" * len(batch))
            for item_id, blob, text in db.execute(
                f"select id, embedding, document from pending_items where id in ({marks})", batch
            ):
                found[item_id] = (np.frombuffer(blob, dtype=VECTOR_DTYPE), text)
    except sqlite3.Error:  # made before the journal existed: nothing waits
        return {}
    finally:
        db.close()
    return found


def _waiting(path: Path) -> bool:
    """Whether the journal of the facts database at `path` has rows (read-only, no
    migration: a database made before the journal existed has none)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        row = db.execute(
            "select exists(select 1 from pending_entries) or exists(select 1 from pending_moves)"
        ).fetchone()
    except sqlite3.Error:  # no journal tables yet
        return False
    finally:
        db.close()
    return bool(row and row[0])
