"""Extraction: items to structured facts (tasks, estimates, bugs, predictions, ideas, sources).

`extract(item)` is the one entry point: the explicit notation first (`notation.py`), then
what the prose rules find (`prose.py` for times, `mentions.py` for the rest) where the
notation found nothing. Each fact remembers which of the two found it (`origin_of`).
"""

from __future__ import annotations

from dataclasses import replace

from rreview.extract import mentions
from rreview.extract.facts import ItemFacts
from rreview.extract.notation import extract as extract_notation
from rreview.extract.notation import read_times, strip_notation, task_key
from rreview.extract.prose import TimeFacts, read_time
from rreview.log.model import Item

HEURISTIC = "heuristic"


def _times(item: Item, facts: ItemFacts) -> tuple[float | None, float | None, TimeFacts | None]:
    """The estimate and actual, notation first; None for the prose part when it adds nothing.

    A `~30 min` is notation for the time spent on a done item, unless the prose around it
    says it was the plan ("should take ~30 min, took closer to 2h"): then the prose reads it.
    """
    estimate, actual, tilde = read_times(item)
    if estimate is not None and actual is not None and not tilde:
        return estimate, actual, None
    prose = read_time(item.text)
    if prose.estimate_hours is None and prose.actual_hours is None:
        return estimate, actual, None
    tilde_value = actual if tilde == "actual" else estimate if tilde == "estimate" else None
    both = prose.estimate_hours is not None and prose.actual_hours is not None
    if both and tilde_value in (prose.estimate_hours, prose.actual_hours):
        return prose.estimate_hours, prose.actual_hours, prose
    new_estimate = estimate if estimate is not None else prose.estimate_hours
    new_actual = actual if actual is not None else prose.actual_hours
    if (new_estimate, new_actual) == (estimate, actual):
        return estimate, actual, None
    return new_estimate, new_actual, prose


def _task_words(text: str, spans: tuple[tuple[int, int], ...]) -> str | None:
    """The task's own words before its time phrase ("write the loader: thought 1h, took 3h"
    -> "write the loader"); None when the time phrase comes first (the whole item names it)."""
    head = text[: min(start for start, _ in spans)].rstrip()
    if len(head.split()) >= 2 and head[-1:] in ":,;—–-(":
        return head.rstrip(":,;—–-( ")
    return None


def _closed(facts: ItemFacts) -> bool:
    return facts.prediction is not None and facts.prediction.outcome is not None


def extract(item: Item, prose: bool = True) -> ItemFacts:
    """Every fact of `item`: the notation's, then the prose rules' where notation is silent."""
    facts = extract_notation(item)
    if not prose:
        return facts
    origins: list[tuple[str, str]] = []
    changes: dict[str, object] = {}
    estimate, actual, time = _times(item, facts)
    if time is not None:
        changes |= {"estimate_hours": estimate, "actual_hours": actual}
        origins.append(("estimate", HEURISTIC))
        words = _task_words(item.text, time.spans)
        if words and (task := strip_notation(words)):
            changes |= {"task": task, "task_key": task_key(task)}
    text = item.text
    if not facts.is_bug and (mentions.is_bug(text) or mentions.shows_error(item.code)):
        changes["is_bug"] = True
        origins.append(("bug", HEURISTIC))
    found = mentions.prediction(text) if not _closed(facts) else None
    if found is not None and (facts.prediction is None or found.outcome is not None):
        changes["prediction"] = found  # prose closes what the notation left open
        origins.append(("prediction", HEURISTIC))
    if facts.source is None and (src := mentions.source(text)) is not None:
        changes |= {"source": src[0], "source_kind": src[1]}
        origins.append(("source", HEURISTIC))
    if not facts.is_idea and mentions.is_idea(text):
        changes["is_idea"] = True
        origins.append(("idea", HEURISTIC))
        if item.checked is None and mentions.IDEA_RE.match(text):
            changes |= {"is_todo": False}  # "Idea: ..." under the plan is not a to-do
    if item.checked is None and (todo := mentions.todo_text(text)) is not None:
        task = strip_notation(todo)
        changes |= {"is_todo": True, "done": False, "task": task, "task_key": task_key(task)}
        origins.append(("todo", HEURISTIC))
    if not origins:
        return facts
    return replace(facts, **changes, origin=HEURISTIC, origins=tuple(origins))  # type: ignore[arg-type]
