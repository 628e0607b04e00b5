"""`rreview todos` and `rreview ideas`: plan against done and the idea backlog."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rreview.analyze.ideas import IdeaStatus
from rreview.analyze.terms import shorten
from rreview.analyze.todos import TodoAge, WeekCompletion
from rreview.extract.tasks import Task
from rreview.report.analyses import iso, item_json, plural, rounded
from rreview.report.model import ReportLine, ReportSection


def _age_json(a: TodoAge) -> dict[str, Any]:
    return {
        "task": a.task.text,
        "first_seen": a.task.first_seen.isoformat(),
        "last_day": a.last_day.isoformat(),
        "age_days": a.age_days,
        "status": a.status,
        "days_listed": len(a.task.open_dates),
        "open_dates": iso(a.task.open_dates),
        "done_date": a.task.done_date.isoformat() if a.task.done_date else None,
        "dates": iso(a.dates),
    }


def _dropped_json(t: Task) -> dict[str, Any]:
    last = t.mentions[-1].item
    return {
        "task": t.text,
        "first_seen": t.first_seen.isoformat(),
        "last_listed": max(t.open_dates).isoformat(),
        "days_listed": len(t.open_dates),
        "file": last.file,
        "line": last.line,
        "dates": iso(t.open_dates),
    }


def todos_json(
    weeks: Sequence[WeekCompletion],
    ages: Sequence[TodoAge],
    dropped: Sequence[Task],
    still_open: Sequence[Task],
) -> dict[str, Any]:
    """`rreview todos --json`: completion per week, carried longest, dropped, still open."""
    return {
        "weeks": [
            {
                "week": w.week.label,
                "start": w.week.start.isoformat(),
                "end": w.week.end.isoformat(),
                "planned": len(w.planned),
                "done": len(w.done),
                "rate": rounded(w.rate),
                "dates": iso(w.dates),
            }
            for w in weeks
        ],
        "carried": [_age_json(a) for a in ages],
        "dropped": [_dropped_json(t) for t in dropped],
        "open": [_dropped_json(t) for t in still_open],
    }


def todos_sections(
    weeks: Sequence[WeekCompletion],
    ages: Sequence[TodoAge],
    dropped: Sequence[Task],
    still_open: Sequence[Task],
) -> list[ReportSection]:
    """Plan against done per week; carried longest; dropped; still open."""
    per_week = [
        ReportLine.citing(
            f"{w.week.label}: {len(w.done)} of {len(w.planned)} planned to-dos done ({w.rate:.0%})",
            w.dates,
        )
        for w in weeks
        if w.planned and w.rate is not None
    ]
    carried = [
        ReportLine.citing(
            f'"{shorten(a.task.text, 80)}": {plural(a.age_days, "day")} from '
            f"{a.task.first_seen.isoformat()} to {a.last_day.isoformat()}, listed open on "
            f"{plural(len(a.task.open_dates), 'day')}; "
            + {"done": "done", "open": "still open", "dropped": "dropped, not done"}[a.status],
            a.dates,
        )
        for a in ages
    ]
    gone = [
        ReportLine.citing(
            f'"{shorten(t.text, 80)}": listed on {plural(len(t.open_dates), "day")}, last on '
            f"{max(t.open_dates).isoformat()}, never marked done",
            t.open_dates,
        )
        for t in dropped
    ]
    waiting = [
        ReportLine.citing(
            f'"{shorten(t.text, 80)}": open since {t.first_seen.isoformat()}', t.open_dates
        )
        for t in still_open
    ]
    return [
        ReportSection("Planned against done, by week", tuple(per_week), note="No to-dos."),
        ReportSection("Carried longest", tuple(carried), note="No to-do was carried."),
        ReportSection(
            f"Dropped without being done ({len(gone)})", tuple(gone), note="None dropped."
        ),
        ReportSection(f"Still open ({len(waiting)})", tuple(waiting), note="None open."),
    ]


def ideas_json(statuses: Sequence[IdeaStatus]) -> list[dict[str, Any]]:
    """`rreview ideas --json`: waiting ideas (oldest first), then those acted on."""
    out = []
    for s in statuses:
        acted = s.acted_on
        out.append(
            {
                **item_json(s.idea),
                "source": s.idea.source,
                "status": "acted_on" if acted else "waiting",
                "waiting_days": s.waiting_days,
                "acted_on": None
                if acted is None
                else {**item_json(acted), "score": rounded(s.score, 3)},
                "dates": iso(s.dates),
            }
        )
    return out


def ideas_sections(statuses: Sequence[IdeaStatus]) -> list[ReportSection]:
    """Waiting ideas, oldest first; then the ones acted on, with the day and the item."""
    waiting = [
        ReportLine.citing(
            f'"{shorten(s.idea.task, 100)}": waiting {plural(s.waiting_days or 0, "day")}', s.dates
        )
        for s in statuses
        if s.acted_on is None
    ]
    acted = [
        ReportLine.citing(
            f'"{shorten(s.idea.task, 80)}" → acted on {s.acted_on.item.date.isoformat()}: '
            f'"{shorten(s.acted_on.task, 80)}"',
            s.dates,
        )
        for s in statuses
        if s.acted_on is not None
    ]
    return [
        ReportSection(f"Waiting, oldest first ({len(waiting)})", tuple(waiting), note="None."),
        ReportSection(f"Acted on ({len(acted)})", tuple(acted), note="None yet."),
    ]
