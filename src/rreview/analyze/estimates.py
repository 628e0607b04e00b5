"""Estimate against actual: ratios, and the personal planning multiplier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rreview.analyze.stats import median
from rreview.extract.tasks import Task


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


def paired(tasks: Sequence[Task]) -> list[Task]:
    """Tasks with both an estimate and an actual (so a ratio), in done order."""
    pairs = [t for t in tasks if t.ratio is not None]
    return sorted(pairs, key=lambda t: (t.done_date or t.first_seen, t.key))


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
    return [t for t in tasks if t.ratio is not None and start <= _closing_day(t) <= end]


def _closing_day(task: Task) -> date:
    return task.done_date or max(m.item.date for m in task.mentions if m.actual_hours is not None)
