"""One task across days: a to-do carried from day to day, then done, is one task."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rreview.extract.facts import ItemFacts


@dataclass(frozen=True)
class Task:
    """A task as the log tells it over days: when it was first planned, seen open, done."""

    key: str
    text: str
    first_seen: date
    open_dates: tuple[date, ...]  # days it was listed as not done
    done_date: date | None
    estimate_hours: float | None
    actual_hours: float | None
    mentions: tuple[ItemFacts, ...]

    @property
    def dates(self) -> tuple[date, ...]:
        """Every day the task appears on, in order."""
        return tuple(sorted({m.item.date for m in self.mentions}))

    @property
    def span_days(self) -> int | None:
        """Calendar days from first seen to done (0 when planned and done the same day)."""
        return (self.done_date - self.first_seen).days if self.done_date else None

    @property
    def ratio(self) -> float | None:
        """Actual over estimate: 2.0 means it took twice as long as planned."""
        if self.estimate_hours and self.actual_hours is not None:
            return self.actual_hours / self.estimate_hours
        return None


_IRREGULAR_VERBS = {
    "wrote": "write", "written": "write", "rewrote": "rewrite", "ran": "run", "reran": "rerun",
    "did": "do", "done": "do", "redid": "redo", "made": "make", "built": "build",
    "rebuilt": "rebuild", "found": "find", "got": "get", "began": "begin", "sent": "send",
    "took": "take", "gave": "give", "drew": "draw", "fought": "fight", "taught": "teach",
    "swept": "sweep", "kept": "keep", "left": "leave", "met": "meet", "brought": "bring",
}  # fmt: skip


def verb_stem(word: str) -> str:
    """The first word of a task, so "fixed the loader" and "fix the loader" are one task:
    irregular past forms to the base form, then "-ed", "-ing", "-es"/"-s" and a final "e" off
    (both sides are stemmed, so "update" and "updated" meet at "updat")."""
    word = _IRREGULAR_VERBS.get(word, word)
    if len(word) <= 4:
        return word
    if word.endswith("ied"):
        return word[:-3] + "y"
    for suffix in ("ed", "ing", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            return stem[:-1] if len(stem) > 3 and stem[-1] == stem[-2] else stem  # "stopped"
    return word


def match_key(task_key: str) -> str:
    """What two task keys must share to be the same task: the key with its first word (the
    verb, mostly) stemmed, so "fixed the loader" closes "fix the loader"."""
    first, _, rest = task_key.partition(" ")
    return f"{verb_stem(first)} {rest}".strip()


def _is_task(facts: ItemFacts) -> bool:
    return (
        bool(facts.task_key)
        and facts.item.depth == 0
        and (facts.is_todo or facts.done or facts.estimate_hours is not None)
    )


def link_tasks(all_facts: Iterable[ItemFacts]) -> list[Task]:
    """Group task mentions by their key, in date order; a done task ends its run.

    A task written again after it was done starts a new task (the same chore, another time).
    A nested bullet's estimate or time spent belongs to the task of its top bullet
    ("- the loader\n  - planned an hour for it, took 3h").
    """
    facts = list(all_facts)
    runs: dict[str, list[list[ItemFacts]]] = {}
    ordered = sorted(
        (f for f in facts if _is_task(f)),
        key=lambda f: (f.item.date, f.item.file, f.item.line),
    )
    group_of: dict[tuple[str, int, object], list[ItemFacts]] = {}
    for mention in ordered:
        groups = runs.setdefault(match_key(mention.task_key), [])
        if groups and not _closed_before(groups[-1], mention.item.date):
            groups[-1].append(mention)
        else:
            groups.append([mention])
        group_of[_place(mention)] = groups[-1]
    _attach_nested_times(facts, group_of)
    tasks = [_task(group) for groups in runs.values() for group in groups]
    return sorted(tasks, key=lambda task: (task.first_seen, task.key))


def _place(facts: ItemFacts) -> tuple[str, int, object]:
    return (facts.item.file, facts.item.line, facts.item.date)


def _attach_nested_times(
    facts: list[ItemFacts], group_of: dict[tuple[str, int, object], list[ItemFacts]]
) -> None:
    by_place = {_place(f): f for f in facts}
    for child in facts:
        timed = child.estimate_hours is not None or child.actual_hours is not None
        if child.item.depth == 0 or not timed or child.is_todo:
            continue
        top = child
        while top.item.depth > 0 and top.item.parent_line is not None:
            parent = by_place.get((top.item.file, top.item.parent_line, top.item.date))
            if parent is None or parent is top:
                break
            top = parent
        group = group_of.get(_place(top))
        if group is not None and child not in group:
            group.append(child)
            group.sort(key=lambda f: (f.item.date, f.item.file, f.item.line))


def _closed_before(group: list[ItemFacts], day: date) -> bool:
    return any(f.done and f.item.date < day for f in group)


def _task(group: list[ItemFacts]) -> Task:
    done_dates = [f.item.date for f in group if f.done]
    estimates = [f.estimate_hours for f in group if f.estimate_hours is not None]
    actuals = [f.actual_hours for f in group if f.actual_hours is not None]
    clocked = [f.item.clocked_hours for f in group if f.item.clocked_hours is not None]
    if clocked and len(clocked) == len(actuals):  # org/Logseq clocks add up over the days
        actuals = [round(sum(clocked), 4)]
    return Task(
        key=group[0].task_key,
        text=group[-1].task,
        first_seen=group[0].item.date,
        open_dates=tuple(sorted({f.item.date for f in group if f.is_todo and not f.done})),
        done_date=min(done_dates) if done_dates else None,
        estimate_hours=estimates[0] if estimates else None,  # the first estimate, before hindsight
        actual_hours=actuals[-1] if actuals else None,
        mentions=tuple(group),
    )
