"""Item vectors for the analyses that compare meaning (bugs, ideas, focus).

Two sources behind one small interface: the index `rreview index` keeps (no model load when
every item is there), or the embedding model itself (tests, and items the index lacks).
Both embed an item's text exactly as the index does, so the two give the same vectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rreview.extract.facts import ItemFacts

if TYPE_CHECKING:
    from rreview.config import StoreSettings
    from rreview.store.embed import Embedder
    from rreview.store.sync import LogSnapshot


class ItemVectors(Protocol):
    """Unit-length vectors of items, in the order asked."""

    def vectors(self, items: Sequence[ItemFacts]) -> list[list[float]]:
        """One vector per item."""
        ...


class EmbeddedVectors:
    """Embeds items with the sentence model (loaded on first use), caching by text."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder
        self._cache: dict[str, list[float]] = {}

    def _model(self) -> Embedder:
        if self._embedder is None:
            from rreview.store.embed import Embedder  # sentence-transformers: only when needed

            self._embedder = Embedder()
        return self._embedder

    def vectors(self, items: Sequence[ItemFacts]) -> list[list[float]]:
        """Vectors of `items`, embedding only texts not seen before."""
        missing = list(dict.fromkeys(f.item.text for f in items if f.item.text not in self._cache))
        if missing:
            for text, vector in zip(missing, self._model().encode(missing), strict=True):
                self._cache[text] = vector
        return [self._cache[f.item.text] for f in items]


class IndexedVectors:
    """Vectors read from the index by item id; an item the index lacks (or holds with other
    text) is embedded by the model, so a stale index never gives a wrong vector."""

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
        self._cache: dict[str, list[float]] = {}
        self.read_from_index = 0
        self.embedded = 0

    @classmethod
    def for_snapshot(
        cls, snapshot: LogSnapshot, index: Path, store: StoreSettings | None = None
    ) -> IndexedVectors:
        """Vectors of the items of `snapshot` from the index folder `index` (or `store`)."""
        from rreview.store.facts import item_ids

        ids = {
            f.item.key: item_id
            for key, facts in snapshot.facts_by_entry.items()
            for item_id, f in zip(item_ids(key, len(facts)), facts, strict=True)
        }
        return cls(ids, index, store)

    def vectors(self, items: Sequence[ItemFacts]) -> list[list[float]]:
        """Vectors of `items`: stored ones where the stored text matches, else embedded."""
        wanted = {f.item.key: f for f in items if f.item.key not in self._cache}
        if wanted:
            self._load(list(wanted.values()))
        return [self._cache[f.item.key] for f in items]

    def _load(self, items: Sequence[ItemFacts]) -> None:
        stored: dict[str, tuple[list[float], str]] = {}
        ids = [self._ids[f.item.key] for f in items if f.item.key in self._ids]
        if ids:
            # chromadb: imported only when vectors are used
            from rreview.store.vectors import has_vectors, open_vectors

            if has_vectors(self._index, self._store):
                with open_vectors(self._index, self._store) as vectors:
                    stored = vectors.get_embeddings(ids)
        missing = []
        for f in items:
            hit = stored.get(self._ids.get(f.item.key, ""))
            if hit is not None and hit[1] == f.item.text:
                self._cache[f.item.key] = hit[0]
                self.read_from_index += 1
            else:
                missing.append(f)
        if missing:
            for f, vector in zip(missing, self._fallback.vectors(missing), strict=True):
                self._cache[f.item.key] = vector
            self.embedded += len(missing)
