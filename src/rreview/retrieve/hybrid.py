"""Hybrid retrieval: dense vectors (Chroma) and BM25 (bm25s) fused by reciprocal rank,
with exact strings (a run id, an error message) put first and the question's dates as a filter.

Why three signals: the embedding finds "the loader hung" for "job got stuck", BM25 finds
rare words the embedding blurs ("h5py", "rDPO"), and a verbatim match of what the user
typed ("run-0467", "Bus error") is the strongest evidence there is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rreview.extract.facts import ItemFacts
from rreview.retrieve.when import DateRange

if TYPE_CHECKING:
    from rreview.store.embed import Embedder

RRF_K = 60  # the usual reciprocal-rank-fusion constant
DENSE_POOL = 100  # dense candidates fetched before fusion
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


def stem(token: str) -> str:
    """A light stemmer: hangs/hanging/hanged -> hang, flips -> flip."""
    if any(c.isdigit() for c in token) or len(token) <= 4:
        return token
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased words; a compound like `run-0467` is kept whole and split into parts."""
    out: list[str] = []
    for token in TOKEN_RE.findall(text.lower()):
        parts = re.split(r"[-_./:]", token)
        if len(parts) > 1:
            out.append(token)
        out += [stem(p) for p in parts if p and p not in STOPWORDS]
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
    """Dense + lexical + exact search over the items of one log."""

    def __init__(
        self, items: Sequence[Indexed], vectors_dir: Path, embedder: Embedder | None = None
    ) -> None:
        import bm25s  # ~0.7 s (scipy): only `ask` pays it

        self.items = list(items)
        self.position = {item.id: n for n, item in enumerate(self.items)}
        self.vectors_dir = vectors_dir
        self.embedder = embedder
        self.bm25 = bm25s.BM25()
        corpus = [tokenize(self._text(item)) or ["<empty>"] for item in self.items]
        self.bm25.index(corpus, show_progress=False)
        self.doc_tokens = [set(tokens) for tokens in corpus]
        self.doc_freq: dict[str, int] = {}
        for tokens in self.doc_tokens:
            for token in tokens:
                self.doc_freq[token] = self.doc_freq.get(token, 0) + 1

    @staticmethod
    def _text(item: Indexed) -> str:
        facts = item.facts
        return f"{facts.item.text}\n{facts.item.code}" if facts.item.code else facts.item.text

    def search(
        self,
        query: str,
        k: int = 8,
        window: DateRange | None = None,
        only: Callable[[ItemFacts], bool] | None = None,
        exact: Sequence[str] = (),
    ) -> list[Evidence]:
        """The `k` best items for `query` inside `window`, best first."""
        allowed = [
            n
            for n, item in enumerate(self.items)
            if (window is None or window.contains(item.facts.item.date))
            and (only is None or only(item.facts))
        ]
        if not allowed:
            return []
        allowed_set = set(allowed)
        lexical = self._lexical(query, allowed)
        dense = self._dense(query, window, allowed_set)
        matched = self._exact(exact, allowed)
        fused: dict[int, float] = {}
        for ranking in (sorted(lexical, key=lambda n: -lexical[n]), list(dense)):
            for rank, n in enumerate(ranking):
                fused[n] = fused.get(n, 0.0) + 1.0 / (RRF_K + rank + 1)
        for n in matched:
            fused.setdefault(n, 0.0)
        for n in fused:  # a to-do repeats the task's words on every day it stays open
            if self.items[n].facts.item.section.value == "plan":
                fused[n] *= PLAN_WEIGHT
        best = 2.0 / (RRF_K + 1)
        order = _once_per_text(
            sorted(fused, key=lambda n: (-len(matched.get(n, ())), -fused[n], n)), self.items
        )
        shared = self._shared(query)
        unknown = self.unknown_names(query, exact)
        named = self.known_names(query)
        out = []
        for n in order[:k]:
            item = self.items[n]
            cosine = dense.get(n)
            hits = matched.get(n, ())
            relevant = (
                bool(hits)
                or (cosine or 0.0) >= MIN_DENSE
                or shared(n) >= MIN_SHARED
                or bool(named and named <= self.doc_tokens[n])  # it names who or what was asked
            )
            relevant = relevant and (bool(hits) or not unknown)
            score = 1.0 if hits else min(1.0, fused[n] / best)
            out.append(self._evidence(item, score, cosine, lexical.get(n, 0.0), hits, relevant))
        return out

    def listing(self, window: DateRange, k: int) -> list[Evidence]:
        """The top-level items of `window` in date order: the answer to "what did I do
        last week?" is what those days hold, not what resembles the words."""
        chosen = [
            item
            for item in self.items
            if window.contains(item.facts.item.date)
            and item.facts.item.depth == 0
            and item.facts.item.section.value != "plan"
        ]
        return [self._evidence(item, 1.0, None, 0.0, (), True) for item in chosen[:k]]

    def _evidence(
        self,
        item: Indexed,
        score: float,
        cosine: float | None,
        lexical: float,
        hits: tuple[str, ...],
        relevant: bool,
    ) -> Evidence:
        it = item.facts.item
        return Evidence(
            id=item.id,
            date=it.date,
            text=it.text,
            file=it.file,
            line=it.line,
            score=score,
            section=it.section.value,
            context=item.context,
            dense=cosine,
            lexical=lexical,
            exact=hits,
            relevant=relevant,
            details=item.children,
        )

    def _lexical(self, query: str, allowed: list[int]) -> dict[int, float]:
        tokens = [t for t in tokenize(query) if t in self.doc_freq]
        if not tokens:
            return {}
        scores = self.bm25.get_scores(tokens)
        return {n: float(scores[n]) for n in allowed if scores[n] > 0}

    def known_names(self, query: str) -> set[str]:
        """Tokens of the capitalised names in the question that the log mentions."""
        words = [m.group(0) for m in NAME_RE.finditer(query) if m.start() > 0]
        return {t for w in words for t in tokenize(w) if t in self.doc_freq}

    def unknown_names(self, query: str, exact: Sequence[str] = ()) -> list[str]:
        """Names the question is about that the log never mentions ("Visium", "CellChat",
        a run id typed verbatim): then items that merely resemble the question do not
        answer it."""
        words = [m.group(0) for m in NAME_RE.finditer(query) if m.start() > 0]
        out = []
        for word in [*words, *exact]:
            tokens = [t for t in tokenize(word) if t not in STOPWORDS]
            if tokens and not any(t in self.doc_freq for t in tokens):
                out.append(word)
        return out

    def _shared(self, query: str) -> Callable[[int], float]:
        """Share of the question's informative words an item contains (rare words count)."""
        total = len(self.items)
        words = {t for t in tokenize(query) if self.doc_freq.get(t, 0) <= max(3, total // 10)}
        words |= {t for t in tokenize(query) if t not in self.doc_freq and len(t) > 3}

        def share(n: int) -> float:
            return len(words & self.doc_tokens[n]) / len(words) if words else 0.0

        return share

    def _dense(self, query: str, window: DateRange | None, allowed: set[int]) -> dict[int, float]:
        """Item position -> cosine similarity, best first."""
        if not self.vectors_dir.exists():
            return {}
        from rreview.store.embed import Embedder
        from rreview.store.vectors import VectorStore

        embedder = self.embedder or Embedder()
        vector = embedder.encode([query])[0]
        where = None
        if window is not None:
            where = {
                "$and": [
                    {"day": {"$gte": max(window.start, date.min).toordinal()}},
                    {"day": {"$lte": window.end.toordinal()}},
                ]
            }
        with VectorStore(self.vectors_dir) as store:
            hits = store.query(vector, max(DENSE_POOL, len(allowed) // 4), where)
        out: dict[int, float] = {}
        for hit in hits:
            n = self.position.get(hit.id)
            if n is not None and n in allowed:
                out[n] = hit.score
        return out

    def _exact(self, strings: Sequence[str], allowed: list[int]) -> dict[int, tuple[str, ...]]:
        if not strings:
            return {}
        lowered = [(s, s.lower()) for s in strings]
        out: dict[int, tuple[str, ...]] = {}
        for n in allowed:
            text = self._text(self.items[n]).lower()
            hits = tuple(s for s, low in lowered if low in text)
            if hits:
                out[n] = hits
        return out


def _once_per_text(order: list[int], items: Sequence[Indexed]) -> list[int]:
    """The same words on several days (a carried to-do) count once: the best-ranked."""
    seen: set[str] = set()
    out = []
    for n in order:
        key = " ".join(items[n].facts.item.text.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out


def with_score(evidence: Evidence, score: float) -> Evidence:
    """A copy with another score (aggregate answers cite their items at full score)."""
    return replace(evidence, score=score)
