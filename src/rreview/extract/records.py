"""Facts as a flat list, one record per fact, for `rreview facts`: what the tool understood.

Kinds: todo (one per task, followed across days), estimate (an estimate and/or the time
spent), bug, prediction, source, idea. The JSON shape of a record is documented in the
README ("`rreview facts` JSON schema") and kept stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rreview.extract.facts import ItemFacts
from rreview.extract.tasks import Task, link_tasks

Day = date  # the fields below are named `date`: the type needs another name in the class
KINDS = ("todo", "estimate", "bug", "prediction", "source", "idea")


@dataclass(frozen=True)
class FactRecord:
    """One extracted fact, where it was written, and which extractor found it."""

    date: Day
    kind: str
    text: str
    file: str
    line: int
    origin: str
    task: str = ""
    estimate_hours: float | None = None
    actual_hours: float | None = None
    predicted: str | None = None
    actual: str | None = None  # a prediction's outcome, as written
    predicted_value: float | None = None
    actual_value: float | None = None
    unit: str = ""
    source: str | None = None
    source_kind: str | None = None
    done: bool = False
    first_date: Day | None = None
    done_date: Day | None = None
    dates: tuple[Day, ...] = field(default_factory=tuple)

    @property
    def span_days(self) -> int | None:
        """Days from a to-do's first mention to its done date."""
        if self.first_date and self.done_date:
            return (self.done_date - self.first_date).days
        return None

    @property
    def ratio(self) -> float | None:
        """Actual over estimate, where both are known."""
        if self.estimate_hours and self.actual_hours is not None:
            return round(self.actual_hours / self.estimate_hours, 3)
        return None

    def in_range(self, since: Day | None, until: Day | None) -> bool:
        """Whether any date of the fact (a to-do: any day it was seen) falls in the range."""
        days = self.dates or (self.date,)
        return any((since is None or d >= since) and (until is None or d <= until) for d in days)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object: common keys, then the keys of the fact's kind."""
        out: dict[str, Any] = {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "text": self.text,
            "file": self.file,
            "line": self.line,
            "origin": self.origin,
        }
        if self.kind == "estimate":
            out |= {
                "task": self.task,
                "estimate_hours": self.estimate_hours,
                "actual_hours": self.actual_hours,
                "ratio": self.ratio,
            }
        elif self.kind == "prediction":
            out |= {
                "predicted": self.predicted,
                "actual": self.actual,
                "predicted_value": self.predicted_value,
                "actual_value": self.actual_value,
                "unit": self.unit,
            }
        elif self.kind == "source":
            out |= {"source": self.source, "source_kind": self.source_kind}
        elif self.kind == "todo":
            out |= {
                "task": self.task,
                "done": self.done,
                "first_date": _iso(self.first_date),
                "done_date": _iso(self.done_date),
                "dates": [d.isoformat() for d in self.dates],
                "span_days": self.span_days,
                "estimate_hours": self.estimate_hours,
                "actual_hours": self.actual_hours,
            }
        return out


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _base(f: ItemFacts, kind: str) -> dict[str, Any]:
    item = f.item
    return {
        "date": item.date,
        "kind": kind,
        "text": item.text,
        "file": item.file,
        "line": item.line,
        "origin": f.origin_of(kind),
    }


def item_records(f: ItemFacts) -> list[FactRecord]:
    """The facts of one item, except to-dos (those are followed across days as tasks)."""
    records = []
    if f.estimate_hours is not None or f.actual_hours is not None:
        records.append(
            FactRecord(
                **_base(f, "estimate"),
                task=f.task,
                estimate_hours=f.estimate_hours,
                actual_hours=f.actual_hours,
            )
        )
    if f.is_bug:
        records.append(FactRecord(**_base(f, "bug")))
    if f.prediction is not None:
        p = f.prediction
        records.append(
            FactRecord(
                **_base(f, "prediction"),
                predicted=p.predicted,
                actual=p.outcome,
                predicted_value=p.predicted_value,
                actual_value=p.outcome_value,
                unit=p.unit,
            )
        )
    if f.source is not None:
        kind = f.source_kind.value if f.source_kind else None
        records.append(FactRecord(**_base(f, "source"), source=f.source, source_kind=kind))
    if f.is_idea:
        records.append(FactRecord(**_base(f, "idea")))
    return records


def todo_records(all_facts: Sequence[ItemFacts], tasks: Iterable[Task]) -> list[FactRecord]:
    """One record per to-do task, at its first mention; a nested to-do stands on its own."""
    records = []
    for task in tasks:
        if not any(m.is_todo for m in task.mentions):
            continue
        first = task.mentions[0]
        records.append(
            FactRecord(
                **_base(first, "todo"),
                task=task.text,
                estimate_hours=task.estimate_hours,
                actual_hours=task.actual_hours,
                done=task.done_date is not None,
                first_date=task.first_seen,
                done_date=task.done_date,
                dates=task.dates,
            )
        )
    for f in all_facts:
        if f.is_todo and f.item.depth > 0:
            day = f.item.date
            records.append(
                FactRecord(
                    **_base(f, "todo"),
                    task=f.task,
                    estimate_hours=f.estimate_hours,
                    actual_hours=f.actual_hours,
                    done=f.done,
                    first_date=day,
                    done_date=day if f.done else None,
                    dates=(day,),
                )
            )
    return records


def fact_records(all_facts: Sequence[ItemFacts]) -> list[FactRecord]:
    """Every fact of the log, in date, file and line order."""
    records = todo_records(all_facts, link_tasks(all_facts))
    for f in all_facts:
        records.extend(item_records(f))
    order = {kind: rank for rank, kind in enumerate(KINDS)}
    return sorted(records, key=lambda r: (r.date, r.file, r.line, order[r.kind]))
