"""Where ideas and findings came from (paper, chat, talk, social media, own experiment),
counted per week."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rreview.analyze.weeks import Week, week_of
from rreview.extract.facts import ItemFacts, SourceKind

KIND_ORDER = {kind.value: index for index, kind in enumerate(SourceKind)}


@dataclass(frozen=True)
class WeekSources:
    """The items of one week that name their source."""

    week: Week
    items: tuple[ItemFacts, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Kind -> items, largest first (ties in the order paper, chat, talk, ...)."""
        counter = Counter(kind_of(f) for f in self.items)
        ranked = sorted(counter, key=lambda k: (-counter[k], KIND_ORDER.get(k, 99)))
        return {kind: counter[kind] for kind in ranked}

    @property
    def dates(self) -> list[date]:
        """Days with a sourced item."""
        return sorted({f.item.date for f in self.items})

    def of_kind(self, kind: str) -> list[ItemFacts]:
        """The week's items from one kind of source."""
        return [f for f in self.items if kind_of(f) == kind]


def kind_of(facts: ItemFacts) -> str:
    """The kind of an item's source ("other" when the log names one rreview cannot place)."""
    return facts.source_kind.value if facts.source_kind else SourceKind.OTHER.value


def sources_by_week(facts: Sequence[ItemFacts], weeks: Sequence[Week]) -> list[WeekSources]:
    """For each week, the items (at any depth) that say where they came from."""
    by_week: dict[Week, list[ItemFacts]] = {}
    for f in facts:
        if f.source:
            by_week.setdefault(week_of(f.item.date), []).append(f)
    return [WeekSources(week, tuple(by_week.get(week, ()))) for week in weeks]


def unsourced_ideas(facts: Sequence[ItemFacts]) -> list[ItemFacts]:
    """Ideas that do not say where they came from."""
    return [f for f in facts if f.is_idea and not f.source and f.item.depth == 0]
