"""The retrieval corpus of one log, kept on disk beside its index, so that a question costs a
few lookups instead of re-reading, re-tokenizing and re-indexing ten years of items.

It lives in `<index>/retrieval/<state>/`, where `state` is a digest of what the index holds
(each entry's key, content hash and first line, and the code that reads them):

- `items.sqlite`: one row per item in log order: id, date, section, depth, text, file, line,
  the bullet it sits under, the bullets nested under it, and its lower-cased text and code for
  exact-string search. Read only for the few items an answer shows.
- `days.npy`, `flags.npy`: each item's day and whether it is a planned to-do or a top-level
  item, so a date filter is one numpy comparison.
- `bm25-*.npy`, `bm25-vocab.json`: the word index (`retrieve/lexical.py`).
- `vectors.npy`: a copy of the item vectors of the embedded Chroma store, row for row, searched
  exactly with one matrix product: a question never imports chromadb (~1.5 s) or opens it.
  In team mode the vectors stay on the server and are asked there.

The first `ask` after the index changed builds it (under a lock; vectors of items whose text
did not change are copied from the previous build, the rest read from Chroma); later ones
memory-map it. Deleting the folder only means the next `ask` builds it again.

A full build costs ~10 s at ten years (tokenizing and indexing 70,000 items), too much for
the question that follows a day's `rreview add`. So when a full build exists and the entries
added, edited or moved since hold at most `OVERLAY_MAX_ITEMS` items, the new state is an
overlay instead: those entries' items in a small layer of their own (same files, positions
after the full build's), and the full build's rows of the entries they replace marked dead.
Its words are scored with the full build's statistics (document count, mean length, each
token's document frequency), so an item scores as it would in a full build up to the shift
those few items make to the statistics. Past the limit the next state is built in full.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rreview.retrieve.lexical import LexicalIndex

if TYPE_CHECKING:
    import numpy as np

    from rreview.config import StoreSettings
    from rreview.extract.facts import ItemFacts
    from rreview.retrieve.hybrid import Indexed
    from rreview.store.sync import LogSnapshot

CORPUS_VERSION = 2  # bump when what is stored (or how it is tokenized) changes
FOLDER = "retrieval"
PLAN, TOP = 1, 2  # bits of flags.npy
FETCH_BATCH = 4096  # vectors read from Chroma per call
REUSE_LOOKUPS = 5000  # items looked up one by one in the previous corpus (more: read it all)
EMBED_AT_MOST = 256  # missing vectors embedded (ONNX, as the index did) rather than read
COLUMNS = "pos, id, day, section, depth, text, file, line, context, details, mention"
OVERLAY_MAX_ITEMS = 2000  # items of changed entries kept in an overlay before a full build
ENTRIES, META, BASE, DEAD, TOKENS = "entries.json", "meta.json", "base", "dead.npy", "tokens.json"


@dataclass(frozen=True)
class CorpusItem:
    """One item as an answer shows it: where it is, its words, what it sits under."""

    pos: int
    id: str
    date: date
    section: str
    depth: int
    text: str
    file: str
    line: int
    context: str | None  # the parent bullet of a nested item
    details: tuple[str, ...]  # the bullets nested under it
    mention: str  # how an analysis table names it: its task words, else its text


def corpus_state(snapshot: LogSnapshot) -> str:
    """What the index holds for `snapshot`, as a digest: equal digests, equal corpora.
    Made of the entries' heads: no entry is built for it."""
    from rreview.store.sync import _code_stamp  # the facts cache's key of the reading code

    # the root too: items keep their file's full path, and an index may be copied to a log
    # elsewhere (the entry keys are relative)
    digest = hashlib.sha256(f"{CORPUS_VERSION}|{_code_stamp()}|{snapshot.root}".encode())
    for key, head in snapshot.heads.items():  # no entry is built for this
        digest.update(f"\n{key}\t{head.content_hash}\t{head.line}".encode())
    return digest.hexdigest()[:24]


class Corpus:
    """A built corpus, opened read-only: arrays memory-mapped, rows fetched when asked for."""

    def __init__(self, folder: Path) -> None:
        import numpy as np

        self.folder = folder
        self.days = np.load(folder / "days.npy")
        flags = np.load(folder / "flags.npy")
        self.plan = (flags & PLAN) != 0
        self.top = (flags & TOP) != 0
        self.size = len(self.days)
        if not (folder / BASE).exists():  # an overlay scores words with its full build's
            self.lexical = LexicalIndex.load(folder, self.size)
        vectors = folder / "vectors.npy"
        self.vectors = np.load(vectors, mmap_mode="r") if vectors.exists() else None
        uri = f"file:{folder / 'items.sqlite'}?mode=ro&immutable=1"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.alive: np.ndarray | None = None  # rows a search may return (None: every row)

    def close(self) -> None:
        """Release the database (the memory maps go with the arrays)."""
        self.db.close()

    def _query(self, sql: str, args: Sequence[Any]) -> list[Any]:
        """The rows of `sql` (an overlay adds its own layer's; `pos` comes first)."""
        return list(self.db.execute(sql, args))

    def _where_in(self, select: str, column: str, values: Sequence[Any]) -> list[Any]:
        """Rows of `select ... where <column> in (values)`, asked 500 values at a time."""
        rows: list[Any] = []
        for start in range(0, len(values), 500):
            batch = list(values[start : start + 500])
            marks = ", ".join("?" * len(batch))
            rows += self._query(f"{select} and {column} in ({marks})", batch)
        return rows

    def items(self, positions: Sequence[int]) -> list[CorpusItem]:
        """The items at `positions`, in that order."""
        wanted = list(dict.fromkeys(int(p) for p in positions))
        rows = self._where_in(f"select {COLUMNS} from items where 1", "pos", wanted)
        found = {row[0]: _item(row) for row in rows}
        return [found[int(p)] for p in positions]

    def texts(self, positions: Sequence[int]) -> list[str]:
        """The texts of the items at `positions`, in that order."""
        wanted = list(dict.fromkeys(int(p) for p in positions))
        by_pos = dict(self._where_in("select pos, text from items where 1", "pos", wanted))
        return [by_pos[int(p)] for p in positions]

    def words(self, position: int) -> str:
        """The lower-cased text and code of one item (what the word index read)."""
        rows = self._query("select pos, low from items where pos = ?", (int(position),))
        return str(rows[0][1]) if rows else ""

    def containing(self, strings: Sequence[str], first: int, last: int) -> dict[int, list[str]]:
        """Position -> which of `strings` the item's text or code contains (any case), for
        items dated from day ordinal `first` to `last`."""
        out: dict[int, list[str]] = {}
        for text in strings:
            sql = "select pos from items where day between ? and ? and instr(low, ?) > 0"
            for (pos,) in self._query(sql, (first, last, text.lower())):
                out.setdefault(pos, []).append(text)
        return out

    def listing(self, first: int, last: int, k: int) -> list[CorpusItem]:
        """The first `k` top-level items from day `first` to `last` that are not planned
        to-dos, in log order."""
        rows = self.db.execute(
            f"select {COLUMNS} from items where day between ? and ? and depth = 0 "
            "and section != 'plan' order by pos limit ?",
            (first, last, k),
        )
        return [_item(row) for row in rows]

    def top_level_mentions(self, days: Sequence[date]) -> list[tuple[int, date, str]]:
        """(position, date, how a table names it) of the top-level items dated on any of
        `days`, in log order: only what deciding whether a table cites an item needs."""
        ordinals = sorted({d.toordinal() for d in days})
        select = "select pos, day, mention from items where depth = 0"
        rows = self._where_in(select, "day", ordinals)
        return sorted((pos, date.fromordinal(day), mention) for pos, day, mention in rows)

    def positions(self, ids: Sequence[str]) -> dict[str, int]:
        """Item id -> position, for the ids the corpus has (an overlay's rows win)."""
        rows = self._where_in("select pos, id from items where 1", "id", ids)
        return {item_id: pos for pos, item_id in rows}


class _Stacked:
    """Two matrices seen as one, the second's rows after the first's: what the searches and
    the analyses do with the vectors (`len`, `@`, a row) without copying the large one."""

    def __init__(self, first: Any, second: Any) -> None:
        self.first, self.second = first, second

    def __len__(self) -> int:
        return len(self.first) + len(self.second)

    def __matmul__(self, other: Any) -> Any:
        import numpy as np

        return np.concatenate([self.first @ other, self.second @ other])

    def __getitem__(self, row: int) -> Any:
        size = len(self.first)
        return self.first[row] if row < size else self.second[row - size]

    def take(self, rows: Any) -> Any:
        """The rows at the positions `rows` (a numpy array), as one float32 array."""
        import numpy as np

        size = len(self.first)
        out = np.empty((len(rows), self.first.shape[1]), dtype=np.float32)
        low = rows < size
        out[low] = self.first[rows[low]]
        out[~low] = self.second[rows[~low] - size]
        return out


def take_rows(vectors: Any, positions: Sequence[int]) -> np.ndarray:
    """The rows of a corpus' vectors (an array, memory-mapped, or a `_Stacked` pair) at
    `positions`, copied out in one read."""
    import numpy as np

    rows = np.asarray(positions, dtype=np.int64)
    if isinstance(vectors, _Stacked):
        return np.asarray(vectors.take(rows))
    return np.asarray(vectors[rows], dtype=np.float32)


class _LayeredWords:
    """The word index of an overlay: the full build's BM25 columns (dead rows scored 0) and
    the layer's items scored with the full build's statistics, the way bm25s scores (Lucene
    idf, Robertson term frequency, k1 1.5, b 0.75)."""

    K1, B = 1.5, 0.75

    def __init__(self, base: LexicalIndex, dead: Any, tokens: list[list[str]], avgdl: float):
        from collections import Counter

        self.base, self.dead, self.avgdl = base, dead, avgdl
        self.counts = [Counter(doc) for doc in tokens]
        self.lengths = [len(doc) for doc in tokens]
        self.layer_freq = Counter(t for doc in self.counts for t in doc)
        self.size = base.size + len(tokens)

    def __contains__(self, token: str) -> bool:
        return token in self.base or token in self.layer_freq

    def doc_freq(self, token: str) -> int:
        """Documents containing `token`, in the full build and in the layer."""
        return self.base.doc_freq(token) + self.layer_freq.get(token, 0)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query `tokens` (dead rows 0)."""
        import math

        import numpy as np

        known = [t for t in tokens if t in self.base]
        head = self.base.scores(known) if known else np.zeros(self.base.size, dtype=np.float32)
        head[self.dead] = 0.0
        tail = np.zeros(len(self.counts), dtype=np.float32)
        documents = self.base.size
        for token in tokens:
            df = self.doc_freq(token)
            if not df:
                continue
            idf = math.log(1 + (documents - df + 0.5) / (df + 0.5))
            for n, counts in enumerate(self.counts):
                tf = counts.get(token, 0)
                if tf:
                    norm = self.K1 * (1 - self.B + self.B * self.lengths[n] / self.avgdl)
                    tail[n] += idf * tf / (tf + norm)
        return np.concatenate([head, tail])


class LayeredCorpus(Corpus):
    """A full build with an overlay: the full build's rows, less those of the entries the
    overlay replaces (dead), then the overlay's rows. Same questions, same answers as a
    corpus built in full from the same state (up to the word statistics, see the module)."""

    def __init__(self, folder: Path, base: Corpus) -> None:
        import numpy as np

        super().__init__(folder)
        self.layer_db, self.db = self.db, base.db
        self.base = base
        dead = np.load(folder / DEAD)
        self.dead_rows = {int(n) for n in dead}
        tokens = json.loads((folder / TOKENS).read_text(encoding="utf-8"))
        avgdl = float(json.loads((base.folder / META).read_text(encoding="utf-8"))["avgdl"])
        layer_days = self.days
        self.days = np.concatenate([base.days, layer_days])
        self.days[dead] = 0  # outside every window
        self.plan = np.concatenate([base.plan, self.plan])
        self.top = np.concatenate([base.top, self.top])
        self.size = base.size + len(layer_days)
        self.alive = np.ones(self.size, dtype=bool)
        self.alive[dead] = False
        self.lexical = _LayeredWords(base.lexical, dead, tokens, avgdl)  # type: ignore[assignment]
        if base.vectors is not None and self.vectors is not None:
            self.vectors = _Stacked(base.vectors, self.vectors)
        else:
            self.vectors = None

    def close(self) -> None:
        self.layer_db.close()
        self.base.close()

    def _query(self, sql: str, args: Sequence[Any]) -> list[Any]:
        """Rows of both layers (the full build's dead rows left out); `pos` comes first."""
        rows = [r for r in self.db.execute(sql, args) if r[0] not in self.dead_rows]
        return rows + list(self.layer_db.execute(sql, args))

    def listing(self, first: int, last: int, k: int) -> list[CorpusItem]:
        sql = (
            f"select {COLUMNS} from items where day between ? and ? and depth = 0 "
            "and section != 'plan' order by pos"
        )
        rows = sorted(self._query(sql, (first, last)), key=lambda row: (row[2], row[0]))
        return [_item(row) for row in rows[:k]]


def load_corpus(folder: Path) -> Corpus:
    """The corpus built in `folder`: a full build, or an overlay on one."""
    base = folder / BASE
    if base.exists():
        return LayeredCorpus(folder, Corpus(folder.parent / base.read_text().strip()))
    return Corpus(folder)


class CorpusVectors:
    """Item vectors for the analyses (bug families), read from the corpus' copy of the index
    instead of Chroma; an item the corpus lacks (or holds with other text) is embedded.
    Has `matrix` (float32 rows), which the analyses prefer to lists of floats."""

    def __init__(self, corpus: Corpus, ids: Mapping[str, str]) -> None:
        self._corpus = corpus
        self._ids = ids  # Item.key -> item id
        self._cache: dict[str, Any] = {}  # Item.key -> float32 row

    def vectors(self, items: Sequence[ItemFacts]) -> list[list[float]]:
        """One unit vector per item, in order."""
        return [[float(x) for x in row] for row in self.matrix(items)]

    def matrix(self, items: Sequence[ItemFacts]) -> np.ndarray:
        """The vectors of `items` as one float32 array, a row per item."""
        import numpy as np

        from rreview.store.embed import DIMENSIONS

        wanted = [f for f in items if f.item.key not in self._cache]
        if wanted:
            self._load(wanted)
        if not items:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._cache[f.item.key] for f in items]).astype(np.float32, copy=False)

    def _load(self, items: Sequence[ItemFacts]) -> None:
        vectors = self._corpus.vectors
        ids = [self._ids[f.item.key] for f in items if f.item.key in self._ids]
        found = self._corpus.positions(ids) if vectors is not None else {}
        texts = dict(zip(found.values(), self._corpus.texts(list(found.values())), strict=True))
        kept: list[tuple[str, int]] = []
        missing = []
        for f in items:
            pos = found.get(self._ids.get(f.item.key, ""))
            if pos is not None and texts[pos] == f.item.text:
                kept.append((f.item.key, pos))
            else:
                missing.append(f)
        if kept and vectors is not None:  # one gathering read, not a memory-map row per item
            rows = take_rows(vectors, [pos for _, pos in kept])
            self._cache.update((key, row) for (key, _), row in zip(kept, rows, strict=True))
        if missing:
            from rreview.store.embed import Embedder

            rows = Embedder().encode_array([f.item.text for f in missing])
            self._cache.update((f.item.key, row) for f, row in zip(missing, rows, strict=True))


def _item(row: Sequence[Any]) -> CorpusItem:
    pos, item_id, day, section, depth, text, file, line, context, details, mention = row
    return CorpusItem(
        pos=pos,
        id=item_id,
        date=date.fromordinal(day),
        section=section,
        depth=depth,
        text=text,
        file=file,
        line=line,
        context=context,
        details=tuple(json.loads(details)),
        mention=mention,
    )


def corpus_home(state_folder: Path) -> Path:
    """Where the corpora of one index live (the index folder, or its team-mode state folder)."""
    return state_folder / FOLDER


def open_corpus(
    snapshot: LogSnapshot,
    state_folder: Path,
    index: Path,
    store: StoreSettings | None = None,
) -> Corpus:
    """The corpus of `snapshot` (whose index is up to date in `state_folder`), built first if
    this state of the log has none yet. `index` is the index folder (its embedded Chroma store
    gives the vectors; in team mode, `store` keeps them and none are copied)."""
    from filelock import FileLock

    home = corpus_home(state_folder)
    target = home / corpus_state(snapshot)
    if (target / "done").exists():
        return load_corpus(target)
    home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(home / "build.lock")):
        if not (target / "done").exists():  # another process may have built it meanwhile
            base = _full_build(target)
            plan = _overlay_plan(snapshot, base) if base is not None else None
            if base is not None and plan is not None:
                _build_overlay(snapshot, target, base, plan, index, store)
            else:
                _build(snapshot, target, index, store)
    return load_corpus(target)


def _full_build(target: Path) -> Path | None:
    """The most recent full build beside `target`, which an overlay can rest on."""
    built = [
        p
        for p in target.parent.iterdir()
        if p != target and (p / "done").exists() and (p / META).exists()
    ]
    return max(built, key=lambda p: p.stat().st_mtime) if built else None


def _overlay_plan(snapshot: LogSnapshot, base: Path) -> tuple[list[str], list[int]] | None:
    """The entries an overlay on `base` holds (new, edited or moved since it was built) and
    the full build's rows they replace or that were removed; None when they are too many."""
    from rreview.store.sync import _changed_facts

    try:
        spans = json.loads((base / ENTRIES).read_text(encoding="utf-8"))
        meta = json.loads((base / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("root") != str(snapshot.root):  # items keep their files' full paths
        return None
    heads = snapshot.heads
    keys = [
        k for k, h in heads.items() if spans.get(k, [None, None])[:2] != [h.content_hash, h.line]
    ]
    if len(keys) > OVERLAY_MAX_ITEMS // 4:  # many entries: do not even extract them
        return None
    if sum(len(_changed_facts(snapshot, k)) for k in keys) > OVERLAY_MAX_ITEMS:
        return None
    replaced = set(keys)
    dead = [
        n
        for key, (_, _, start, count) in spans.items()
        if key in replaced or key not in heads
        for n in range(start, start + count)
    ]
    return keys, dead


def _build_overlay(
    snapshot: LogSnapshot,
    target: Path,
    base: Path,
    plan: tuple[list[str], list[int]],
    index: Path,
    store: StoreSettings | None,
) -> None:
    """Write an overlay on the full build `base` into `target`: the items of the entries in
    `plan`, after the full build's rows, and which of its rows are dead."""
    import numpy as np

    from rreview.retrieve.hybrid import indexed_items
    from rreview.store.sync import _changed_facts

    keys, dead = plan
    start = Corpus(base)
    size = start.size
    start.close()
    items = indexed_items({key: _changed_facts(snapshot, key) for key in keys})
    with _staged(target) as temporary:
        _write_items(temporary, items, first=size)
        tokens = [_tokens(item) for item in items]
        (temporary / TOKENS).write_text(json.dumps(tokens), encoding="utf-8")
        np.save(temporary / DEAD, np.array(dead, dtype=np.int64))
        (temporary / BASE).write_text(base.name, encoding="utf-8")
        if store is None or not store.remote:
            _write_vectors(temporary, items, index, store, _previous(target))
    _remove_others(target, keep=base)


def _build(snapshot: LogSnapshot, target: Path, index: Path, store: StoreSettings | None) -> None:
    """Write the corpus of `snapshot` into `target` (through a temporary folder), then remove
    the corpora of earlier states. Vectors are copied from the embedded store only."""
    from rreview.retrieve.hybrid import indexed_items

    items = indexed_items(snapshot.facts_by_entry)
    with _staged(target) as temporary:
        _write_items(temporary, items)
        tokens = [_tokens(item) for item in items]
        LexicalIndex.build(tokens).save(temporary)
        _write_spans(temporary, snapshot, tokens)
        if store is None or not store.remote:
            _write_vectors(temporary, items, index, store, _previous(target))
    _remove_others(target)


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target` to write a corpus into: marked done and renamed
    to `target` when the block ends, removed if it fails (a reader never sees half of one)."""
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    try:
        yield temporary
        (temporary / "done").touch()
        os.replace(temporary, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _write_spans(folder: Path, snapshot: LogSnapshot, tokens: Sequence[Sequence[str]]) -> None:
    """What an overlay needs of a full build: each entry's hash, line and rows, and the mean
    number of tokens of an item (BM25's length normalisation)."""
    spans: dict[str, list[Any]] = {}
    row = 0
    for key, facts in snapshot.facts_by_entry.items():  # the order `indexed_items` used
        head = snapshot.heads[key]
        spans[key] = [head.content_hash, head.line, row, len(facts)]
        row += len(facts)
    (folder / ENTRIES).write_text(json.dumps(spans), encoding="utf-8")
    avgdl = sum(len(t) for t in tokens) / len(tokens) if tokens else 1.0
    meta = {"avgdl": avgdl, "size": row, "root": str(snapshot.root)}
    (folder / META).write_text(json.dumps(meta), encoding="utf-8")


def _remove_others(target: Path, keep: Path | None = None) -> None:
    """Remove the corpora of earlier states (open maps of another process survive this)."""
    for old in target.parent.iterdir():
        if old.is_dir() and old not in (target, keep) and not old.name.endswith(".tmp"):
            shutil.rmtree(old, ignore_errors=True)


def _words(item: Indexed) -> str:
    facts = item.facts
    return f"{facts.item.text}\n{facts.item.code}" if facts.item.code else facts.item.text


def _tokens(item: Indexed) -> list[str]:
    from rreview.retrieve.hybrid import tokenize

    return tokenize(_words(item)) or ["<empty>"]


def _write_items(folder: Path, items: Sequence[Indexed], first: int = 0) -> None:
    """The item table and the day and flag arrays; rows numbered from `first`."""
    import numpy as np

    db = sqlite3.connect(folder / "items.sqlite")
    try:
        db.execute(
            """create table items (pos integer primary key, id text not null, day integer not
            null, section text not null, depth integer not null, text text not null, file text
            not null, line integer not null, context text, details text not null, mention text
            not null, low text not null)"""
        )
        with db:
            db.executemany(
                "insert into items values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_row(pos, item) for pos, item in enumerate(items, start=first)),
            )
        db.execute("create index items_id on items(id)")
        db.execute("create index items_day on items(day)")
        db.commit()
    finally:
        db.close()
    days = np.array([item.facts.item.date.toordinal() for item in items], dtype=np.int32)
    flags = np.array(
        [
            (PLAN if item.facts.item.section.value == "plan" else 0)
            | (TOP if item.facts.item.depth == 0 else 0)
            for item in items
        ],
        dtype=np.uint8,
    )
    np.save(folder / "days.npy", days)
    np.save(folder / "flags.npy", flags)


def _row(pos: int, item: Indexed) -> tuple[Any, ...]:
    it = item.facts.item
    return (
        pos,
        item.id,
        it.date.toordinal(),
        it.section.value,
        it.depth,
        it.text,
        it.file,
        it.line,
        item.context,
        json.dumps(list(item.children)),
        item.facts.task or it.text,
        _words(item).lower(),
    )


def _previous(target: Path) -> Corpus | None:
    """The most recent other corpus of this index, whose vectors can be reused."""
    built = [p for p in target.parent.iterdir() if p != target and (p / "vectors.npy").exists()]
    for folder in sorted(built, key=lambda p: p.stat().st_mtime, reverse=True):
        with contextlib.suppress(Exception):  # cut short or of another version: ignore it
            return load_corpus(folder)
    return None


def _write_vectors(
    folder: Path,
    items: Sequence[Indexed],
    index: Path,
    store: StoreSettings | None,
    previous: Corpus | None,
) -> None:
    """Copy each item's vector: from the previous corpus where its id and text are the same,
    or from the index's journal (a day the index run just embedded); the others from the
    embedded Chroma store when there are many (missing or stale there: embedded now), or
    embedded now when they are a day or two, by the same ONNX model the index used for them
    (importing chromadb alone costs more than embedding a day)."""
    import numpy as np

    from rreview.store.embed import DIMENSIONS

    vectors = np.zeros((len(items), DIMENSIONS), dtype=np.float32)
    wanted = {item.id: pos for pos, item in enumerate(items)}
    texts = {item.id: item.facts.item.text for item in items}
    if previous is not None and previous.vectors is not None:
        reused = _reusable(previous, texts)
        if reused:
            rows = [wanted.pop(item_id) for item_id in reused]
            vectors[rows] = take_rows(previous.vectors, list(reused.values()))
        previous.close()
    if wanted:  # a day the index run just embedded: its vectors wait in the journal
        from rreview.store.journal import waiting_vectors

        for item_id, (vector, text) in waiting_vectors(index, list(wanted)).items():
            if text == texts[item_id]:
                vectors[wanted.pop(item_id)] = vector
    if len(wanted) > EMBED_AT_MOST:  # a first build: read them (a day or two: embed them)
        for item_id, vector in _stored_vectors(index, store, list(wanted), texts):
            vectors[wanted.pop(item_id)] = vector
    if wanted:
        from rreview.store.embed import Embedder

        missing = list(wanted)
        rows = Embedder().encode_array([texts[i] for i in missing])
        for item_id, row in zip(missing, rows, strict=True):
            vectors[wanted[item_id]] = row
    np.save(folder / "vectors.npy", vectors)


def _reusable(previous: Corpus, texts: dict[str, str]) -> dict[str, int]:
    """Id -> position in `previous` of the items whose text is unchanged there: looked up by
    id for an overlay's few items, read in one pass for a full build's."""
    select = "select pos, id, text from items where 1"
    if len(texts) > REUSE_LOOKUPS:
        rows = previous._query(select, ())
    else:
        rows = previous._where_in(select, "id", list(texts))
    return {item_id: pos for pos, item_id, text in rows if texts.get(item_id) == text}


def _stored_vectors(
    index: Path, store: StoreSettings | None, ids: list[str], texts: dict[str, str]
) -> Iterator[tuple[str, np.ndarray]]:
    """The vectors Chroma holds for `ids`, where it holds them for the same text."""
    import numpy as np

    from rreview.store.vectors import has_vectors, open_vectors

    if not has_vectors(index):
        return
    with open_vectors(index, store) as vectors:
        for start in range(0, len(ids), FETCH_BATCH):
            batch = ids[start : start + FETCH_BATCH]
            got = vectors.collection.get(ids=batch, include=["embeddings", "documents"])
            embeddings = got.get("embeddings")
            if embeddings is None:
                continue
            documents = got.get("documents") or [None] * len(got["ids"])
            rows = np.asarray(embeddings, dtype=np.float32)
            for item_id, row, text in zip(got["ids"], rows, documents, strict=True):
                if text is None or text == texts[item_id]:
                    yield item_id, row
