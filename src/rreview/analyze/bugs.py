"""Recurring bugs: bug mentions grouped into families across days, however they are worded.

Two mentions are compared by their meaning (the cosine of their sentence embeddings, the
item and its sub-bullets averaged) and by their words (IDF-weighted overlap, plus a short
list of failure-mode concepts such as "OOM" = "out of memory"). The two similarities are
mixed with DENSE_WEIGHT, CONCEPT_BONUS is added when both mentions name the same failure mode
on their own line, and mentions are grouped by average linkage down to BUG_THRESHOLD. The
numbers were tuned on hand-annotated logs (see `rreview.analyze.bug_tuning` and the README);
they are not guesses.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

from rreview.analyze.cluster import average_linkage, cosine_matrix, mean_vector
from rreview.analyze.terms import (
    Vocabulary,
    concepts,
    key_concepts,
    key_terms,
    overlap,
    shorten,
    tokens,
    vocabulary,
    weighted,
)
from rreview.analyze.vectors import ItemVectors
from rreview.extract.facts import ItemFacts
from rreview.extract.tasks import link_tasks

# Tuned with `python -m rreview.analyze.bug_tuning` on the hand-annotated fixture logs
# (tests/fixtures/analyses/gold/bugs-*.json) and the eval set (evals/gold.json): the best mean
# pairwise F1, the middle of its run of thresholds. examples/research-log stays held out.
DENSE_WEIGHT = 0.4
BUG_THRESHOLD = 0.22
CONCEPT_BONUS = 0.1  # both name the same failure mode on their own line
CONFLICT_FACTOR = 0.5  # an OOM and a NaN are different bugs, however alike the sentences
LABEL_TEXT = 70
KEY_TERMS = 3


@dataclass(frozen=True)
class BugMention:
    """One bug as the log states it: the item and its sub-bullets (cause, fix)."""

    facts: ItemFacts
    details: tuple[ItemFacts, ...] = ()

    @property
    def date(self) -> date:
        """The day it was logged."""
        return self.facts.item.date

    @property
    def text(self) -> str:
        """The item's own words, notation removed."""
        return self.facts.task or self.facts.item.text

    @property
    def file(self) -> str:
        """The file it was read from."""
        return self.facts.item.file

    @property
    def line(self) -> int:
        """Its line in that file."""
        return self.facts.item.line

    @property
    def hours(self) -> float | None:
        """Time logged on it (`took`), on the item or else on its sub-bullets."""
        if self.facts.actual_hours is not None:
            return self.facts.actual_hours
        spent = [d.actual_hours for d in self.details if d.actual_hours is not None]
        return sum(spent) if spent else None

    @property
    def all_text(self) -> str:
        """The item and its sub-bullets, as one text."""
        return " ".join([self.facts.item.text, *(d.item.text for d in self.details)])


@dataclass(frozen=True)
class BugFamily:
    """Bug mentions with one cause, in date order, and how to name them."""

    mentions: tuple[BugMention, ...]
    representative: BugMention  # the mention closest to all the others
    key_terms: tuple[str, ...]

    @property
    def label(self) -> str:
        """Key terms, then the representative mention's words (cut, never rewritten)."""
        text = shorten(self.representative.text, LABEL_TEXT)
        return f"{', '.join(self.key_terms)} — {text}" if self.key_terms else text

    @property
    def dates(self) -> tuple[date, ...]:
        """Every day with a mention, sorted."""
        return tuple(sorted({m.date for m in self.mentions}))

    @property
    def occurrences(self) -> tuple[date, ...]:
        """The days the bug happened: a bug to-do carried from day to day counts once, on the
        day it was first listed."""
        facts = [m.facts for m in self.mentions]
        runs = [t for t in link_tasks(facts) if len(t.dates) > 1]
        carried = {id(f): t.first_seen for t in runs for f in t.mentions}
        return tuple(sorted({carried.get(id(f), f.item.date) for f in facts}))

    @property
    def recurring(self) -> bool:
        """True when the family happened on two or more distinct days."""
        return len(self.occurrences) >= 2

    @property
    def hours(self) -> float | None:
        """Time logged on the family's mentions (None when none says)."""
        spent = [m.hours for m in self.mentions if m.hours is not None]
        return sum(spent) if spent else None

    @property
    def timed(self) -> int:
        """How many mentions say how long they took."""
        return sum(1 for m in self.mentions if m.hours is not None)


def bug_mentions(facts: Sequence[ItemFacts]) -> list[BugMention]:
    """Every bug mention with its sub-bullets, in log order. A `#bug` item nested under
    another bug item is part of that mention, not a mention of its own."""
    children: dict[tuple[str, date, int], list[ItemFacts]] = {}
    for f in facts:
        if f.item.parent_line is not None:
            children.setdefault((f.item.file, f.item.date, f.item.parent_line), []).append(f)

    def descendants(f: ItemFacts) -> list[ItemFacts]:
        out = []
        for child in children.get((f.item.file, f.item.date, f.item.line), []):
            out += [child, *descendants(child)]
        return out

    inside_a_bug: set[int] = set()
    mentions = []
    for f in sorted(facts, key=lambda f: (f.item.date, f.item.file, f.item.line)):
        if f.is_bug and id(f) not in inside_a_bug:
            details = descendants(f)
            inside_a_bug.update(id(d) for d in details)
            mentions.append(BugMention(f, tuple(details)))
    return sorted(mentions, key=lambda m: (m.date, m.file, m.line))


def _lexical(mention: BugMention) -> list[str]:
    return tokens(mention.facts.item.text) + [
        t for d in mention.details for t in tokens(d.item.text)
    ]


def mention_tokens(mention: BugMention) -> list[str]:
    """The words a mention is compared by: its content words and its failure concepts."""
    return _lexical(mention) + concepts(mention.all_text)


@dataclass(frozen=True)
class BugSimilarity:
    """Pairwise comparisons of bug mentions (numpy arrays, n x n)."""

    dense: Any  # cosine of the embeddings, item and sub-bullets averaged
    lexical: Any  # IDF-weighted word overlap, failure concepts included
    conflict: Any  # True where both name failure concepts and share none (OOM vs NaN)
    shared: Any  # True where both name the same failure concept

    def combined(self, dense_weight: float = DENSE_WEIGHT, bonus: float | None = None) -> Any:
        """The similarity the grouping uses: a weighted mean of meaning and words, plus
        CONCEPT_BONUS where both name the same failure mode, scaled down by CONFLICT_FACTOR
        where they name different ones."""
        import numpy as np

        mixed = dense_weight * self.dense + (1 - dense_weight) * self.lexical
        mixed = mixed + np.where(self.shared, CONCEPT_BONUS if bonus is None else bonus, 0.0)
        return np.where(self.conflict, mixed * CONFLICT_FACTOR, mixed)


def bug_similarity(
    mentions: Sequence[BugMention], vectors: ItemVectors, vocab: Vocabulary
) -> BugSimilarity:
    """Compare every pair of mentions by meaning and by words."""
    import numpy as np

    if not mentions:
        empty = np.zeros((0, 0))
        return BugSimilarity(empty, empty, empty.astype(bool), empty.astype(bool))
    parts = [[m.facts, *m.details] for m in mentions]
    flat = vectors.vectors([f for part in parts for f in part])
    composed, start = [], 0
    for part in parts:
        composed.append(mean_vector(flat[start : start + len(part)]))
        start += len(part)
    bags = [weighted(mention_tokens(m), vocab) for m in mentions]
    named = [set(concepts(m.all_text)) for m in mentions]
    # the failure a bug is about is named on its own line; sub-bullets also name causes and
    # other bugs in passing ("the tokenizer lock" under a hang)
    heads = [set(concepts(m.facts.item.text)) for m in mentions]
    return BugSimilarity(
        dense=cosine_matrix(composed),
        lexical=np.array([[overlap(a, b) for b in bags] for a in bags]),
        conflict=np.array([[bool(a and b and not a & b) for b in named] for a in named]),
        shared=np.array([[bool(a & b) for b in heads] for a in heads]),
    )


def group_mentions(
    mentions: Sequence[BugMention],
    similarity: Any,
    vocab: Vocabulary,
    threshold: float = BUG_THRESHOLD,
) -> list[BugFamily]:
    """Families from a similarity matrix: recurring ones first, then by size and first date."""
    families = []
    for members in average_linkage(similarity, threshold):
        inner = similarity[members][:, members]
        best = max(
            range(len(members)),
            key=lambda i: (sum(inner[i]) - inner[i][i], -i),
        )
        chosen = [mentions[i] for i in members]
        documents = [mention_tokens(m) for m in chosen]
        terms = [*key_concepts(documents), *key_terms(documents, vocab)][:KEY_TERMS]
        families.append(BugFamily(tuple(chosen), chosen[best], tuple(terms)))
    return sorted(
        families,
        key=lambda f: (not f.recurring, -len(f.occurrences), -len(f.mentions), f.dates[0]),
    )


def bug_families(
    facts: Sequence[ItemFacts],
    vectors: ItemVectors,
    threshold: float = BUG_THRESHOLD,
    mentions: Sequence[BugMention] | None = None,
) -> list[BugFamily]:
    """Group the bug mentions of `facts` (or the `mentions` given, with `facts` as the
    vocabulary) into families, recurring ones first, largest first."""
    chosen = list(mentions) if mentions is not None else bug_mentions(facts)
    if not chosen:
        return []
    vocab = vocabulary(f.item.text for f in facts)
    similarity = bug_similarity(chosen, vectors, vocab).combined()
    return group_mentions(chosen, similarity, vocab, threshold)


@dataclass(frozen=True)
class PairScore:
    """Pairwise agreement of a grouping with a gold grouping."""

    precision: float
    recall: float
    f1: float
    true_pairs: int
    false_pairs: int
    missed_pairs: int


def pairwise_f1(
    predicted: Iterable[Collection[Hashable]], gold: Iterable[Collection[Hashable]]
) -> PairScore:
    """Precision, recall and F1 over pairs of mentions put in the same group. Mentions missing
    from one side count as singletons there."""
    pred_of = {m: k for k, group in enumerate(predicted) for m in group}
    gold_of = {m: k for k, group in enumerate(gold) for m in group}
    everything = sorted(set(pred_of) | set(gold_of), key=str)
    tp = fp = fn = 0
    for a, b in combinations(everything, 2):
        same_pred = a in pred_of and b in pred_of and pred_of[a] == pred_of[b]
        same_gold = a in gold_of and b in gold_of and gold_of[a] == gold_of[b]
        tp += same_pred and same_gold
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1, tp, fp, fn)
