"""Counts per week for the charts: focus by topic tag, bug mentions over the weeks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rreview.analyze.week import once_per_day, topic_of
from rreview.analyze.weeks import Week
from rreview.extract.facts import ItemFacts

UNTAGGED = "other"  # as "What was done" groups items without a topic tag


@dataclass(frozen=True)
class WeekCount:
    """A number for one week."""

    week: Week
    count: int


def focus_by_topic(facts: Sequence[ItemFacts], week: Week) -> Counter[str]:
    """Done items of `week` per topic tag (the first non-notation tag; `other` if none),
    counted as "What was done" counts them: bugs and predictions apart, once per day."""
    done = [
        f
        for f in facts
        if week.contains(f.item.date)
        and f.done
        and f.item.depth == 0
        and not f.is_bug
        and not f.prediction
    ]
    return Counter(topic_of(f) or UNTAGGED for f in once_per_day(done))


def bugs_by_week(facts: Sequence[ItemFacts], last: Week, weeks: int = 8) -> list[WeekCount]:
    """Bug mentions in each of the (up to) `weeks` weeks ending with `last`, oldest first,
    starting no earlier than the week of the log's first entry."""
    first = min((f.item.date for f in facts), default=last.start)
    chosen = [last]
    while len(chosen) < weeks and chosen[-1].start > first:
        chosen.append(chosen[-1].previous())
    chosen.reverse()
    return [
        WeekCount(w, sum(1 for f in facts if f.is_bug and w.contains(f.item.date))) for w in chosen
    ]
