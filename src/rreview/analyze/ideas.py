"""The idea backlog: each idea either acted on later (a done item close to it) or waiting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rreview.analyze.cluster import mean_vector
from rreview.analyze.items import Period
from rreview.analyze.terms import Vocabulary, overlap, tokens, vocabulary, weighted
from rreview.analyze.vectors import ItemVectors
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


def _children(facts: Sequence[ItemFacts]) -> dict[tuple[str, date, int], list[ItemFacts]]:
    out: dict[tuple[str, date, int], list[ItemFacts]] = {}
    for f in facts:
        if f.item.parent_line is not None:
            out.setdefault((f.item.file, f.item.date, f.item.parent_line), []).append(f)
    return out


def _after(idea: ItemFacts, candidate: ItemFacts) -> bool:
    a, b = idea.item, candidate.item
    return b.date > a.date or (b.date == a.date and b.file == a.file and b.line > a.line)


def idea_scores(
    idea: Sequence[ItemFacts],
    candidates: Sequence[ItemFacts],
    vectors: ItemVectors,
    vocab: Vocabulary,
) -> list[float]:
    """Similarity of an idea (item and sub-bullets) to each candidate: embeddings and words."""
    if not candidates:
        return []
    from rreview.analyze.cluster import cosine_matrix

    found = vectors.vectors([*idea, *candidates])
    dense = cosine_matrix([mean_vector(found[: len(idea)]), *found[len(idea) :]])[0, 1:]
    words = weighted([t for f in idea for t in tokens(f.item.text)], vocab)
    return [
        IDEA_DENSE_WEIGHT * float(d)
        + (1 - IDEA_DENSE_WEIGHT) * overlap(words, weighted(tokens(c.item.text), vocab))
        for d, c in zip(dense, candidates, strict=True)
    ]


def idea_backlog(
    facts: Sequence[ItemFacts],
    vectors: ItemVectors,
    period: Period = Period(),
    threshold: float = IDEA_THRESHOLD,
) -> list[IdeaStatus]:
    """Every idea logged in `period`, acted on or waiting, judged against the done items of
    the whole log up to `period.until`: waiting ones first, oldest first, then acted on."""
    upto = [f for f in facts if period.until is None or f.item.date <= period.until]
    if not upto:
        return []
    as_of = max(f.item.date for f in upto)
    children = _children(upto)
    ideas = [f for f in upto if f.is_idea and period.contains(f.item.date)]
    idea_ids = {id(f) for f in upto if f.is_idea}
    done = [f for f in upto if f.done and id(f) not in idea_ids and f.task and not f.prediction]
    vocab = vocabulary(f.item.text for f in upto)
    if ideas:  # one fetch for everything compared below (the index opens once)
        details = [
            d for i in ideas for d in children.get((i.item.file, i.item.date, i.item.line), [])
        ]
        vectors.vectors([*ideas, *details, *done])
    statuses = []
    for idea in ideas:
        details = children.get((idea.item.file, idea.item.date, idea.item.line), [])
        own = {id(d) for d in details}
        later = [c for c in done if _after(idea, c) and id(c) not in own]
        scores = idea_scores([idea, *details], later, vectors, vocab)
        hits = [(c, s) for c, s in zip(later, scores, strict=True) if s >= threshold]
        first = max(hits, key=lambda cs: (cs[1], -cs[0].item.date.toordinal())) if hits else None
        statuses.append(
            IdeaStatus(
                idea,
                tuple(details),
                first[0] if first else None,
                first[1] if first else None,
                as_of,
            )
        )
    return sorted(
        statuses,
        key=lambda s: (s.acted_on is not None, s.idea.item.date, s.idea.item.line),
    )
