"""Focus: the themes of the done work (clusters of done items, named by their key terms)
and each theme's share of every week, to show how the focus of the project moved.

Where the researcher tags most done items with topics (`#data`, `#training`), the tags seed
the clusters: a topic tag is the researcher's own grouping, better than any clustering of a
few short lines. An untagged item joins the tag whose items it is closest to (if close
enough). Where tags are rare, done items are clustered by embeddings and words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rreview.analyze.cluster import average_linkage, cosine_matrix
from rreview.analyze.items import NOTATION_TAGS, done_work, topic_of
from rreview.analyze.terms import (
    Vocabulary,
    key_terms,
    overlap,
    tokens,
    vocabulary,
    vocabulary_of,
    weighted,
)
from rreview.analyze.vectors import ItemVectors
from rreview.analyze.weeks import Week, week_of
from rreview.extract.facts import ItemFacts

# Clustering (logs without tags): tuned on tests/fixtures/analyses/log with its tags removed,
# against those tags as the true themes (pairwise F1 about 0.5 at best: short lines are hard
# to theme; the numbers are in the README).
FOCUS_DENSE_WEIGHT = 0.6
FOCUS_THRESHOLD = 0.2
TAGGED_SHARE = 0.5  # tags seed the themes when at least this share of done items has one
ASSIGN_THRESHOLD = 0.2  # an untagged item joins the closest tag theme from this similarity
MIN_THEME = 2  # smaller clusters are counted together as "other"
MAX_THEMES = 8
OTHER = "other"


@dataclass(frozen=True)
class Theme:
    """A group of done items about one thing."""

    key_terms: tuple[str, ...]
    items: tuple[ItemFacts, ...]
    tag: str | None = None  # the topic tag that seeded it

    @property
    def label(self) -> str:
        """`#tag: key terms`, or the key terms of a cluster ("other" for the leftovers)."""
        terms = ", ".join(self.key_terms)
        if self.tag:
            return f"#{self.tag}: {terms}" if terms else f"#{self.tag}"
        return terms or OTHER

    @property
    def dates(self) -> list[date]:
        """Days with an item of the theme."""
        return sorted({f.item.date for f in self.items})


@dataclass(frozen=True)
class WeekFocus:
    """One week: how many of its done items fall in each theme."""

    week: Week
    by_theme: tuple[tuple[Theme, tuple[ItemFacts, ...]], ...]  # themes with items this week

    @property
    def total(self) -> int:
        """Done items of the week."""
        return sum(len(items) for _, items in self.by_theme)

    def share(self, theme: Theme) -> float:
        """The theme's share of the week's done items (0 when it had none)."""
        count = next((len(items) for t, items in self.by_theme if t is theme), 0)
        return count / self.total if self.total else 0.0


@dataclass(frozen=True)
class FocusReport:
    """The themes (largest first, "other" last) and each week's split between them."""

    themes: tuple[Theme, ...]
    weeks: tuple[WeekFocus, ...]


def focus_items(facts: Sequence[ItemFacts]) -> list[ItemFacts]:
    """The done work the focus is measured on: what "What was done" lists (top-level done
    items once per day; bug mentions and predictions have their own analyses)."""
    return [f for f in done_work(facts) if not f.is_bug and not f.prediction]


def _document(f: ItemFacts) -> list[str]:
    tags = [f"#{tag}" for tag in f.item.tags if tag not in NOTATION_TAGS]
    return tokens(f.item.text) + tags


def focus_similarity(items: Sequence[ItemFacts], vectors: ItemVectors, vocab: Vocabulary) -> Any:
    """Pairwise similarity of done items: embeddings and words (topic tags included)."""
    import numpy as np

    dense = cosine_matrix(vectors.vectors(items))
    bags = [weighted(_document(f), vocab) for f in items]
    lexical = np.array([[overlap(a, b) for b in bags] for a in bags])
    return FOCUS_DENSE_WEIGHT * dense + (1 - FOCUS_DENSE_WEIGHT) * lexical


def themes_of(
    items: Sequence[ItemFacts], vectors: ItemVectors, threshold: float = FOCUS_THRESHOLD
) -> list[Theme]:
    """The themes of done items, largest first (at most MAX_THEMES), "other" last: seeded
    by topic tags where most items have one, else clusters of at least MIN_THEME items."""
    if not items:
        return []
    documents = [_document(f) for f in items]
    vocab = vocabulary_of(documents, vocabulary(f.item.text for f in items).surface)
    similarity = focus_similarity(items, vectors, vocab)
    tagged = [i for i, f in enumerate(items) if topic_of(f)]
    if len(tagged) / len(items) >= TAGGED_SHARE:
        groups, named = _tag_groups(items, similarity)
    else:
        groups = average_linkage(similarity, threshold)
        groups = [g for g in groups if len(g) >= MIN_THEME]
        named = [None] * len(groups)
    order = sorted(range(len(groups)), key=lambda k: (-len(groups[k]), groups[k][0]))[:MAX_THEMES]
    themes = []
    for k in order:
        terms = key_terms([documents[i] for i in groups[k]], vocab, limit=4)
        shown = tuple(t for t in terms if t != f"#{named[k]}")[:3]
        themes.append(Theme(shown, tuple(items[i] for i in groups[k]), named[k]))
    placed = {i for k in order for i in groups[k]}
    rest = [items[i] for i in range(len(items)) if i not in placed]
    if rest:
        themes.append(Theme((), tuple(rest)))
    return themes


def _tag_groups(
    items: Sequence[ItemFacts], similarity: Any
) -> tuple[list[list[int]], list[str | None]]:
    """One group per topic tag; each untagged item joins the tag group it is closest to on
    average, when that closeness reaches ASSIGN_THRESHOLD."""
    by_tag: dict[str, list[int]] = {}
    for i, f in enumerate(items):
        tag = topic_of(f)
        if tag:
            by_tag.setdefault(tag, []).append(i)
    seeds = {tag: list(members) for tag, members in by_tag.items()}
    for i, f in enumerate(items):
        if topic_of(f):
            continue
        scores = {tag: float(similarity[i][members].mean()) for tag, members in seeds.items()}
        best = max(scores, key=lambda tag: (scores[tag], tag))
        if scores[best] >= ASSIGN_THRESHOLD:
            by_tag[best].append(i)
    tags = sorted(by_tag)
    return [sorted(by_tag[t]) for t in tags], list(tags)


def focus_by_week(
    facts: Sequence[ItemFacts], vectors: ItemVectors, weeks: Sequence[Week]
) -> FocusReport:
    """Themes of the done items of `weeks`, and each week's split between them."""
    chosen = set(weeks)
    items = [f for f in focus_items(facts) if week_of(f.item.date) in chosen]
    themes = themes_of(items, vectors)
    out = []
    for week in weeks:
        split = []
        for theme in themes:
            mine = tuple(f for f in theme.items if week.contains(f.item.date))
            if mine:
                split.append((theme, mine))
        out.append(WeekFocus(week, tuple(split)))
    return FocusReport(tuple(themes), tuple(out))
