"""Item vectors for the analyses that compare meaning (bugs, ideas, focus).

Sources behind one small interface: the index `rreview index` keeps (no model load when
every item is there), or the embedding model itself (tests, and items the index lacks).
All embed an item's text exactly as the index does, so they give the same vectors.

The index's vectors are read, for the embedded store, from the question corpus' copy of them
(`retrieve.corpus.CorpusVectors`: a memory-mapped array, no chromadb); in team mode from the
Chroma server (`IndexedVectors`). `snapshot_vectors` picks one; `LogVectors` is that choice
for one command, opening (or building) the corpus on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rreview.extract.facts import ItemFacts

if TYPE_CHECKING:
    from rreview.config import StoreSettings
    from rreview.retrieve.corpus import Corpus
    from rreview.store.embed import Embedder
    from rreview.store.sync import LogSnapshot
    from rreview.store.vectors import VectorStore


class ItemVectors(Protocol):
    """Unit-length vectors of items, in the order asked."""

    def vectors(self, items: Sequence[ItemFacts]) -> list[list[float]]:
        """One vector per item."""
        ...


def vector_matrix(source: ItemVectors, items: Sequence[ItemFacts]) -> Any:
    """The vectors of `items` as one float32 array (len(items) x dimensions): straight from
    a source that keeps arrays (`matrix`), else built from its lists."""
    import numpy as np

    matrix = getattr(source, "matrix", None)
    if matrix is not None:
        return matrix(items)
    rows = source.vectors(items)
    return np.asarray(rows, dtype=np.float32).reshape(len(items), -1)


class EmbeddedVectors:
    """Embeds items with the sentence model (loaded on first use), caching by text."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder
        self._cache: dict[str, Any] = {}  # text -> float32 row

    def _model(self) -> Embedder:
        if self._embedder is None:
            from rreview.store.embed import Embedder  # sentence-transformers: only when needed

            self._embedder = Embedder()
        return self._embedder

    def vectors(self, items: Sequence[ItemFacts]) -> list[list[float]]:
        """Vectors of `items`, embedding only texts not seen before."""
        return [[float(x) for x in row] for row in self.matrix(items)]

    def matrix(self, items: Sequence[ItemFacts]) -> Any:
        """The vectors of `items` as one float32 array, embedding only texts not seen before."""
        import numpy as np

        missing = list(dict.fromkeys(f.item.text for f in items if f.item.text not in self._cache))
        if missing:
            rows = np.asarray(self._model().encode(missing), dtype=np.float32)
            self._cache.update(zip(missing, rows, strict=True))
        return _stack([self._cache[f.item.text] for f in items])


class IndexedVectors:
    """Vectors read from the index by item id; an item the index lacks (or holds with other
    text) is embedded by the model, so a stale index never gives a wrong vector.

    Only the items asked for are read. The store is opened on the first read and kept open
    for the next ones (an analysis asks in several rounds): close it with `close()` or use
    the object as a context manager."""

    def __init__(
        self,
        ids: Mapping[str, str],
        index: Path,
        store: StoreSettings | None = None,
        fallback: ItemVectors | None = None,
    ) -> None:
        self._ids = ids  # Item.key -> id in the vector store
        self._index = index  # the index folder (embedded Chroma inside it)
        self._store = store  # or a Chroma server (team mode)
        self._fallback = fallback or EmbeddedVectors()
        self._cache: dict[str, Any] = {}  # Item.key -> float32 row
        self._opened: VectorStore | None = None
        self.read_from_index = 0
        self.embedded = 0

    def __enter__(self) -> IndexedVectors:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the store, if it was opened."""
        if self._opened is not None:
            self._opened.close()
            self._opened = None

    def _stored(self, ids: Sequence[str]) -> dict[str, tuple[Any, str]]:
        """The stored vector and text of each of `ids` the store holds."""
        # chromadb: imported only when vectors are used
        from rreview.store.vectors import has_vectors, open_vectors

        if self._opened is None:
            if not has_vectors(self._index, self._store):
                return {}
            self._opened = open_vectors(self._index, self._store)
        return self._opened.get_embeddings(ids)

    def vectors(self, items: Sequence[ItemFacts]) -> list[list[float]]:
        """Vectors of `items`: stored ones where the stored text matches, else embedded."""
        return [[float(x) for x in row] for row in self.matrix(items)]

    def matrix(self, items: Sequence[ItemFacts]) -> Any:
        """The vectors of `items` as one float32 array (stored, else embedded)."""
        wanted = {f.item.key: f for f in items if f.item.key not in self._cache}
        if wanted:
            self._load(list(wanted.values()))
        return _stack([self._cache[f.item.key] for f in items])

    def _load(self, items: Sequence[ItemFacts]) -> None:
        import numpy as np

        ids = [self._ids[f.item.key] for f in items if f.item.key in self._ids]
        stored = self._stored(ids) if ids else {}
        missing = []
        for f in items:
            hit = stored.get(self._ids.get(f.item.key, ""))
            if hit is not None and hit[1] == f.item.text:
                self._cache[f.item.key] = np.asarray(hit[0], dtype=np.float32)
                self.read_from_index += 1
            else:
                missing.append(f)
        if missing:
            rows = vector_matrix(self._fallback, missing)
            self._cache.update((f.item.key, row) for f, row in zip(missing, rows, strict=True))
            self.embedded += len(missing)


def snapshot_item_ids(snapshot: LogSnapshot) -> dict[str, str]:
    """Item.key -> the item's id in the index (and in the question corpus)."""
    from rreview.store.facts import item_ids

    return {
        f.item.key: item_id
        for key, facts in snapshot.facts_by_entry.items()
        for item_id, f in zip(item_ids(key, len(facts)), facts, strict=True)
    }


def snapshot_vectors(
    snapshot: LogSnapshot,
    index: Path,
    store: StoreSettings | None,
    corpus: Callable[[], Corpus],
) -> ItemVectors:
    """The item vectors of `snapshot` (whose index is up to date): with the embedded store,
    the copy in its question corpus (`corpus()`: memory-mapped, so chromadb is never
    imported); in team mode, read from the Chroma server of `store` (the corpus holds none).
    Close an `IndexedVectors` when done; the corpus belongs to whoever opened it."""
    ids = snapshot_item_ids(snapshot)
    if store is not None and store.remote:
        return IndexedVectors(ids, index, store)
    from rreview.retrieve.corpus import CorpusVectors

    return CorpusVectors(corpus(), ids)


class LogVectors:
    """`snapshot_vectors` for one command: chosen, and the corpus opened (built first if the
    log changed since it was last built, as `ask` does), only when a vector is asked for;
    released by `close()` or at the end of a `with` block."""

    def __init__(
        self, snapshot: LogSnapshot, index: Path, store: StoreSettings | None = None
    ) -> None:
        self._snapshot = snapshot
        self._index = index
        self._store = store
        self._source: ItemVectors | None = None
        self._corpus: Corpus | None = None
        self._rows: dict[str, Any] = {}  # Item.key -> float32 row, read once

    def __enter__(self) -> LogVectors:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open_corpus(self) -> Corpus:
        from rreview.retrieve.corpus import open_corpus
        from rreview.store.sync import state_dir

        state = state_dir(self._index, self._store)
        self._corpus = open_corpus(self._snapshot, state, self._index, self._store)
        return self._corpus

    @property
    def source(self) -> ItemVectors:
        """Where the vectors come from (chosen on first use)."""
        if self._source is None:
            self._source = snapshot_vectors(
                self._snapshot, self._index, self._store, self._open_corpus
            )
        return self._source

    def vectors(self, items: Sequence[ItemFacts]) -> list[list[float]]:
        """One vector per item."""
        return [[float(x) for x in row] for row in self.matrix(items)]

    def matrix(self, items: Sequence[ItemFacts]) -> Any:
        """The vectors of `items` as one float32 array (none asked: nothing opened). Each
        item's row is read from the source once, into plain arrays: an analysis asks for
        the same rows many times, and a row of the corpus' memory map costs more to stack.
        (`IndexedVectors` keeps plain rows itself.)"""
        if not items:
            return _stack([])
        if isinstance(self.source, IndexedVectors):
            return self.source.matrix(items)
        keys = [f.item.key for f in items]
        missing = {key: f for key, f in zip(keys, items, strict=True) if key not in self._rows}
        if missing:
            rows = vector_matrix(self.source, list(missing.values()))
            self._rows.update(zip(missing, rows, strict=True))
        return _stack([self._rows[key] for key in keys])

    def close(self) -> None:
        """Release the corpus or the server connection, if opened."""
        if isinstance(self._source, IndexedVectors):
            self._source.close()
        if self._corpus is not None:
            self._corpus.close()
        self._source = self._corpus = None
        self._rows = {}


def _stack(rows: Sequence[Any]) -> Any:
    import numpy as np

    if not rows:
        from rreview.store.embed import DIMENSIONS

        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack(rows).astype(np.float32, copy=False)
