"""To-dos carried from day to day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rreview.analyze.weeks import Week, week_of
from rreview.extract.facts import ItemFacts
from rreview.extract.tasks import Task


def carried_tasks(tasks: Sequence[Task], start: date, end: date) -> list[Task]:
    """To-dos that lived on more than one day (planned one day, still listed or done on a
    later one) and were open at some point in [start, end] or done in it."""

    def in_range(day: date | None) -> bool:
        return day is not None and start <= day <= end

    carried = [
        task
        for task in tasks
        if task.open_dates
        and task.first_seen in task.open_dates
        and len(task.dates) >= 2
        and (any(in_range(d) for d in task.open_dates) or in_range(task.done_date))
    ]
    return sorted(carried, key=lambda t: (t.first_seen, t.key))


def open_todos_of(facts: Sequence[ItemFacts], day: date) -> list[ItemFacts]:
    """The to-dos still open at the end of `day`: listed unchecked and not done that day."""
    todays = [f for f in facts if f.item.date == day]
    done_keys = {f.task_key for f in todays if f.done}
    seen: set[str] = set()
    open_items = []
    for facts_ in todays:
        if (
            facts_.is_todo
            and not facts_.done
            and facts_.item.depth == 0
            and facts_.task_key not in done_keys
            and facts_.task_key not in seen
        ):
            seen.add(facts_.task_key)
            open_items.append(facts_)
    return open_items


def carry_over(log: Path, day: date) -> tuple[date | None, list[str]]:
    """The to-dos left open on the last logged day before `day`, as written (with estimates).

    Reads only that day's file in a folder log, so `rreview add` stays fast on years of log.
    """
    from rreview.extract.notation import extract
    from rreview.log.capture import day_pages
    from rreview.log.readers.native import NativeReader

    reader = NativeReader()
    if log.is_dir():
        pages = day_pages(log)
        earlier = [iso for iso in pages if iso < day.isoformat()]
        if not earlier:
            return None, []
        result = reader.read(pages[max(earlier)])
    else:
        result = reader.read(log)
    entries = [e for e in result.entries if e.date < day]
    if not entries:
        return None, []
    last = max(e.date for e in entries)
    facts = [extract(item) for e in entries if e.date == last for item in e.items]
    return last, [f.item.text for f in open_todos_of(facts, last)]


@dataclass(frozen=True)
class WeekCompletion:
    """The to-dos planned in a week (listed on any of its days) and those done by its end."""

    week: Week
    planned: tuple[Task, ...]
    done: tuple[Task, ...]

    @property
    def rate(self) -> float | None:
        """Done over planned (None for a week with no to-do)."""
        return len(self.done) / len(self.planned) if self.planned else None

    @property
    def dates(self) -> list[date]:
        """The days of the week the planned to-dos were listed or done."""
        days = {m.item.date for t in self.planned for m in t.mentions}
        return sorted(d for d in days if self.week.contains(d))


def planned_in(tasks: Sequence[Task], week: Week) -> list[Task]:
    """Tasks listed as a to-do on a day of `week`."""
    return planned_by_week(tasks, [week])[week]


def planned_by_week(tasks: Sequence[Task], weeks: Sequence[Week]) -> dict[Week, list[Task]]:
    """For each of `weeks`, the tasks listed as a to-do on one of its days, in task order:
    one pass over the tasks, however many weeks (ten years are 522)."""
    chosen: dict[Week, list[Task]] = {week: [] for week in weeks}
    for task in tasks:
        for week in dict.fromkeys(week_of(m.item.date) for m in task.mentions if m.is_todo):
            if week in chosen:
                chosen[week].append(task)
    return chosen


def completion_by_week(tasks: Sequence[Task], weeks: Sequence[Week]) -> list[WeekCompletion]:
    """For each week: its planned to-dos and those done by the week's Sunday."""
    out = []
    by_week = planned_by_week(tasks, weeks)
    for week in weeks:
        planned = by_week[week]
        done = [t for t in planned if t.done_date is not None and t.done_date <= week.end]
        out.append(WeekCompletion(week, tuple(planned), tuple(done)))
    return out


@dataclass(frozen=True)
class TodoAge:
    """A to-do that lived on more than one day: how long, and how it ended."""

    task: Task
    last_day: date  # the day it was done, or the last day it was listed
    status: str  # "done", "open" (still listed on the last logged day) or "dropped"

    @property
    def age_days(self) -> int:
        """Calendar days from first listed to done (or to its last listing)."""
        return (self.last_day - self.task.first_seen).days

    @property
    def dates(self) -> list[date]:
        """Every day it was listed or done."""
        return sorted(
            {*self.task.open_dates, *([self.task.done_date] if self.task.done_date else [])}
        )


def todo_status(task: Task, last_logged: date) -> str:
    """ "done"; "open" if still listed on the last logged day; else "dropped"."""
    if task.done_date:
        return "done"
    return "open" if task.open_dates and max(task.open_dates) >= last_logged else "dropped"


def todo_ages(tasks: Sequence[Task], last_logged: date) -> list[TodoAge]:
    """To-dos planned on one day and still listed, or done, on a later day: longest first."""
    ages = []
    for task in tasks:
        if not task.open_dates or task.first_seen not in task.open_dates:
            continue
        last = task.done_date or max(task.open_dates)
        if last > task.first_seen:
            ages.append(TodoAge(task, last, todo_status(task, last_logged)))
    return sorted(ages, key=lambda a: (-a.age_days, a.task.first_seen, a.task.key))


def dropped_todos(tasks: Sequence[Task], last_logged: date) -> list[Task]:
    """To-dos no longer listed and never done (by that wording), most recently dropped first."""
    dropped = [t for t in tasks if t.open_dates and todo_status(t, last_logged) == "dropped"]
    return sorted(dropped, key=lambda t: (-max(t.open_dates).toordinal(), t.key))


def still_open(tasks: Sequence[Task], last_logged: date) -> list[Task]:
    """To-dos listed, not done, on the last logged day."""
    return [t for t in tasks if t.open_dates and todo_status(t, last_logged) == "open"]
