"""The idea backlog: each idea either acted on later (a done item close to it) or waiting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rreview.analyze.cluster import mean_vector, unit_rows
from rreview.analyze.items import Period
from rreview.analyze.terms import BagMatrix, Vocabulary, overlap, tokens, vocabulary, weighted
from rreview.analyze.vectors import ItemVectors, vector_matrix
from rreview.extract.facts import ItemFacts

# The best later done item must score IDEA_THRESHOLD for the idea to count as acted on.
# Chosen for precision (a wrong "acted on" buries a good idea; a wrong "waiting" only shows
# it again) on the ideas of tests/fixtures/analyses/log and examples/research-log: the middle
# of the range with no false "acted on" in either (0.38-0.40 at this weight). See README.
IDEA_DENSE_WEIGHT = 0.6
IDEA_THRESHOLD = 0.39


@dataclass(frozen=True)
class IdeaStatus:
    """An idea and what became of it."""

    idea: ItemFacts
    details: tuple[ItemFacts, ...]  # its sub-bullets
    acted_on: ItemFacts | None  # the later done item closest to it, if close enough
    score: float | None  # similarity to that item
    as_of: date  # the last day looked at

    @property
    def waiting_days(self) -> int | None:
        """Days since the idea, for one still waiting."""
        return None if self.acted_on else (self.as_of - self.idea.item.date).days

    @property
    def dates(self) -> list[date]:
        """The idea's day, and the day it was acted on."""
        days = [self.idea.item.date] + ([self.acted_on.item.date] if self.acted_on else [])
        return sorted(set(days))


IDEA_BLOCK = 128  # ideas screened at once: memory is IDEA_BLOCK x (done items) floats
# Done items screened at once when only asking whether any scores high enough (`_Judge.hits`),
# newest first: an idea with such an item in the latest window is settled there.
HIT_WINDOW = 4096
WAITING_CHUNK = 32  # older ideas judged at a time while looking for the oldest still waiting
# The screen (float32 cosines) is within about 1e-6 of the exact score; candidates this
# close to the best (or to the threshold) are scored again exactly, as `idea_scores` does.
SCREEN_MARGIN = 1e-4


def _children(facts: Sequence[ItemFacts]) -> dict[tuple[str, date, int], list[ItemFacts]]:
    out: dict[tuple[str, date, int], list[ItemFacts]] = {}
    for f in facts:
        if f.item.parent_line is not None:
            out.setdefault((f.item.file, f.item.date, f.item.parent_line), []).append(f)
    return out


def idea_scores(
    idea: Sequence[ItemFacts],
    candidates: Sequence[ItemFacts],
    vectors: ItemVectors,
    vocab: Vocabulary,
) -> list[float]:
    """Similarity of an idea (item and sub-bullets) to each candidate: embeddings and words."""
    if not candidates:
        return []
    found = vector_matrix(vectors, [*idea, *candidates])
    query = unit_rows([mean_vector(found[: len(idea)])])[0]
    dense = unit_rows(found[len(idea) :]) @ query
    words = weighted([t for f in idea for t in tokens(f.item.text)], vocab)
    return [
        IDEA_DENSE_WEIGHT * float(d)
        + (1 - IDEA_DENSE_WEIGHT) * overlap(words, weighted(tokens(c.item.text), vocab))
        for d, c in zip(dense, candidates, strict=True)
    ]


class _Judge:
    """Ideas against the done items after them. Every idea is first screened against all
    its candidates at once (float32 cosines and word postings, in blocks); the few close to
    its best are then scored exactly (`idea_scores`), so the verdicts are those of scoring
    every pair exactly, at the cost of a few matrix products."""

    def __init__(
        self,
        done: Sequence[ItemFacts],
        children: dict[tuple[str, date, int], list[ItemFacts]],
        vectors: ItemVectors,
        vocab: Vocabulary,
        threshold: float,
    ) -> None:
        import numpy as np

        # by date (stable): a tie in score and date goes to the first in log order, as before
        self.done = sorted(done, key=lambda f: f.item.date)
        self.days = np.array([f.item.date.toordinal() for f in self.done], dtype=np.int64)
        files = {name: k for k, name in enumerate(dict.fromkeys(f.item.file for f in self.done))}
        self.files = files
        self.file_ids = np.array([files[f.item.file] for f in self.done], dtype=np.int64)
        self.lines = np.array([f.item.line for f in self.done], dtype=np.int64)
        self.position = {id(f): k for k, f in enumerate(self.done)}
        self.children = children
        self.vectors = vectors
        self.vocab = vocab
        self.threshold = threshold
        self._loaded = len(self.done)  # vectors are read for done[self._loaded:] only
        self._single: Any = None
        self._bags: BagMatrix | None = None
        self._words: list[dict[str, float] | None] = [None] * len(self.done)
        self._window_kept: tuple[tuple[int, int], Any, BagMatrix] | None = None

    def parts(self, idea: ItemFacts) -> list[ItemFacts]:
        """The idea and its sub-bullets."""
        it = idea.item
        return [idea, *self.children.get((it.file, it.date, it.line), [])]

    def judge(self, ideas: Sequence[ItemFacts], as_of: date) -> list[IdeaStatus]:
        """The status of each of `ideas`, in their order."""
        verdicts: dict[int, IdeaStatus] = {}
        ordered = sorted(ideas, key=lambda f: f.item.date)
        for start in range(0, len(ordered), IDEA_BLOCK):
            for status in self._block(ordered[start : start + IDEA_BLOCK], as_of):
                verdicts[id(status.idea)] = status
        return [verdicts[id(f)] for f in ideas]

    def _columns(self, first: int) -> tuple[Any, Any]:
        """Float32 unit vectors and word postings of the done items from `first` on. Items
        are read once, and only back to the earliest day asked: older ones are never read."""
        import numpy as np

        if first < self._loaded:
            fresh = unit_rows(vector_matrix(self.vectors, self.done[first : self._loaded]))
            fresh = fresh.astype(np.float32)
            self._single = fresh if self._single is None else np.vstack([fresh, self._single])
            self._loaded = first
            self._bags = None
        if self._bags is None:
            self._bags = BagMatrix(self._bag_rows(self._loaded, len(self.done)))
        return self._single[first - self._loaded :], self._bags

    def _bag_rows(self, low: int, high: int) -> list[dict[str, float]]:
        """The words of done[low:high], each item's weighed once for every use."""
        rows = self._words
        for k in range(low, high):
            if rows[k] is None:
                rows[k] = weighted(tokens(self.done[k].item.text), self.vocab)
        return [row or {} for row in rows[low:high]]

    def _window(self, low: int, high: int) -> tuple[Any, BagMatrix]:
        """Float32 unit vectors and word postings of done[low:high]. The last one is kept:
        the search for waiting ideas asks for the same latest window several times, while
        the windows further back are each read once (keeping them all would hold every done
        item's vector twice)."""
        import numpy as np

        kept = self._window_kept
        if kept is None or kept[0] != (low, high):
            single = unit_rows(vector_matrix(self.vectors, self.done[low:high]), np.float32)
            kept = self._window_kept = ((low, high), single, BagMatrix(self._bag_rows(low, high)))
        return kept[1], kept[2]

    def _block(self, ideas: Sequence[ItemFacts], as_of: date) -> list[IdeaStatus]:
        import numpy as np

        first = int(np.searchsorted(self.days, min(f.item.date for f in ideas).toordinal()))
        if first == len(self.done):
            return [IdeaStatus(f, tuple(self.parts(f)[1:]), None, None, as_of) for f in ideas]
        single, bags = self._columns(first)
        skip = first - self._loaded
        parts = [self.parts(f) for f in ideas]
        means, words = self._queries(parts)
        screen = IDEA_DENSE_WEIGHT * (means @ single.T).astype(float)
        screen += (1 - IDEA_DENSE_WEIGHT) * bags.overlaps(words)[:, skip:]
        return [
            self._verdict(part, row, first, as_of) for part, row in zip(parts, screen, strict=True)
        ]

    def _queries(self, parts: Sequence[list[ItemFacts]]) -> tuple[Any, list[dict[str, float]]]:
        """Each idea (with its sub-bullets) as the screen compares it: the unit mean of its
        vectors (float32 rows) and its words."""
        import numpy as np

        flat = vector_matrix(self.vectors, [p for part in parts for p in part])
        starts = np.cumsum([0, *[len(part) for part in parts][:-1]])
        means = unit_rows(np.add.reduceat(flat.astype(float), starts, axis=0)).astype(np.float32)
        words = [
            weighted([t for p in part for t in tokens(p.item.text)], self.vocab) for part in parts
        ]
        return means, words

    def _mask(self, part: list[ItemFacts], row: Any, first: int) -> None:
        """Set to -inf the entries of `row` (scores against done[first:first + len(row)])
        that cannot act on the idea: earlier done items, and its own sub-bullets."""
        import numpy as np

        idea = part[0].item
        end = first + len(row)
        days = self.days[first:end]
        day = idea.date.toordinal()
        low, high = np.searchsorted(days, day, "left"), np.searchsorted(days, day, "right")
        row[:low] = -np.inf  # the done items are sorted by day: earlier days first
        same_day = slice(low, high)
        later = (self.file_ids[first:end][same_day] == self.files.get(idea.file, -1)) & (
            self.lines[first:end][same_day] > idea.line
        )
        row[same_day][~later] = -np.inf
        own = [self.position[id(p)] - first for p in part[1:] if id(p) in self.position]
        row[[k for k in own if 0 <= k < len(row)]] = -np.inf

    def _verdict(self, part: list[ItemFacts], row: Any, first: int, as_of: date) -> IdeaStatus:
        """The idea's verdict from its screened row (overwritten): only later done items
        count, its own sub-bullets never."""
        import numpy as np

        self._mask(part, row, first)
        top = float(row.max()) if len(row) else -np.inf
        details = tuple(part[1:])
        if top < self.threshold - SCREEN_MARGIN:
            return IdeaStatus(part[0], details, None, None, as_of)
        floor = max(top - 2 * SCREEN_MARGIN, self.threshold - SCREEN_MARGIN)
        candidates = [self.done[first + k] for k in np.flatnonzero(row >= floor)]
        exact = idea_scores(part, candidates, self.vectors, self.vocab)
        hits = [(c, s) for c, s in zip(candidates, exact, strict=True) if s >= self.threshold]
        best = max(hits, key=lambda cs: (cs[1], -cs[0].item.date.toordinal())) if hits else None
        return IdeaStatus(
            part[0], details, best[0] if best else None, best[1] if best else None, as_of
        )

    def hits(
        self, ideas: Sequence[ItemFacts], bars: Sequence[float], before: date | None
    ) -> list[bool]:
        """For each idea, whether a done item after it (and dated before `before`, if given)
        scores at least its bar exactly (the screen, then `idea_scores` where the screen is within
        SCREEN_MARGIN of the bar). The done items are screened in windows of HIT_WINDOW,
        newest first, and an idea leaves as soon as one is found: what the week needs to
        know of an old idea is a yes or no, which the latest months usually give."""
        import numpy as np

        parts = [self.parts(f) for f in ideas]
        found = [False] * len(parts)
        days = [f.item.date.toordinal() for f in ideas]
        starts = np.searchsorted(self.days, days, "left")  # each idea's first candidate
        pending = list(range(len(parts)))
        cut = len(self.done) if before is None else np.searchsorted(self.days, before.toordinal())
        high = int(cut)
        while high > 0:
            pending = [i for i in pending if starts[i] < high]
            if not pending:
                break
            low = max(0, high - HIT_WINDOW)
            single, bags = self._window(low, high)
            for block in range(0, len(pending), IDEA_BLOCK):
                chosen = pending[block : block + IDEA_BLOCK]
                means, words = self._queries([parts[i] for i in chosen])
                screen = IDEA_DENSE_WEIGHT * (means @ single.T).astype(float)
                screen += (1 - IDEA_DENSE_WEIGHT) * bags.overlaps(words)
                for i, row in zip(chosen, screen, strict=True):
                    self._mask(parts[i], row, low)
                    found[i] = self._reaches(parts[i], row, low, bars[i])
            pending = [i for i in pending if not found[i]]
            high = low
        return found

    def _reaches(self, part: list[ItemFacts], row: Any, first: int, bar: float) -> bool:
        """Whether an entry of the masked screened `row` (against done[first:]) scores at
        least `bar` exactly."""
        import numpy as np

        top = float(row.max()) if len(row) else -np.inf
        if top >= bar + SCREEN_MARGIN:
            return True
        if top < bar - SCREEN_MARGIN:
            return False
        near = [self.done[first + k] for k in np.flatnonzero(row >= bar - SCREEN_MARGIN)]
        return any(score >= bar for score in idea_scores(part, near, self.vectors, self.vocab))


def _setting(
    facts: Sequence[ItemFacts], until: date | None
) -> tuple[list[ItemFacts], list[ItemFacts], dict[tuple[str, date, int], list[ItemFacts]]]:
    """(the items up to `until`, the done items an idea can be acted on by, sub-bullets)."""
    upto = [f for f in facts if until is None or f.item.date <= until]
    idea_ids = {id(f) for f in upto if f.is_idea}
    done = [f for f in upto if f.done and id(f) not in idea_ids and f.task and not f.prediction]
    return upto, done, _children(upto)


def _ordered(statuses: Sequence[IdeaStatus]) -> list[IdeaStatus]:
    return sorted(
        statuses,
        key=lambda s: (s.acted_on is not None, s.idea.item.date, s.idea.item.line),
    )


def idea_backlog(
    facts: Sequence[ItemFacts],
    vectors: ItemVectors,
    period: Period = Period(),
    threshold: float = IDEA_THRESHOLD,
) -> list[IdeaStatus]:
    """Every idea logged in `period`, acted on or waiting, judged against the done items of
    the whole log up to `period.until`: waiting ones first, oldest first, then acted on."""
    upto, done, children = _setting(facts, period.until)
    if not upto:
        return []
    as_of = max(f.item.date for f in upto)
    ideas = [f for f in upto if f.is_idea and period.contains(f.item.date)]
    if not ideas:
        return []
    vocab = vocabulary(f.item.text for f in upto)
    return _ordered(_Judge(done, children, vectors, vocab, threshold).judge(ideas, as_of))


def week_backlog(
    facts: Sequence[ItemFacts],
    start: date,
    end: date,
    vectors: ItemVectors,
    waiting_shown: int,
    threshold: float = IDEA_THRESHOLD,
    vocab: Vocabulary | None = None,
) -> tuple[list[IdeaStatus], list[IdeaStatus]]:
    """What the weekly reflection shows of the backlog as of `end`: (the ideas of
    [start, end] and the older ideas acted on in it; the `waiting_shown` oldest older ideas
    still waiting). The same as filtering `idea_backlog(until=end)`, without judging every
    idea of the log against the whole log: an older idea is shown if a done item of the week
    comes close to it and no earlier one (after the idea) comes as close, which a screen of
    the latest months usually settles (`_Judge.hits`); the oldest ideas are asked only
    whether anything acted on them, until enough still waiting are found. `vocab`: the
    vocabulary of the items up to `end`, if the caller has it already."""
    upto, done, children = _setting(facts, end)
    ideas = [f for f in upto if f.is_idea]
    if not ideas:
        return [], []
    as_of = max(f.item.date for f in upto)
    vocab = vocab or vocabulary(f.item.text for f in upto)
    judge = _Judge(done, children, vectors, vocab, threshold)
    this_week = [f for f in ideas if start <= f.item.date]
    older = sorted(
        (f for f in ideas if f.item.date < start), key=lambda f: (f.item.date, f.item.line)
    )
    week_done = [f for f in done if start <= f.item.date]
    # each older idea against the week's done items: its best one there, scored exactly
    nearby = _Judge(week_done, children, vectors, vocab, threshold).judge(older, as_of)
    close = [s for s in nearby if s.acted_on is not None and s.score is not None]
    # acted on in the week unless a done item before it scores as high (a tie goes to the
    # earlier item, as in `_Judge._verdict`): then its best is that week item, as judged
    beaten = judge.hits([s.idea for s in close], [s.score or 0.0 for s in close], start)
    shown = judge.judge(this_week, as_of) + [
        s for s, earlier in zip(close, beaten, strict=True) if not earlier
    ]
    acted = {id(s.idea) for s in close}  # a done item of the week acts on these
    waiting: list[IdeaStatus] = []
    first, size = 0, WAITING_CHUNK
    while first < len(older) and len(waiting) < waiting_shown:
        fresh = [f for f in older[first : first + size] if id(f) not in acted]
        reached = judge.hits(fresh, [threshold] * len(fresh), None)
        waiting += [
            IdeaStatus(f, tuple(judge.parts(f)[1:]), None, None, as_of)
            for f, hit in zip(fresh, reached, strict=True)
            if not hit
        ]
        first, size = first + size, min(2 * size, IDEA_BLOCK)  # most acted on: bigger steps
    return _ordered(shown), waiting[:waiting_shown]
