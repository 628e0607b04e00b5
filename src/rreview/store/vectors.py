"""Chroma store of item vectors: embedded `PersistentClient`, or `HttpClient` for a server.

The embedded store lives in the index folder (`RREVIEW_HOME/index/<log>/chroma`). In team
mode (`--store http://host:port`, RREVIEW_STORE or `store = "..."`) the vectors live on a
Chroma server (`chroma run`) that a lab shares, one collection per person: named by
`--collection`/RREVIEW_COLLECTION/`collection = "..."`, else `rreview-<user name>`. The
collection records the log it indexes, so two logs never write into one by mistake.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from rreview.config import StoreSettings
from rreview.errors import OperationError, UsageError

COLLECTION = "items"
Metadata = Mapping[str, str | int | float | bool]


@dataclass(frozen=True)
class VectorHit:
    """One item found by vector similarity (score: cosine similarity, higher is closer)."""

    id: str
    text: str
    score: float
    metadata: Metadata


@dataclass(frozen=True)
class Owner:
    """Whose log a collection on a server indexes: recorded once, checked on every write."""

    log: str  # paths.log_key of the log
    author: str


def author() -> str:
    """The person a server collection belongs to: the login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        return "unknown"


def collection_name(store: StoreSettings) -> str:
    """The collection holding this person's vectors: the configured one, else
    `items` in the embedded store and `rreview-<user>` on a server."""
    if store.collection:
        return store.collection
    if not store.remote:
        return COLLECTION
    user = re.sub(r"[^A-Za-z0-9._-]+", "-", author()).strip("._-") or "unknown"
    return f"rreview-{user}"[:200]


def vectors_dir(index: Path) -> Path:
    """The embedded store's folder inside an index folder."""
    return index / "chroma"


def has_vectors(index: Path, store: StoreSettings | None = None) -> bool:
    """Whether there may be vectors to query: the embedded folder exists, or a server is set
    (asked only when queried)."""
    return bool(store and store.remote) or vectors_dir(index).exists()


def open_vectors(
    index: Path,
    store: StoreSettings | None = None,
    owner: Owner | None = None,
    *,
    settle: bool = True,
) -> VectorStore:
    """The vector store of the index folder `index`: embedded, or the server of `store`.
    The embedded store first receives the writes waiting in the index's journal (unless
    `settle` is False: the sync, which holds the index lock, writes them itself)."""
    if store is not None and store.remote:
        return VectorStore(store=store, owner=owner)
    vectors = VectorStore(vectors_dir(index))
    if settle:
        from rreview.store.journal import settle as write_waiting

        write_waiting(index, vectors)
    return vectors


class VectorStore:
    """Item vectors with their date, file and line as metadata; we embed, Chroma stores.

    `VectorStore(path)` opens the embedded store in `path`; `VectorStore(store=settings)` a
    Chroma server. With `owner`, a server collection must belong to that log (else a
    UsageError naming the fix); a new one is marked with it."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        store: StoreSettings | None = None,
        owner: Owner | None = None,
    ) -> None:
        # chromadb costs ~1 s to import: only commands that touch vectors import it.
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False)
        self.store = store or StoreSettings()
        self.name = collection_name(self.store)
        self.owner = owner
        if self.store.remote:
            self.client = _http_client(self.store, settings)
        else:
            if path is None:
                raise ValueError("an embedded vector store needs a folder")
            path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=settings)
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
        self._call(self.client.delete_collection, self.name)
        self.collection = self._collection()

    def _collection(self) -> Any:
        metadata = None
        if self.store.remote and self.owner is not None:
            metadata = {"rreview_log": self.owner.log, "rreview_author": self.owner.author}
        collection = self._call(
            self.client.get_or_create_collection,
            self.name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=metadata,
        )
        recorded = (collection.metadata or {}).get("rreview_log")
        if metadata and not recorded:  # made before it had an owner: it is this log's now
            self._call(collection.modify, metadata=metadata)
        elif self.owner is not None and recorded and recorded != self.owner.log:
            who = (collection.metadata or {}).get("rreview_author", "someone")
            raise UsageError(
                f"collection '{self.name}' on {self.store.url} holds the index of another log "
                f"(indexed by {who}); give this log its own: --collection NAME, "
                'RREVIEW_COLLECTION, or collection = "NAME" in the config file'
            )
        return collection

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        """A call to Chroma; on a server, a lost connection is an OperationError (exit 1)."""
        if not self.store.remote:
            return method(*args, **kwargs)
        try:
            return method(*args, **kwargs)
        except (ValueError, ConnectionError, OSError) as exc:
            if isinstance(exc, ValueError) and "connect" not in str(exc).lower():
                raise
            raise OperationError(f"Chroma server {self.store.url}: {exc}") from exc

    def _batches(self, size: int) -> range:
        limit = self.client.get_max_batch_size()
        return range(0, size, max(1, limit))

    def add(
        self,
        ids: Sequence[str],
        embeddings: Any,
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        """Insert or replace items (`embeddings`: a float32 array, or lists of floats), in
        batches the server accepts."""
        limit = self.client.get_max_batch_size()
        for start in self._batches(len(ids)):
            end = start + limit
            self.collection.upsert(
                ids=list(ids[start:end]),
                embeddings=_rows(embeddings[start:end]),
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

    def delete_entries_except(self, entry_keys: Sequence[str]) -> None:
        """Remove every item of entries other than these (vectors left by a run cut short)."""
        if entry_keys:
            self.collection.delete(where={"entry": {"$nin": list(entry_keys)}})
        else:
            self.clear()

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, tuple[Any, str]]:
        """The stored vector (a float32 numpy row: ten years of log are ~70,000 of them) and
        text of each of `ids` that is in the store (others are left out), fetched in
        batches: the analyses reuse the index instead of embedding again."""
        import numpy as np

        found: dict[str, tuple[Any, str]] = {}
        ids = list(dict.fromkeys(ids))  # Chroma refuses an id asked for twice
        limit = self.client.get_max_batch_size()
        for start in self._batches(len(ids)):
            batch = list(ids[start : start + limit])
            result = self.collection.get(ids=batch, include=["embeddings", "documents"])
            embeddings = result.get("embeddings")
            documents = result.get("documents") or [""] * len(result["ids"])
            if embeddings is None:
                continue
            for item_id, vector, document in zip(result["ids"], embeddings, documents, strict=True):
                found[item_id] = (np.asarray(vector, dtype=np.float32), document or "")
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


def _rows(embeddings: Any) -> Any:
    """Embeddings as Chroma takes them: a numpy array as it is, else lists of floats."""
    return embeddings if hasattr(embeddings, "shape") else [list(v) for v in embeddings]


def _http_client(store: StoreSettings, settings: Any) -> Any:
    """A client of the Chroma server at `store.url`, checked with a heartbeat."""
    from urllib.parse import urlsplit

    import chromadb

    url = urlsplit(store.url or "")
    ssl = url.scheme == "https"
    headers = {"Authorization": f"Bearer {store.token}"} if store.token else None
    try:
        client = chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            headers=headers,
            settings=settings,
        )
        client.heartbeat()
    except (ValueError, ConnectionError, OSError) as exc:
        raise OperationError(
            f"cannot reach the Chroma server at {store.url} ({exc}); start it with "
            "`chroma run --path DIR --host HOST --port PORT`, or drop --store for the local index"
        ) from exc
    return client
