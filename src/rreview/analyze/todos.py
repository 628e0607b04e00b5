"""To-dos carried from day to day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

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
