"""Answers to `rreview ask`: the analysis tables behind aggregate questions, and the answer
as text and as JSON."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from rreview.analyze.stats import fmt_hours, fmt_ratio
from rreview.analyze.terms import shorten
from rreview.engines.base import Answer, AnswerRequest
from rreview.extract.facts import ItemFacts
from rreview.report.analyses import plural
from rreview.report.markdown import render_section
from rreview.report.model import ReportLine, ReportSection
from rreview.retrieve.hybrid import Evidence
from rreview.retrieve.when import DateRange

# The analyses are imported by the builders that use them: a lookup question needs none.

if TYPE_CHECKING:
    from rreview.extract.tasks import Task
    from rreview.retrieve.corpus import Corpus

MAX_ROWS = 15
T = TypeVar("T")
Remember = Callable[[Any, Callable[[], Any]], Any]  # (key, make) -> make(), kept per log


def _compute(key: Any, make: Callable[[], T]) -> T:
    """The `Remember` that keeps nothing."""
    return make()


def _tasks(facts: Sequence[ItemFacts], remember: Remember) -> list[Task]:
    """Tasks across days: linked once per log read (a pass over every item)."""
    from rreview.extract.tasks import link_tasks

    tasks: list[Task] = remember("tasks", lambda: link_tasks(facts))
    return tasks


def _bounds(window: DateRange | None) -> tuple[date, date]:
    return (window.start, window.end) if window else (date.min, date.max)


def _in(window: DateRange | None, day: date) -> bool:
    return window is None or window.contains(day)


def estimates_sections(
    facts: Sequence[ItemFacts], window: DateRange | None, remember: Remember = _compute
) -> ReportSection:
    """Estimate against actual for tasks finished in the window, most off first."""
    from rreview.analyze.estimates import finished_between, summarize

    start, end = _bounds(window)
    summary = summarize(finished_between(_tasks(facts, remember), start, end))
    if not summary.tasks:
        return ReportSection(
            "Estimates vs actual", (), note="No task has both an estimate and an actual."
        )
    most_off = sorted(summary.tasks, key=lambda t: -abs((t.ratio or 1.0) - 1.0))
    lines = [
        ReportLine.citing(
            t.text,
            t.dates,
            data={
                "task": shorten(t.text, 70),
                "est": fmt_hours(t.estimate_hours or 0),
                "took": fmt_hours(t.actual_hours or 0),
                "ratio": fmt_ratio(t.ratio or 0),
            },
        )
        for t in most_off[:MAX_ROWS]
    ]
    days = [d for t in summary.tasks for d in t.dates]
    over = sum(1 for t in summary.tasks if (t.ratio or 0) > 1)
    under = sum(1 for t in summary.tasks if (t.ratio or 0) < 1)
    lines.append(
        ReportLine.citing(
            f"{plural(len(summary.tasks), 'task')} with both: "
            f"{fmt_hours(summary.estimated_hours)} planned, {fmt_hours(summary.actual_hours)} "
            f"taken ({fmt_ratio(summary.total_ratio or 0)} overall, "
            f"median {fmt_ratio(summary.median_ratio or 0)}); {over} over, "
            f"{under} under, {len(summary.tasks) - over - under} on the estimate",
            days,
        )
    )
    return ReportSection(
        "Estimates vs actual (most off first)", tuple(lines), table=("task", "est", "took", "ratio")
    )


def predictions_section(
    facts: Sequence[ItemFacts], window: DateRange | None, remember: Remember = _compute
) -> ReportSection:
    """Predictions checked in the window, the most off first, then those still open."""
    from rreview.analyze.predictions import link_predictions

    every = remember("predictions", lambda: link_predictions(facts))
    linked = [p for p in every if any(_in(window, d) for d in p.dates)]
    checked = [p for p in linked if p.checked]
    checked.sort(key=lambda p: -abs(p.prediction.error) if p.prediction.error is not None else 0.0)
    lines = []
    for p in checked[:MAX_ROWS]:
        pred = p.prediction
        stated = p.made.prediction.predicted if p.made.prediction else pred.predicted
        off = "" if pred.error is None else f" (off by {pred.error:+g}{pred.unit})"
        lines.append(ReportLine.citing(f'Predicted "{stated}", got "{pred.outcome}"{off}', p.dates))
    for p in [p for p in linked if not p.checked][:MAX_ROWS]:
        lines.append(
            ReportLine.citing(f'Open: "{p.prediction.predicted}", no outcome logged yet', p.dates)
        )
    return ReportSection("Predictions (most off first)", tuple(lines), note="No prediction logged.")


def bugs_section(
    facts: Sequence[ItemFacts], window: DateRange | None, remember: Remember = _compute
) -> ReportSection:
    """Every bug mention in the window, in date order, with the time logged on it."""
    bugs = [f for f in facts if f.is_bug and f.item.depth == 0 and _in(window, f.item.date)]
    lines = [
        ReportLine.citing(
            shorten(f.task or f.item.text, 150)
            + (f" (took {fmt_hours(f.actual_hours)})" if f.actual_hours is not None else ""),
            [f.item.date],
        )
        for f in bugs
    ]
    title = f"Bug mentions ({len(bugs)})"
    return ReportSection(title, tuple(lines), note="No bug logged.")


def todos_section(
    facts: Sequence[ItemFacts], window: DateRange | None, remember: Remember = _compute
) -> ReportSection:
    """To-dos carried over more than one day, the longest first."""
    from rreview.analyze.todos import carried_tasks

    start, end = _bounds(window)
    carried = carried_tasks(_tasks(facts, remember), start, end)
    carried.sort(key=lambda t: -len(t.open_dates))
    lines = []
    for task in carried[:MAX_ROWS]:
        state = f"done {task.done_date.isoformat()}" if task.done_date else "still open"
        lines.append(
            ReportLine.citing(
                f'"{shorten(task.text, 90)}": listed open on '
                f"{plural(len(task.open_dates), 'day')} from {task.first_seen.isoformat()}, "
                f"{state}",
                [*task.open_dates, *([task.done_date] if task.done_date else [])],
            )
        )
    return ReportSection(
        "Carried to-dos (longest first)", tuple(lines), note="No to-do was carried."
    )


BUILDERS = {
    "estimates": estimates_sections,
    "predictions": predictions_section,
    "bugs": bugs_section,
    "todos": todos_section,
}


OPEN_RE = re.compile(r"\b(open|still|pending|waiting|unchecked|not\s+(?:yet\s+)?checked)\b", re.I)
WITHIN_RE = re.compile(r"\b(within|under|faster|less\s+than|on\s+time|best)\b", re.I)


def aggregate_sections(
    route: str,
    facts: Sequence[ItemFacts],
    window: DateRange | None,
    question: str = "",
    remember: Remember = _compute,
) -> tuple[ReportSection, ...]:
    """The analysis tables that answer an aggregate question (none for a lookup).
    `remember` keeps what is computed over the whole log (linked tasks, predictions) for
    the next question about the same log."""
    builder = BUILDERS.get(route)
    if builder is None:
        return ()
    section = builder(facts, window, remember)
    if route == "predictions" and OPEN_RE.search(question):
        lines = tuple(line for line in section.lines if line.text.startswith("Open:"))
        section = ReportSection("Open predictions", lines, note="No prediction is waiting.")
    if route == "estimates" and WITHIN_RE.search(question):
        rows = sorted((line for line in section.lines if line.data), key=_ratio)
        rest = tuple(line for line in section.lines if not line.data)
        section = ReportSection(
            "Estimates vs actual (within the estimate first)",
            (*rows, *rest),
            table=section.table,
            note=section.note,
        )
    return (section,)


def _ratio(line: ReportLine) -> float:
    return float(str((line.data or {}).get("ratio", "0")).rstrip("x") or 0)


def cited_evidence(sections: Sequence[ReportSection], corpus: Corpus) -> tuple[Evidence, ...]:
    """The items of the cited days that the tables rest on, as evidence (score 1.0): an
    item whose words a line citing its day contains (a line is only searched for the items
    of the days it cites: ten years of bug mentions are not checked against every line)."""
    lines_of: dict[date, list[str]] = {}
    for section in sections:
        for line in section.lines:
            for day in set(line.dates):
                lines_of.setdefault(day, []).append(line.text)
    cited = [
        pos
        for pos, day, mention in corpus.top_level_mentions(sorted(lines_of))
        if _mentioned(mention, lines_of[day])
    ]
    return tuple(
        Evidence(
            id=item.id,
            date=item.date,
            text=item.text,
            file=item.file,
            line=item.line,
            score=1.0,
            section=item.section,
        )
        for item in corpus.items(cited)
    )


def _mentioned(mention: str, texts: Sequence[str]) -> bool:
    """Whether a table line names the item (its task words, cut as the tables cut them)."""
    key = shorten(mention, 60).rstrip("…")
    return bool(key) and any(key in text for text in texts)


def render_answer(answer: Answer, request: AnswerRequest) -> str:
    """The answer as the terminal shows it (the streamed part left out)."""
    out: list[str] = []
    if not answer.streamed:
        out.append(answer.text)
    if answer.engine != "offline":
        for section in request.sections:
            out += ["", *render_section(section)]
        cited = [e for e in request.evidence if e.date in set(answer.citations)]
        if cited and not request.sections:
            out += ["", "Evidence:"]
            out += [f'  {e.date.isoformat()} — "{shorten(e.text, 110)}"' for e in cited[:6]]
    return "\n".join(out).strip("\n")


def answer_json(answer: Answer, request: AnswerRequest) -> dict[str, Any]:
    """The documented `ask --json` shape."""
    window = request.window
    return {
        "question": request.question,
        "answer": answer.text,
        "citations": [d.isoformat() for d in answer.citations],
        "evidence": [e.to_json() for e in request.evidence],
        "found": answer.found,
        "route": request.route,
        "range": (
            {
                "start": window.start.isoformat(),
                "end": window.end.isoformat(),
                "phrase": window.phrase,
            }
            if window
            else None
        ),
        "engine": answer.engine,
        "model": answer.model,
        "removed_citations": list(answer.removed),
        "notices": list(answer.notices),
        "sections": [
            {
                "title": s.title,
                "items": [
                    {"text": line.text, "dates": [d.isoformat() for d in line.dates]}
                    for line in s.lines
                ],
            }
            for s in request.sections
        ],
    }
