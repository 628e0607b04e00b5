"""`rreview bugs`: bug families as sections and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rreview.analyze.bugs import BugFamily, BugMention
from rreview.analyze.stats import fmt_hours
from rreview.analyze.terms import shorten
from rreview.report.analyses import iso
from rreview.report.model import ReportLine, ReportSection


def _mention_json(m: BugMention) -> dict[str, Any]:
    return {
        "date": m.date.isoformat(),
        "text": m.text,
        "file": m.file,
        "line": m.line,
        "hours": m.hours,
    }


def bugs_json(families: Sequence[BugFamily]) -> list[dict[str, Any]]:
    """`rreview bugs --json`: a list of families, recurring ones first, largest first."""
    return [
        {
            "label": f.label,
            "key_terms": list(f.key_terms),
            "recurring": f.recurring,
            "count": len(f.mentions),
            "dates": iso(f.dates),
            "occurrences": iso(f.occurrences),
            "hours": f.hours,
            "representative": _mention_json(f.representative),
            "mentions": [_mention_json(m) for m in f.mentions],
        }
        for f in families
    ]


def _spent(hours: float | None, timed: int, total: int) -> str:
    if hours is None:
        return "no time logged"
    return f"{fmt_hours(hours)} logged" + (
        f" ({timed} of {total} mentions)" if timed < total else ""
    )


def bugs_sections(families: Sequence[BugFamily]) -> list[ReportSection]:
    """Recurring families (each with its mentions), then the one-offs."""
    recurring = [f for f in families if f.recurring]
    lines: list[ReportLine] = []
    for family in recurring:
        times = len(family.occurrences)
        lines.append(
            ReportLine.citing(
                f"{times} times, first {family.dates[0].isoformat()}, last "
                f"{family.dates[-1].isoformat()}; "
                f"{_spent(family.hours, family.timed, len(family.mentions))}",
                family.dates,
                group=family.label,
            )
        )
        for m in family.mentions:
            took = f" (took {fmt_hours(m.hours)})" if m.hours is not None else ""
            lines.append(
                ReportLine.citing(
                    f"{shorten(m.text, 110)}{took} — {m.file}:{m.line}",
                    [m.date],
                    group=family.label,
                )
            )
    once = [f for f in families if not f.recurring]
    singles = [
        ReportLine.citing(
            f"{shorten(m.text, 110)}"
            + (f" (took {fmt_hours(m.hours)})" if m.hours is not None else "")
            + f" — {m.file}:{m.line}",
            [m.date],
        )
        for f in once
        for m in f.mentions
    ]
    return [
        ReportSection(
            f"Recurring bugs ({len(recurring)} families)",
            tuple(lines),
            note="No bug family came back on a second day.",
        ),
        ReportSection(f"One-off bugs ({len(singles)})", tuple(singles), note="None."),
    ]
