"""Which items an analysis looks at: done work once per day, topic tags, a date range."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rreview.analyze.weeks import Week, week_of
from rreview.extract.facts import ItemFacts
from rreview.log.model import Section

NOTATION_TAGS = frozenset({"bug", "bugs", "bugfix", "prediction", "idea", "ideas"})


def once_per_day(facts: Sequence[ItemFacts]) -> list[ItemFacts]:
    """Drop repeats of a task on the same day (a checked to-do and its "done" bullet):
    the "What was done" wording wins, order is kept."""
    keep: dict[tuple[date, str], ItemFacts] = {}
    for f in facts:
        key = (f.item.date, f.task_key or f.item.key)
        if key not in keep or (
            keep[key].item.section is not Section.DONE and f.item.section is Section.DONE
        ):
            keep[key] = f
    chosen = {id(f) for f in keep.values()}
    return [f for f in facts if id(f) in chosen]


def topic_of(facts: ItemFacts) -> str | None:
    """The first topic tag of an item (not one of the notation tags)."""
    return next((tag for tag in facts.item.tags if tag not in NOTATION_TAGS), None)


def done_work(facts: Sequence[ItemFacts]) -> list[ItemFacts]:
    """Top-level done items, once per day, in log order: what the days were spent on."""
    ordered = sorted(facts, key=lambda f: (f.item.date, f.item.file, f.item.line))
    return once_per_day([f for f in ordered if f.done and f.item.depth == 0])


@dataclass(frozen=True)
class Period:
    """An inclusive date range; either end may be open."""

    since: date | None = None
    until: date | None = None

    def contains(self, day: date) -> bool:
        """True if `day` is in the range."""
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )

    def select(self, facts: Iterable[ItemFacts]) -> list[ItemFacts]:
        """The items dated in the range."""
        return [f for f in facts if self.contains(f.item.date)]

    def describe(self) -> str:
        """ "2026-10-01..2026-10-31", "since 2026-10-01", "until ...", or "all days"."""
        if self.since and self.until:
            return f"{self.since.isoformat()}..{self.until.isoformat()}"
        if self.since:
            return f"since {self.since.isoformat()}"
        if self.until:
            return f"until {self.until.isoformat()}"
        return "all days"


def weeks_between(first: date, last: date) -> list[Week]:
    """Every ISO week from the one containing `first` to the one containing `last`."""
    weeks = []
    day = week_of(first).start
    while day <= last:
        weeks.append(week_of(day))
        day += timedelta(days=7)
    return weeks
