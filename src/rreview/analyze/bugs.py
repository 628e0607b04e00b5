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

from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import combinations
from typing import Any

from rreview.analyze.cache import positions
from rreview.analyze.cluster import ROW_BLOCK, average_linkage, linked_groups, unit_rows
from rreview.analyze.terms import (
    FAILURE_CONCEPTS,
    BagMatrix,
    Vocabulary,
    concepts,
    key_concepts,
    key_terms,
    shorten,
    tokens,
    vocabulary,
    weighted,
)
from rreview.analyze.vectors import ItemVectors, vector_matrix
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
# The fast screen (float32 cosines) is within about 1e-6 of the exact similarity; pairs
# this close to the threshold are kept as possible links and decided exactly.
SCREEN_MARGIN = 1e-4
# Up to this many mentions the exact similarity of every pair is computed once (n x n
# float64: 512 MiB at 8,192) and clustered as a whole, which gives the same families as the
# parts one by one (see `linked_groups`) without the screen's second pass over every pair;
# at ten years of the synthetic log all 6,000 mentions are one linked part anyway.
WHOLE_AT_MOST = 8192
CONCEPT_BITS = {name: bit for bit, (name, _) in enumerate(FAILURE_CONCEPTS)}
# one byte per mention holds its concepts' bits while there are 8 at most: the n x n masks
# of `_compare` then move an eighth of the memory of int64 ones
CONCEPT_MASK = "uint8" if len(FAILURE_CONCEPTS) <= 8 else "int64"


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

    @cached_property  # asked for by the sort, the report and its lines
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
        return _mix(self, dense_weight, CONCEPT_BONUS if bonus is None else bonus)


def _mix(parts: BugSimilarity, dense_weight: float, bonus: float, out: Any = None) -> Any:
    """The mix of `combined`, written into `out` (float64, the shape of the parts) if given.
    In place, with the same floating-point operations as `w * dense + (1 - w) * lexical`,
    then `+ bonus` where shared and `* CONFLICT_FACTOR` where in conflict (a sum's order of
    two terms does not change it)."""
    import numpy as np

    mixed = np.multiply(parts.lexical, 1 - dense_weight, out=out)
    mixed += dense_weight * parts.dense
    np.add(mixed, bonus, out=mixed, where=parts.shared)
    np.multiply(mixed, CONFLICT_FACTOR, out=mixed, where=parts.conflict)
    return mixed


class MentionFeatures:
    """What two mentions are compared by, computed once per mention: the unit mean vector
    of the item and its sub-bullets, the TF-IDF bag of its words and concepts, and the
    failure concepts it names (anywhere, and on its own line) as bit masks."""

    def __init__(self, mentions: Sequence[BugMention], vectors: ItemVectors, vocab: Vocabulary):
        import numpy as np

        parts = [[m.facts, *m.details] for m in mentions]
        flat = vector_matrix(vectors, [f for part in parts for f in part]).astype(float)
        starts = np.cumsum([0] + [len(part) for part in parts[:-1]])
        sizes = np.array([len(part) for part in parts], dtype=float)[:, None]
        self.vectors = unit_rows(np.add.reduceat(flat, starts, axis=0) / sizes)
        self.tokens = [mention_tokens(m) for m in mentions]  # the families' key terms too
        self.bags = [weighted(words, vocab) for words in self.tokens]
        # the failure a bug is about is named on its own line; sub-bullets also name causes
        # and other bugs in passing ("the tokenizer lock" under a hang)
        self.named = np.array([_bits(concepts(m.all_text)) for m in mentions], dtype=CONCEPT_MASK)
        self.heads = np.array(
            [_bits(concepts(m.facts.item.text)) for m in mentions], dtype=CONCEPT_MASK
        )
        self._all: BagMatrix | None = None
        self._single: Any = None

    def __len__(self) -> int:
        return len(self.bags)

    def similarity(
        self,
        rows: Sequence[int],
        columns: Sequence[int] | None = None,
        column_bags: BagMatrix | None = None,
        column_vectors: Any = None,
    ) -> BugSimilarity:
        """The comparisons of mentions `rows` with mentions `columns` (all when None), exact
        (float64). `column_bags`, `column_vectors`: the bags of `columns` as a BagMatrix and
        their vectors transposed (`vectors[columns].T`), if already built."""
        cols = list(range(len(self))) if columns is None else list(columns)
        bags = column_bags or BagMatrix([self.bags[j] for j in cols])
        lexical = bags.overlaps([self.bags[i] for i in rows])
        other = self.vectors[cols].T if column_vectors is None else column_vectors
        return self._compare(rows, cols, self.vectors[rows] @ other, lexical)

    def screen(self, rows: Sequence[int]) -> Any:
        """The combined similarity of mentions `rows` with every mention, fast (float32
        vectors), within SCREEN_MARGIN of the exact one: to find which pairs may link."""
        import numpy as np

        if self._all is None:
            self._all = BagMatrix(self.bags)
            self._single = self.vectors.astype(np.float32)
        dense = self._single[rows] @ self._single.T
        lexical = self._all.overlaps([self.bags[i] for i in rows])
        parts = self._compare(rows, slice(None), dense, lexical)
        return parts.combined()

    def _compare(self, rows: Sequence[int], cols: Any, dense: Any, lexical: Any) -> BugSimilarity:
        named, heads = self.named[rows][:, None], self.heads[rows][:, None]
        other_named, other_heads = self.named[cols][None, :], self.heads[cols][None, :]
        return BugSimilarity(
            dense=dense,
            lexical=lexical,
            conflict=(named != 0) & (other_named != 0) & ((named & other_named) == 0),
            shared=(heads & other_heads) != 0,
        )


def _bits(names: Sequence[str]) -> int:
    """Failure concepts as a bit mask (one bit per entry of FAILURE_CONCEPTS)."""
    return sum(1 << CONCEPT_BITS[name] for name in set(names))


def bug_similarity(
    mentions: Sequence[BugMention], vectors: ItemVectors, vocab: Vocabulary
) -> BugSimilarity:
    """Compare every pair of mentions by meaning and by words."""
    import numpy as np

    if not mentions:
        empty = np.zeros((0, 0))
        return BugSimilarity(empty, empty, empty.astype(bool), empty.astype(bool))
    features = MentionFeatures(mentions, vectors, vocab)
    return features.similarity(list(range(len(mentions))))


def _combined_of(features: MentionFeatures, members: Sequence[int]) -> Any:
    """The combined similarity among `members` (k x k, float64), built ROW_BLOCK rows at a
    time (each mixed in place into its rows of the result) so the parts of the mix never
    hold more than a block."""
    import numpy as np

    members = list(members)
    out = np.empty((len(members), len(members)))
    bags = BagMatrix([features.bags[j] for j in members])
    columns = features.vectors[members].T  # gathered once, not once per block
    for start in range(0, len(members), ROW_BLOCK):
        rows = members[start : start + ROW_BLOCK]
        parts = features.similarity(rows, members, bags, columns)
        _mix(parts, DENSE_WEIGHT, CONCEPT_BONUS, out[start : start + len(rows)])
    return out


def _family(
    mentions: Sequence[BugMention],
    members: Sequence[int],
    features: MentionFeatures,
    vocab: Vocabulary,
) -> BugFamily:
    """A family of the mentions at `members`: its representative is the mention with the
    highest similarity to all the others (ties: the first), its key terms the group's."""
    chosen = [mentions[i] for i in members]
    best = 0
    if len(members) > 1:
        inner = _combined_of(features, members)
        closeness = (inner.sum(axis=1) - inner.diagonal()).round(9)  # equal rows tie exactly
        best = int(closeness.argmax())
    documents = [features.tokens[i] for i in members]
    terms = [*key_concepts(documents), *key_terms(documents, vocab)][:KEY_TERMS]
    return BugFamily(tuple(chosen), chosen[best], tuple(terms))


def bug_families(
    facts: Sequence[ItemFacts],
    vectors: ItemVectors,
    threshold: float = BUG_THRESHOLD,
    mentions: Sequence[BugMention] | None = None,
    touching: Callable[[BugMention], bool] | None = None,
    vocab: Vocabulary | None = None,
) -> list[BugFamily]:
    """Group the bug mentions of `facts` (or the `mentions` given, with `facts` as the
    vocabulary) into families, recurring ones first, largest first. With `touching`, only
    the families with a mention it accepts (the week's, say) are grouped and returned.
    `vocab`: the vocabulary of `facts`, if the caller has it already.

    Scales to years of log: up to WHOLE_AT_MOST mentions, every pair is compared once
    (exactly, in blocks) and clustered at once. Past it, or with `touching`, pairs that may
    reach the threshold are found by a fast screen (float32, in blocks), mentions fall into
    linked parts, and average linkage runs on each part that matters, exactly (see
    `linked_groups`): the families are those of clustering every mention at once, without
    its n x n matrices.
    """
    chosen = list(mentions) if mentions is not None else bug_mentions(facts)
    seeds = None if touching is None else [i for i, m in enumerate(chosen) if touching(m)]
    if not chosen or seeds == []:
        return []
    vocab = vocab or vocabulary(f.item.text for f in facts)
    features = MentionFeatures(chosen, vectors, vocab)
    if seeds is None and len(chosen) <= WHOLE_AT_MOST:
        groups = average_linkage(_combined_of(features, range(len(chosen))), threshold, False)
    else:
        groups = _grouped_by_parts(features, threshold, seeds)
    families = [_family(chosen, members, features, vocab) for members in sorted(groups)]
    if touching is not None:
        families = [f for f in families if any(touching(m) for m in f.mentions)]
    return sorted(
        families,
        key=lambda f: (not f.recurring, -len(f.occurrences), -len(f.mentions), f.dates[0]),
    )


# Plain forms for the analyses' cache on disk (`analyze.cache`): positions in the lists the
# results were computed from, which are the same lists for the same state of the log.
PlainMention = tuple[int, tuple[int, ...]]  # the item's position in the facts, its details'
PlainFamily = tuple[tuple[int, ...], int, tuple[str, ...]]  # members, representative, terms


def plain_mentions(
    mentions: Sequence[BugMention], facts: Sequence[ItemFacts]
) -> list[PlainMention]:
    """`mentions` as positions in `facts` (what `bug_mentions(facts)` returned)."""
    at = positions(facts)
    return [(at[id(m.facts)], tuple(at[id(d)] for d in m.details)) for m in mentions]


def mentions_from_plain(
    plain: Sequence[PlainMention], facts: Sequence[ItemFacts]
) -> list[BugMention]:
    """The mentions `plain_mentions` described, on the same `facts`."""
    return [BugMention(facts[i], tuple(facts[d] for d in details)) for i, details in plain]


def plain_families(
    families: Sequence[BugFamily], mentions: Sequence[BugMention]
) -> list[PlainFamily]:
    """`families` as positions in the `mentions` they were grouped from, in their order."""
    at = positions(mentions)
    return [
        (tuple(at[id(m)] for m in f.mentions), at[id(f.representative)], f.key_terms)
        for f in families
    ]


def families_from_plain(
    plain: Sequence[PlainFamily], mentions: Sequence[BugMention]
) -> list[BugFamily]:
    """The families `plain_families` described, on the same `mentions`."""
    return [
        BugFamily(tuple(mentions[i] for i in members), mentions[best], tuple(terms))
        for members, best, terms in plain
    ]


def _grouped_by_parts(
    features: MentionFeatures, threshold: float, seeds: Sequence[int] | None
) -> list[list[int]]:
    """Average linkage of the mentions, part by linked part (those holding a seed, when
    given): memory O(ROW_BLOCK x n) for the screen plus the largest part's k x k."""
    groups = []
    for part in linked_groups(len(features), features.screen, threshold - SCREEN_MARGIN, seeds):
        if len(part) == 1:
            groups.append(part)
            continue
        similarity = _combined_of(features, part)
        groups += [[part[i] for i in g] for g in average_linkage(similarity, threshold, False)]
    return groups


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
