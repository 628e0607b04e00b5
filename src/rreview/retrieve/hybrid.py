"""Hybrid retrieval: dense vectors (Chroma) and BM25 (bm25s) fused by reciprocal rank,
with exact strings (a run id, an error message) put first and the question's dates as a filter.

Why three signals: the embedding finds "the loader hung" for "job got stuck", BM25 finds
rare words the embedding blurs ("h5py", "rDPO"), and a verbatim match of what the user
typed ("run-0467", "Bus error") is the strongest evidence there is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rreview.extract.facts import ItemFacts
from rreview.retrieve.when import DateRange

if TYPE_CHECKING:
    from rreview.config import StoreSettings
    from rreview.retrieve.corpus import Corpus, CorpusItem
    from rreview.store.embed import Embedder
    from rreview.store.vectors import VectorStore

RRF_K = 60  # the usual reciprocal-rank-fusion constant
DENSE_POOL = 100  # dense candidates fused at least (a quarter of the window if more)
SERVER_POOL = 500  # at most this many from a Chroma server (each travels over the network)
MIN_DENSE = 0.38  # cosine under which an item is not about the question on meaning alone
PLAN_WEIGHT = 0.6  # fused-score weight of planned to-dos against what was done
MIN_SHARED = 0.5  # share of the question's rare words an item must contain to count on words

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be been before being
    between both but by can could did do does doing done during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our out over own
    same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your yours log logged ever anything something thing
    things get got tell show find give list""".split()  # noqa: SIM905
)
GENERIC = frozenset(
    {"happen", "happened", "happening", "work", "worked", "working", "week", "weeks", "day"}
    | {"days", "month", "today", "yesterday", "do", "did", "done", "up", "going", "on", "new"}
)
TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-_./:][a-z0-9]+)*")
NAME_RE = re.compile(r"\b[A-Z][\w-]*[A-Za-z0-9]")  # capitalised words: names, tools
QUOTED_RE = re.compile(r"[\"“`']([^\"”`']{3,})[\"”`']")
IDENTIFIER_RE = re.compile(
    r"(?<![\w-])(?=[\w./:-]*[0-9_./:-])(?=[\w./:-]*[A-Za-z])[\w./:-]*\w"
    r"|\b\w+[A-Z]\w*\b"  # a capital inside a word: OSError, DataLoader, rDPO, AUROC, NaN
)


@dataclass(frozen=True)
class Evidence:
    """One retrieved item, with where it is and how well it matched."""

    id: str
    date: date
    text: str
    file: str
    line: int
    score: float  # fused, 0..1: 1.0 is first for both searches (or an exact match)
    section: str
    context: str | None = None  # the parent bullet of a nested item
    dense: float | None = None  # cosine similarity, when the item was a dense candidate
    lexical: float = 0.0  # BM25 score
    exact: tuple[str, ...] = ()  # the question's exact strings this item contains
    relevant: bool = True  # passes the relevance bar (meaning, words or an exact string)
    details: tuple[str, ...] = ()  # the nested bullets under this item (often the fix)

    def to_json(self) -> dict[str, Any]:
        """The documented evidence shape (date, text, file, line, score) plus details."""
        out: dict[str, Any] = {
            "date": self.date.isoformat(),
            "text": self.text,
            "file": self.file,
            "line": self.line,
            "score": round(self.score, 4),
            "section": self.section,
        }
        if self.context:
            out["context"] = self.context
        if self.exact:
            out["exact"] = list(self.exact)
        return out


SEPARATOR_RE = re.compile(r"[-_./:]")


def stem(token: str) -> str:
    """A light stemmer: hangs/hanging/hanged -> hang, flips -> flip."""
    if len(token) <= 4 or any(c.isdigit() for c in token):
        return token
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


@functools.lru_cache(maxsize=1 << 16)
def _word(token: str) -> tuple[str, ...]:
    """The index words of one token: itself whole if a compound, then its stemmed parts
    (kept per token: ten years of log repeat a few tens of thousands of words)."""
    parts = SEPARATOR_RE.split(token)
    whole = (token,) if len(parts) > 1 else ()
    return whole + tuple(stem(p) for p in parts if p and p not in STOPWORDS)


def tokenize(text: str) -> list[str]:
    """Lower-cased words; a compound like `run-0467` is kept whole and split into parts."""
    out: list[str] = []
    for token in TOKEN_RE.findall(text.lower()):
        out += _word(token)
    return out


def is_open_question(query: str) -> bool:
    """True when the question names nothing to search for ("what did I do last week?"):
    every word is a stopword or generic, so the answer is what the date range holds."""
    return not [t for t in tokenize(query) if t not in GENERIC]


def exact_strings(question: str) -> list[str]:
    """What the user typed to be found verbatim: quoted text, run ids, error names."""
    found = [m.group(1).strip() for m in QUOTED_RE.finditer(question)]
    found += [m.group(0) for m in IDENTIFIER_RE.finditer(question)]
    seen: dict[str, None] = {}
    for text in found:
        if len(text) >= 3:
            seen.setdefault(text, None)
    return list(seen)


@dataclass(frozen=True)
class Indexed:
    """An item as the retriever knows it: its index id, facts and parent text."""

    id: str
    facts: ItemFacts
    context: str | None
    children: tuple[str, ...] = ()


def indexed_items(facts_by_entry: Mapping[str, Sequence[ItemFacts]]) -> list[Indexed]:
    """Every item of the log with the id the index gave it (`entry#n`) and its parent."""
    out: list[Indexed] = []
    for key, facts in facts_by_entry.items():
        by_line = {f.item.line: f.item.text for f in facts}
        children: dict[int, list[str]] = {}
        for f in facts:
            if f.item.parent_line:
                children.setdefault(f.item.parent_line, []).append(f.item.text)
        for index, f in enumerate(facts):
            parent = by_line.get(f.item.parent_line) if f.item.parent_line else None
            kids = tuple(children.get(f.item.line, ()))
            out.append(Indexed(f"{key}#{index}", f, parent, kids))
    return out


class HybridRetriever:
    """Dense + lexical + exact search over the items of one log's corpus.

    Every part of a question is a lookup in arrays built beforehand (`retrieve/corpus.py`):
    the word scores are a sum of BM25 columns, the dense scores one matrix product with the
    copied vectors (or one query to the team's Chroma server), the exact strings one scan of
    the stored texts; only the items shown are read from the corpus database.
    """

    def __init__(
        self,
        corpus: Corpus,
        embedder: Embedder | None = None,
        index: Path | None = None,
        store: StoreSettings | None = None,
    ) -> None:
        self.corpus = corpus
        self.embedder = embedder
        self.index = index  # the index folder: its team-mode store is asked for vectors
        self.store = store if store is not None and store.remote else None
        self._server: VectorStore | None = None

    def vectors_source(self) -> str:
        """Where the dense search looks, for `-v`."""
        if self.store is not None:
            from rreview.store.vectors import collection_name

            return f"{self.store.url} (collection {collection_name(self.store)})"
        return "the local copy of the index" if self.corpus.vectors is not None else "none"

    def close(self) -> None:
        """Release the corpus and the server connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        self.corpus.close()

    def search(
        self,
        query: str,
        k: int = 8,
        window: DateRange | None = None,
        exact: Sequence[str] = (),
    ) -> list[Evidence]:
        """The `k` best items for `query` inside `window`, best first."""
        import numpy as np

        corpus = self.corpus
        first, last = _days(window)
        allowed = (corpus.days >= first) & (corpus.days <= last) if window else corpus.alive
        count = int(allowed.sum()) if allowed is not None else corpus.size
        if not count:
            return []
        lexical, lexical_scores = self._lexical(query, allowed)
        dense, dense_scores = self._dense(query, window, allowed, count)
        matched = corpus.containing(exact, first, last) if exact else {}
        fused = np.zeros(corpus.size, dtype=np.float64)
        hit_counts = np.zeros(corpus.size, dtype=np.int64)
        candidate = np.zeros(corpus.size, dtype=bool)
        for ranking in (lexical, dense):
            fused[ranking] += 1.0 / (RRF_K + np.arange(1, len(ranking) + 1))
            candidate[ranking] = True
        for n, strings in matched.items():
            candidate[n] = True
            hit_counts[n] = len(strings)
        fused[corpus.plan] *= PLAN_WEIGHT  # a to-do repeats the task's words every day it is open
        positions = np.flatnonzero(candidate)
        order = positions[np.lexsort((positions, -fused[positions], -hit_counts[positions]))]
        best = 2.0 / (RRF_K + 1)
        shared = self._shared(query)
        unknown = self.unknown_names(query, exact)
        named = self.known_names(query)
        out = []
        for item in _once_per_text(order, corpus, k):
            n = item.pos
            cosine = None if np.isnan(dense_scores[n]) else float(dense_scores[n])
            hits = tuple(matched.get(n, ()))
            words = set(tokenize(corpus.words(n)))
            relevant = (
                bool(hits)
                or (cosine or 0.0) >= MIN_DENSE
                or shared(words) >= MIN_SHARED
                or bool(named and named <= words)  # it names who or what was asked
            )
            relevant = relevant and (bool(hits) or not unknown)
            score = 1.0 if hits else min(1.0, float(fused[n]) / best)
            lexical_score = float(lexical_scores[n]) if lexical_scores is not None else 0.0
            out.append(_evidence(item, score, cosine, lexical_score, hits, relevant))
        return out

    def listing(self, window: DateRange, k: int) -> list[Evidence]:
        """The top-level items of `window` in date order: the answer to "what did I do
        last week?" is what those days hold, not what resembles the words."""
        first, last = _days(window)
        return [
            _evidence(item, 1.0, None, 0.0, (), True)
            for item in self.corpus.listing(first, last, k)
        ]

    def _lexical(self, query: str, allowed: Any) -> tuple[Any, Any]:
        """Positions with a BM25 score inside the window, best first, and all the scores."""
        import numpy as np

        tokens = [t for t in tokenize(query) if t in self.corpus.lexical]
        if not tokens:
            return np.zeros(0, dtype=np.int64), None
        scores = self.corpus.lexical.scores(tokens)
        keep = scores > 0
        if allowed is not None:
            keep &= allowed
        positions = np.flatnonzero(keep)
        return positions[np.lexsort((positions, -scores[positions]))], scores

    def known_names(self, query: str) -> set[str]:
        """Tokens of the capitalised names in the question that the log mentions."""
        words = [m.group(0) for m in NAME_RE.finditer(query) if m.start() > 0]
        return {t for w in words for t in tokenize(w) if t in self.corpus.lexical}

    def unknown_names(self, query: str, exact: Sequence[str] = ()) -> list[str]:
        """Names the question is about that the log never mentions ("Visium", "CellChat",
        a run id typed verbatim): then items that merely resemble the question do not
        answer it."""
        words = [m.group(0) for m in NAME_RE.finditer(query) if m.start() > 0]
        out = []
        for word in [*words, *exact]:
            tokens = [t for t in tokenize(word) if t not in STOPWORDS]
            if tokens and not any(t in self.corpus.lexical for t in tokens):
                out.append(word)
        return out

    def _shared(self, query: str) -> Callable[[set[str]], float]:
        """Share of the question's informative words an item's words contain (rare words
        count)."""
        lexical = self.corpus.lexical
        rare = max(3, self.corpus.size // 10)
        words = {t for t in tokenize(query) if lexical.doc_freq(t) <= rare}
        words |= {t for t in tokenize(query) if t not in lexical and len(t) > 3}

        def share(tokens: set[str]) -> float:
            return len(words & tokens) / len(words) if words else 0.0

        return share

    def _query_vector(self, query: str) -> Any:
        import numpy as np

        if self.embedder is not None:
            return np.asarray(self.embedder.encode([query])[0], dtype=np.float32)
        from rreview.store.embed import embed_query  # ONNX when exported: no torch

        return np.asarray(embed_query(query), dtype=np.float32)

    def _dense(
        self, query: str, window: DateRange | None, allowed: Any, count: int
    ) -> tuple[Any, Any]:
        """The positions of the best `max(DENSE_POOL, count // 4)` items of the window by
        cosine similarity, best first, and every item's similarity (NaN outside them)."""
        import numpy as np

        pool = min(count, max(DENSE_POOL, count // 4))
        scores = np.full(self.corpus.size, np.nan)
        if self.store is not None:
            found = self._dense_on_server(query, window, pool)
            positions = np.fromiter(found, dtype=np.int64, count=len(found))
            scores[positions] = list(found.values())
            return positions, scores
        vectors = self.corpus.vectors
        if vectors is None or not len(vectors):
            return np.zeros(0, dtype=np.int64), scores
        cosine = vectors @ self._query_vector(query)
        if allowed is not None:
            cosine = np.where(allowed, cosine, -np.inf)
        if pool < len(cosine):
            top = np.argpartition(-cosine, pool - 1)[:pool]
        else:
            top = np.arange(len(cosine))
        top = top[np.lexsort((top, -cosine[top]))]
        scores[top] = cosine[top]
        return top, scores

    def _dense_on_server(self, query: str, window: DateRange | None, pool: int) -> dict[int, float]:
        """The same from the team's Chroma server: one query filtered by date there, for at
        most `SERVER_POOL` results (each one travels over the network)."""
        if self._server is None:
            from rreview.store.vectors import open_vectors

            assert self.index is not None and self.store is not None
            self._server = open_vectors(self.index, self.store)
        where = None
        if window is not None:
            first, last = _days(window)
            where = {"$and": [{"day": {"$gte": first}}, {"day": {"$lte": last}}]}
        hits = self._server.query(self._query_vector(query).tolist(), min(pool, SERVER_POOL), where)
        found = self.corpus.positions([hit.id for hit in hits])
        return {found[hit.id]: hit.score for hit in hits if hit.id in found}


def _days(window: DateRange | None) -> tuple[int, int]:
    """The window as day ordinals, both ends included (everything without a window)."""
    if window is None:
        return 1, date.max.toordinal()
    return max(window.start, date.min).toordinal(), window.end.toordinal()


def _evidence(
    item: CorpusItem,
    score: float,
    cosine: float | None,
    lexical: float,
    hits: tuple[str, ...],
    relevant: bool,
) -> Evidence:
    return Evidence(
        id=item.id,
        date=item.date,
        text=item.text,
        file=item.file,
        line=item.line,
        score=score,
        section=item.section,
        context=item.context,
        dense=cosine,
        lexical=lexical,
        exact=hits,
        relevant=relevant,
        details=item.details,
    )


def _once_per_text(order: Any, corpus: Corpus, k: int) -> list[CorpusItem]:
    """The first `k` items of `order`, the same words on several days (a carried to-do)
    counted once: the best-ranked. Rows are read a batch at a time, only as far as needed."""
    seen: set[str] = set()
    out: list[CorpusItem] = []
    batch = max(2 * k, 16)
    for start in range(0, len(order), batch):
        for item in corpus.items([int(n) for n in order[start : start + batch]]):
            key = " ".join(item.text.lower().split())
            if key not in seen:
                seen.add(key)
                out.append(item)
                if len(out) == k:
                    return out
    return out


def with_score(evidence: Evidence, score: float) -> Evidence:
    """A copy with another score (aggregate answers cite their items at full score)."""
    return replace(evidence, score=score)
