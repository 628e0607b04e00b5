"""What a process keeps between questions: the log as read, its retrieval corpus, and the
analyses' inputs, reused for as long as neither the log nor the index changed.

`rreview ask` asked again in the same process (the evals, the tests, a long-running caller)
then costs only the question itself: parse it, embed it, score the corpus, render. Whether
the log changed is told by its signature (`log.detect.log_signature`: one directory walk of
stat calls, no reading); whether the index was replaced, by its facts database's inode. A
cheaper stamp of the same files (`quick_stamp`) spares even that walk when nothing at all
changed.
Only the last session is kept: a process asking about several logs in turn rebuilds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rreview.analyze.cache import AnalysisCache
    from rreview.analyze.terms import Vocabulary
    from rreview.analyze.vectors import ItemVectors
    from rreview.config import StoreSettings
    from rreview.extract.facts import ItemFacts
    from rreview.retrieve.corpus import Corpus
    from rreview.retrieve.hybrid import HybridRetriever
    from rreview.store.embed import Embedder
    from rreview.store.sync import LogSnapshot

T = TypeVar("T")


Signature = tuple[str, int]


@dataclass
class Session:
    """One log, read and indexed, with what questions about it have needed so far."""

    key: tuple[Any, ...]  # log, format, index folder, store
    signature: Signature  # the log's files and the index's database when this was read
    snapshot: LogSnapshot
    index: Path  # the index folder
    state: Path  # where this store's facts and corpus live (the index folder, locally)
    store: StoreSettings
    embedder: Embedder | None = None
    _retriever: HybridRetriever | None = None
    _facts: list[ItemFacts] | None = None
    _memo: dict[Any, Any] = field(default_factory=dict)
    _analyses: AnalysisCache | None = None
    quick: Any = None  # `quick_stamp` when this was last known current

    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over this log's corpus (built on first use if the index
        changed since the last build)."""
        if self._retriever is None:
            from rreview.retrieve.hybrid import HybridRetriever

            self._retriever = HybridRetriever(
                self.corpus(), self.embedder, index=self.index, store=self.store
            )
        return self._retriever

    def corpus(self) -> Corpus:
        """The retrieval corpus of the log as read."""
        if self._retriever is not None:
            return self._retriever.corpus
        from rreview.retrieve.corpus import open_corpus

        corpus = open_corpus(self.snapshot, self.state, self.index, self.store)
        from rreview.retrieve.hybrid import HybridRetriever

        self._retriever = HybridRetriever(corpus, self.embedder, index=self.index, store=self.store)
        return corpus

    def item_vectors(self) -> ItemVectors:
        """Vectors of items for the analyses that compare meaning (bug families): from the
        corpus' copy of the index locally (no chromadb), from the server in team mode."""
        from rreview.analyze.vectors import snapshot_vectors

        return snapshot_vectors(self.snapshot, self.index, self.store, self.corpus)

    def facts(self) -> list[ItemFacts]:
        """The facts of every item, in date order (read once: ~1 s at ten years of log)."""
        if self._facts is None:
            self._facts = self.snapshot.facts
        return self._facts

    def remember(self, key: Any, make: Callable[[], T]) -> T:
        """`make()`, computed once per session (an analysis over the whole log). The tasks
        linked across days (`link_tasks(facts())`, seconds at ten years) are also kept on disk
        for the next process (`persist`)."""
        if key not in self._memo:
            self._memo[key] = self._tasks(make) if key == "tasks" else make()
        return self._memo[key]

    def _tasks(self, link: Callable[[], Any]) -> Any:
        """The tasks `link()` links across days (`link_tasks(facts())`), kept on disk per
        state of the log with their mentions as positions in `facts()`."""
        from rreview.analyze.cache import plain_tasks, tasks_from_plain

        facts = self.facts()
        return self.persist(
            "tasks",
            link,
            lambda tasks: plain_tasks(tasks, facts),
            lambda plain: tasks_from_plain(plain, facts),
        )

    def persist(
        self,
        name: str,
        make: Callable[[], T],
        encode: Callable[[T], Any] = lambda value: value,
        decode: Callable[[Any], T] = lambda stored: stored,
        code: tuple[str, ...] = (),
    ) -> T:
        """`make()`, computed once per state of the log: remembered in this process like
        `remember`, and kept on disk for the next process (`analyze.cache`). `encode` turns
        the value into plain data (indices into `facts()`, not the facts), `decode` back; a
        stored value it cannot decode counts as missing. `code`: the packages or modules
        besides the analyses whose change makes a stored value stale (the report's, say)."""

        def load() -> T:
            from rreview.analyze.cache import MISSING
            from rreview.log.parse_cache import paused_gc

            cache = self.analyses()
            stored = cache.read(name, code)
            if stored is not MISSING:
                try:
                    with paused_gc():  # many objects made at once: 4x faster without the collector
                        return decode(stored)
                except Exception:  # written for other facts, or damaged: compute again
                    pass
            value = make()
            try:
                plain = encode(value)
            except (KeyError, TypeError):  # made of other facts than this session's: not kept
                return value
            cache.write(name, plain, code)
            return value

        return self.remember(("persisted", name), load)

    def vocabulary(self) -> Vocabulary:
        """IDF of every stem over every item of the log (`analyze.terms.vocabulary`), kept on
        disk per state, and per entry for the next state (`analyze.cache.log_vocabulary`)."""
        from rreview.analyze.cache import log_vocabulary

        return self.persist(
            "vocabulary", lambda: log_vocabulary(self.snapshot, self.analyses().folder)
        )

    def analyses(self) -> AnalysisCache:
        """The analyses' results on disk for this state of the log, beside its corpus."""
        if self._analyses is None:
            from rreview.analyze.cache import FOLDER, AnalysisCache
            from rreview.retrieve.corpus import corpus_state

            self._analyses = AnalysisCache(self.state / FOLDER, corpus_state(self.snapshot))
        return self._analyses

    def close(self) -> None:
        """Release the corpus and any server connection."""
        if self._retriever is not None:
            self._retriever.close()
            self._retriever = None


_current: list[Session] = []


def session_for(
    root: Path,
    fmt: str,
    index: Path,
    state: Path,
    store: StoreSettings,
    read: Callable[[], LogSnapshot],
    embedder: Embedder | None = None,
) -> tuple[Session, bool]:
    """The session of the log at `root`: the one kept from the last question if the log and
    its index are unchanged since, else a new one from `read()` (which reads the log and
    brings the index up to date). Also says whether it was kept."""
    key = (str(root), fmt, str(index), store)
    quick = quick_stamp(root, state)
    kept = _current[0] if _current and _current[0].key == key else None
    if kept is not None and kept.quick != quick:
        if kept.signature == index_signature(root, fmt, state, None):
            kept.quick = quick  # something changed that the log's reading does not see
        else:
            kept = None
    if kept is not None:
        if embedder is not None:
            kept.embedder = embedder
        return kept, True
    forget()
    snapshot = read()
    signature = index_signature(root, fmt, state, snapshot)
    session = Session(key, signature, snapshot, index, state, store, embedder)
    session.quick = quick_stamp(root, state)
    _current.append(session)
    return session, False


def forget() -> None:
    """Drop the kept session (closing its corpus)."""
    while _current:
        _current.pop().close()


def index_signature(root: Path, fmt: str, state: Path, snapshot: LogSnapshot | None) -> Signature:
    """What says "nothing changed": the log's signature (`log.detect.log_signature`: stat
    calls only; the one the snapshot was read with, when given) and the inode of the index's
    facts database (a deleted or rebuilt index; an edit shows in the log's files first)."""
    from rreview.log.detect import log_signature

    log = snapshot.signature if snapshot is not None else log_signature(root, fmt)
    try:
        database = os.stat(state / "facts.sqlite").st_ino
    except OSError:
        database = -1
    return (log, database)


def quick_stamp(root: Path, state: Path) -> Any:
    """Path, size, times and inode of everything under `root` (hidden files too), whether
    the folder marks readers look for sit above it, and the index database's inode: one
    `os.scandir` walk (~25 ms at ten years, a third of `log_signature`, which reads a subset
    of these). Equal stamps: the kept session is current; different ones: ask
    `log_signature`, which decides."""
    marks = []
    for folder in [root, *root.parents][:7]:
        marks += [(folder / ".obsidian").exists(), (folder / "logseq" / "config.edn").exists()]
    tree = _walk(str(root)) if root.is_dir() else [_stat(str(root))]
    return (tuple(marks), _stat(str(state / "facts.sqlite"))[4], tuple(tree))


def _stat(path: str) -> tuple[str, int, int, int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (path, -1, -1, -1, -1)
    return (path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def _walk(folder: str) -> list[tuple[str, int, int, int, int]]:
    out: list[tuple[str, int, int, int, int]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return out
    for entry in entries:
        if entry.is_dir(follow_symlinks=True):
            out.append((entry.path, 0, 0, 0, entry.inode()))
            out += _walk(entry.path)
            continue
        try:
            stat = entry.stat()
        except OSError:
            continue
        out.append((entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino))
    return out
