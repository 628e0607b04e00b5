"""Chroma store of item vectors: embedded `PersistentClient`, or `HttpClient` for a server."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

COLLECTION = "items"
Metadata = Mapping[str, str | int | float | bool]


@dataclass(frozen=True)
class VectorHit:
    """One item found by vector similarity (score: cosine similarity, higher is closer)."""

    id: str
    text: str
    score: float
    metadata: Metadata


class VectorStore:
    """Item vectors with their date, file and line as metadata; we embed, Chroma stores."""

    def __init__(self, path: Path) -> None:
        # chromadb costs ~1.5 s to import: only commands that touch vectors import it.
        import chromadb
        from chromadb.config import Settings

        path.mkdir(parents=True, exist_ok=True)
        self.client = chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False)
        )
        self.collection = self._collection()

    def close(self) -> None:
        """Release the client. Chroma shares one system per folder inside a process; a store
        left open keeps using the old database after its folder is deleted and rebuilt."""
        close = getattr(self.client, "close", None)  # chromadb < 1.1 has no close()
        if close is not None:
            close()

    def __enter__(self) -> VectorStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def clear(self) -> None:
        """Remove every item vector (the collection is recreated empty)."""
        self.client.delete_collection(COLLECTION)
        self.collection = self._collection()

    def _collection(self) -> Any:
        return self.client.get_or_create_collection(
            COLLECTION, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def _batches(self, size: int) -> range:
        limit = self.client.get_max_batch_size()
        return range(0, size, max(1, limit))

    def add(
        self,
        ids: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        """Insert or replace items, in batches the server accepts."""
        limit = self.client.get_max_batch_size()
        for start in self._batches(len(ids)):
            end = start + limit
            self.collection.upsert(
                ids=list(ids[start:end]),
                embeddings=[list(v) for v in embeddings[start:end]],
                documents=list(documents[start:end]),
                metadatas=[dict(m) for m in metadatas[start:end]],
            )

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[Metadata]) -> None:
        """Change metadata (e.g. line numbers) without touching the vectors."""
        limit = self.client.get_max_batch_size()
        for start in self._batches(len(ids)):
            end = start + limit
            self.collection.update(
                ids=list(ids[start:end]), metadatas=[dict(m) for m in metadatas[start:end]]
            )

    def delete_entries(self, entry_keys: Sequence[str]) -> None:
        """Remove every item of the given entries."""
        if entry_keys:
            self.collection.delete(where={"entry": {"$in": list(entry_keys)}})

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, tuple[list[float], str]]:
        """The stored vector and text of each of `ids` that is in the store (others are left
        out), fetched in batches: the analyses reuse the index instead of embedding again."""
        found: dict[str, tuple[list[float], str]] = {}
        limit = self.client.get_max_batch_size()
        for start in self._batches(len(ids)):
            batch = list(ids[start : start + limit])
            result = self.collection.get(ids=batch, include=["embeddings", "documents"])
            embeddings = result.get("embeddings")
            documents = result.get("documents") or [""] * len(result["ids"])
            if embeddings is None:
                continue
            for item_id, vector, document in zip(
                result["ids"], embeddings, documents, strict=True
            ):
                found[item_id] = ([float(x) for x in vector], document or "")
        return found

    def count(self) -> int:
        """Number of stored item vectors."""
        return int(self.collection.count())

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[VectorHit]:
        """The `k` items closest to `embedding`, optionally filtered by metadata."""
        if self.count() == 0:
            return []
        result = self.collection.query(
            query_embeddings=[list(embedding)], n_results=k, where=where or None
        )
        ids = result["ids"][0]
        documents = (result.get("documents") or [[]])[0]
        distances = (result.get("distances") or [[]])[0]
        metadatas = (result.get("metadatas") or [[]])[0]
        return [
            VectorHit(id=i, text=d or "", score=1.0 - float(dist), metadata=m or {})
            for i, d, dist, m in zip(ids, documents, distances, metadatas, strict=True)
        ]
