"""The facts of one week, computed from the log: what the weekly reflection is built from."""

# once_per_day and topic_of live in analyze/items.py; imported here for older callers.

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rreview.analyze.estimates import EstimateSummary, finished_between, summarize
from rreview.analyze.items import once_per_day, topic_of  # noqa: F401  (re-exported)
from rreview.analyze.predictions import CheckedPrediction, link_predictions
from rreview.analyze.todos import carried_tasks
from rreview.analyze.weeks import Week
from rreview.extract.facts import ItemFacts
from rreview.extract.tasks import Task, link_tasks


@dataclass(frozen=True)
class WeekCounts:
    """Counts of one week, for the comparison with the week before."""

    days: tuple[date, ...]
    items: int
    done: int
    planned: int
    planned_done: int
    bugs: int
    ideas: int
    predictions_checked: int
    estimate_ratio: float | None


@dataclass(frozen=True)
class WeekFacts:
    """Everything the weekly reflection states, computed; engines only phrase it."""

    week: Week
    counts: WeekCounts
    previous: WeekCounts
    done: tuple[ItemFacts, ...]
    carried: tuple[Task, ...]
    bugs: tuple[ItemFacts, ...]
    estimates: EstimateSummary
    usual_ratio: float | None  # median ratio of every pair before this week ended
    predictions: tuple[CheckedPrediction, ...]  # checked this week
    open_predictions: tuple[CheckedPrediction, ...]  # made this week, outcome not logged yet
    ideas: tuple[ItemFacts, ...]
    sources: tuple[ItemFacts, ...]
    planned: tuple[Task, ...]


def _in(week: Week, facts: Sequence[ItemFacts]) -> list[ItemFacts]:
    return [f for f in facts if week.contains(f.item.date)]


def _planned(tasks: Sequence[Task], week: Week) -> list[Task]:
    return [t for t in tasks if any(m.is_todo and week.contains(m.item.date) for m in t.mentions)]


def _counts(week: Week, facts: Sequence[ItemFacts], tasks: Sequence[Task]) -> WeekCounts:
    mine = _in(week, facts)
    top = [f for f in mine if f.item.depth == 0]
    planned = _planned(tasks, week)
    estimates = summarize(finished_between(tasks, week.start, week.end))
    return WeekCounts(
        days=tuple(sorted({f.item.date for f in mine})),
        items=len(top),
        done=len(once_per_day([f for f in top if f.done])),
        planned=len(planned),
        planned_done=sum(1 for t in planned if t.done_date and t.done_date <= week.end),
        bugs=sum(1 for f in mine if f.is_bug),
        ideas=sum(1 for f in mine if f.is_idea),
        predictions_checked=sum(
            1 for p in link_predictions(facts) if p.checked and week.contains(p.checked.item.date)
        ),
        estimate_ratio=estimates.total_ratio,
    )


def week_facts(facts: Sequence[ItemFacts], week: Week) -> WeekFacts:
    """Compute the week's facts from every item of the log (earlier weeks give context)."""
    upto = [f for f in facts if f.item.date <= week.end]
    tasks = link_tasks(upto)
    mine = _in(week, upto)
    predictions = link_predictions(upto)
    history = summarize(finished_between(tasks, date.min, week.end))
    return WeekFacts(
        week=week,
        counts=_counts(week, upto, tasks),
        previous=_counts(week.previous(), upto, tasks),
        done=tuple(
            once_per_day(
                [
                    f
                    for f in mine
                    if f.done and f.item.depth == 0 and not f.is_bug and not f.prediction
                ]
            )
        ),
        carried=tuple(carried_tasks(tasks, week.start, week.end)),
        bugs=tuple(f for f in mine if f.is_bug),
        estimates=summarize(finished_between(tasks, week.start, week.end)),
        usual_ratio=history.median_ratio,
        predictions=tuple(
            p for p in predictions if p.checked and week.contains(p.checked.item.date)
        ),
        open_predictions=tuple(
            p for p in predictions if p.checked is None and week.contains(p.made.item.date)
        ),
        ideas=tuple(f for f in mine if f.is_idea),
        sources=tuple(f for f in mine if f.source),
        planned=tuple(_planned(tasks, week)),
    )


def source_counts(facts: Sequence[ItemFacts]) -> Counter[str]:
    """How many items came from each kind of source."""
    return Counter(f.source_kind.value for f in facts if f.source_kind)
