"""Estimate against actual: ratios, and the personal planning multiplier."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from rreview.analyze.items import Period, topic_of
from rreview.analyze.stats import median
from rreview.analyze.weeks import Week, week_of
from rreview.extract.tasks import Task

WORST = 10
UNTAGGED = "untagged"


@dataclass(frozen=True)
class EstimateSummary:
    """Totals and ratios over a set of tasks that have both an estimate and an actual."""

    tasks: tuple[Task, ...]
    estimated_hours: float
    actual_hours: float
    median_ratio: float | None

    @property
    def total_ratio(self) -> float | None:
        """Hours taken over hours planned, summed over the tasks."""
        return self.actual_hours / self.estimated_hours if self.estimated_hours else None

    @property
    def ratios(self) -> list[float]:
        """The ratio of each task, in task order."""
        return [t.ratio for t in self.tasks if t.ratio is not None]

    @property
    def quartiles(self) -> tuple[float, float] | None:
        """The 25th and 75th percentile of the ratio (inclusive method): half the tasks fall
        between them. One task: its ratio twice. None for no task."""
        ratios = sorted(self.ratios)
        if not ratios:
            return None
        if len(ratios) == 1:
            return ratios[0], ratios[0]
        low, _, high = statistics.quantiles(ratios, n=4, method="inclusive")
        return low, high

    @property
    def dates(self) -> list[date]:
        """Every day the tasks appear on."""
        return sorted({d for t in self.tasks for d in t.dates})


def paired(tasks: Sequence[Task]) -> list[Task]:
    """Tasks with both an estimate and an actual (so a ratio), in done order."""
    pairs = [t for t in tasks if t.ratio is not None]
    return sorted(pairs, key=lambda t: (closing_day(t), t.key))


def summarize(tasks: Sequence[Task]) -> EstimateSummary:
    """Totals, the ratio of totals and the median ratio of `tasks` (pairs only)."""
    pairs = paired(tasks)
    return EstimateSummary(
        tasks=tuple(pairs),
        estimated_hours=sum(t.estimate_hours or 0 for t in pairs),
        actual_hours=sum(t.actual_hours or 0 for t in pairs),
        median_ratio=median([t.ratio for t in pairs if t.ratio is not None]),
    )


def finished_between(tasks: Sequence[Task], start: date, end: date) -> list[Task]:
    """Tasks whose actual time was logged (done) between start and end, inclusive."""
    return [t for t in tasks if t.ratio is not None and start <= closing_day(t) <= end]


def closing_day(task: Task) -> date:
    """The day a task's actual time is known: its done day, else the day `took` was logged."""
    if task.done_date:
        return task.done_date
    timed = [m.item.date for m in task.mentions if m.actual_hours is not None]
    return max(timed) if timed else task.first_seen


def task_topic(task: Task) -> str | None:
    """The first topic tag any mention of the task carries."""
    return next((tag for m in task.mentions if (tag := topic_of(m))), None)


@dataclass(frozen=True)
class EstimateReport:
    """Everything `rreview estimates` states, computed."""

    summary: EstimateSummary  # every pair in the period
    by_tag: tuple[tuple[str, EstimateSummary], ...]  # largest group first; empty if no tags
    worst: tuple[Task, ...]  # the largest overruns (ratio > 1), worst first
    multi_day: tuple[Task, ...]  # planned one day, done a later day: longest span first
    by_week: tuple[tuple[Week, EstimateSummary], ...]  # by the week the task was done


def _grouped(pairs: Sequence[Task], key: Callable[[Task], str]) -> dict[str, list[Task]]:
    groups: dict[str, list[Task]] = {}
    for task in pairs:
        groups.setdefault(key(task), []).append(task)
    return groups


def estimate_report(tasks: Sequence[Task], period: Period = Period()) -> EstimateReport:
    """Calibration of estimates over the tasks done in `period`."""
    pairs = [t for t in paired(tasks) if period.contains(closing_day(t))]
    tags = _grouped(pairs, lambda t: task_topic(t) or UNTAGGED)
    by_tag = (
        sorted(
            ((tag, summarize(group)) for tag, group in tags.items()),
            key=lambda kv: (kv[0] == UNTAGGED, -len(kv[1].tasks), kv[0]),
        )
        if set(tags) != {UNTAGGED}
        else []
    )
    over = [t for t in pairs if (t.ratio or 0) > 1]
    worst = sorted(over, key=lambda t: (-(t.ratio or 0), -(t.actual_hours or 0), t.key))[:WORST]
    spans = [t for t in pairs if (t.span_days or 0) >= 1]
    multi_day = sorted(spans, key=lambda t: (-(t.span_days or 0), closing_day(t), t.key))
    weeks = _grouped(pairs, lambda t: week_of(closing_day(t)).label)
    by_week = [
        (week_of(closing_day(group[0])), summarize(group)) for _, group in sorted(weeks.items())
    ]
    return EstimateReport(
        summary=summarize(pairs),
        by_tag=tuple(by_tag),
        worst=tuple(worst),
        multi_day=tuple(multi_day),
        by_week=tuple(by_week),
    )
