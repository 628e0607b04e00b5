"""The facts of one week, computed from the log: what the weekly reflection is built from."""

# once_per_day and topic_of live in analyze/items.py; imported here for older callers.

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rreview.analyze.bugs import BugFamily, bug_families, bug_mentions
from rreview.analyze.estimates import EstimateSummary, finished_between, summarize
from rreview.analyze.focus import FocusReport, focus_by_week
from rreview.analyze.ideas import IdeaStatus, week_backlog
from rreview.analyze.items import Period, once_per_day, topic_of  # noqa: F401  (re-exported)
from rreview.analyze.predictions import (
    Calibration,
    CheckedPrediction,
    calibration,
    link_predictions,
)
from rreview.analyze.stats import median
from rreview.analyze.terms import Vocabulary, vocabulary
from rreview.analyze.todos import carried_tasks, completion_by_week, planned_in
from rreview.analyze.vectors import EmbeddedVectors, ItemVectors
from rreview.analyze.weeks import Week
from rreview.extract.facts import ItemFacts
from rreview.extract.tasks import Task, link_tasks

HISTORY_WEEKS = 8  # "your usual" completion rate: the median of up to this many earlier weeks
WAITING_SHOWN = 3  # older ideas still waiting, shown again in the week's reflection


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
class WeekHistory:
    """The weeks before this one: what "your usual" means in the reflection."""

    estimates: EstimateSummary  # every task done (with est and took) before this week
    completion: tuple[tuple[Week, float], ...]  # earlier weeks with planned to-dos, oldest first
    calibration: Calibration  # every prediction made or checked up to this week's end

    @property
    def usual_completion(self) -> float | None:
        """Median share of planned to-dos done, over those earlier weeks."""
        return median([rate for _, rate in self.completion])


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
    history: WeekHistory | None = None
    bug_families: tuple[BugFamily, ...] = ()  # families with a mention this week, whole history
    idea_statuses: tuple[IdeaStatus, ...] = ()  # this week's ideas; older ones acted on this week
    waiting_ideas: tuple[IdeaStatus, ...] = ()  # older ideas still waiting, oldest first
    focus: FocusReport | None = None  # themes of the week before and this one


def _in(week: Week, facts: Sequence[ItemFacts]) -> list[ItemFacts]:
    return [f for f in facts if week.contains(f.item.date)]


def _planned(tasks: Sequence[Task], week: Week) -> list[Task]:
    return planned_in(tasks, week)


def _counts(
    week: Week,
    facts: Sequence[ItemFacts],
    tasks: Sequence[Task],
    predictions: Sequence[CheckedPrediction],
) -> WeekCounts:
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
        bugs=len(bug_mentions(mine)),
        ideas=sum(1 for f in mine if f.is_idea),
        predictions_checked=sum(
            1 for p in predictions if p.checked and week.contains(p.checked.item.date)
        ),
        estimate_ratio=estimates.total_ratio,
    )


def week_facts(
    facts: Sequence[ItemFacts],
    week: Week,
    vectors: ItemVectors | None = None,
    vocab: Vocabulary | None = None,
) -> WeekFacts:
    """Compute the week's facts from every item of the log (earlier weeks give context).

    `vectors` (the index's, or the model's when None) serve the analyses that compare
    meaning: bug families, ideas acted on, focus themes. Nothing after the week is used.
    `vocab`: the vocabulary of the items up to the week's end, if the caller keeps it
    (`analyze.cache.log_vocabulary`); else it is counted here.
    """
    upto = [f for f in facts if f.item.date <= week.end]
    tasks = link_tasks(upto)
    mine = _in(week, upto)
    predictions = link_predictions(upto)
    history = summarize(finished_between(tasks, date.min, week.end))
    meaning = vectors or EmbeddedVectors()
    if vocab is None:  # bugs and ideas weigh words by the log's IDF
        vocab = vocabulary(f.item.text for f in upto)
    statuses, waiting = week_backlog(
        upto, week.start, week.end, meaning, WAITING_SHOWN, vocab=vocab
    )
    shown = [week.previous(), week]
    return WeekFacts(
        week=week,
        counts=_counts(week, upto, tasks, predictions),
        previous=_counts(week.previous(), upto, tasks, predictions),
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
        bugs=tuple(m.facts for m in bug_mentions(mine)),  # a #bug sub-bullet is part of its parent
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
        history=_history(upto, tasks, week),
        bug_families=tuple(_week_families(upto, week, meaning, vocab)),
        idea_statuses=tuple(statuses),
        waiting_ideas=tuple(waiting),
        focus=focus_by_week(_in_weeks(shown, upto), meaning, shown) if mine else None,
    )


def _history(upto: Sequence[ItemFacts], tasks: Sequence[Task], week: Week) -> WeekHistory:
    before = week.start - timedelta(days=1)
    earlier = [week.previous()]
    while len(earlier) < HISTORY_WEEKS:
        earlier.append(earlier[-1].previous())
    completion = [
        (c.week, c.rate)
        for c in completion_by_week(tasks, list(reversed(earlier)))
        if c.rate is not None
    ]
    return WeekHistory(
        estimates=summarize(finished_between(tasks, date.min, before)),
        completion=tuple(completion),
        calibration=calibration(upto, Period(until=week.end)),
    )


def _week_families(
    upto: Sequence[ItemFacts], week: Week, vectors: ItemVectors, vocab: Vocabulary
) -> list[BugFamily]:
    """Bug families (grouped over the whole log so far) that have a mention this week: only
    the mentions linked to this week's are grouped (see `bug_families`)."""
    mentions = bug_mentions(upto)
    if not any(week.contains(m.date) for m in mentions):
        return []
    return bug_families(
        upto, vectors, mentions=mentions, touching=lambda m: week.contains(m.date), vocab=vocab
    )


def _in_weeks(weeks: Sequence[Week], facts: Sequence[ItemFacts]) -> list[ItemFacts]:
    return [f for f in facts if any(w.contains(f.item.date) for w in weeks)]


def source_counts(facts: Sequence[ItemFacts]) -> Counter[str]:
    """How many items came from each kind of source."""
    return Counter(f.source_kind.value for f in facts if f.source_kind)
