"""`rreview focus` and `rreview sources`: themes and sources per week, as sections and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rreview.analyze.focus import FocusReport
from rreview.analyze.sources import WeekSources, kind_of
from rreview.analyze.terms import shorten
from rreview.extract.facts import ItemFacts
from rreview.report.analyses import iso, item_json, plural, rounded
from rreview.report.model import ReportLine, ReportSection


def focus_json(report: FocusReport) -> dict[str, Any]:
    """`rreview focus --json`: themes, and each week's share of them."""
    return {
        "themes": [
            {
                "label": t.label,
                "tag": t.tag,
                "key_terms": list(t.key_terms),
                "count": len(t.items),
                "dates": iso(t.dates),
            }
            for t in report.themes
        ],
        "weeks": [
            {
                "week": w.week.label,
                "start": w.week.start.isoformat(),
                "end": w.week.end.isoformat(),
                "total": w.total,
                "themes": [
                    {
                        "label": t.label,
                        "count": len(items),
                        "share": rounded(w.share(t)),
                        "dates": iso([f.item.date for f in items]),
                    }
                    for t, items in w.by_theme
                ],
            }
            for w in report.weeks
        ],
    }


def focus_sections(report: FocusReport) -> list[ReportSection]:
    """Themes, then each week's split, then the largest moves between first and last week."""
    themes = tuple(
        ReportLine.citing(
            f"{t.label}: {plural(len(t.items), 'done item')}, e.g. "
            + "; ".join(f'"{shorten(f.task, 50)}"' for f in t.items[:2]),
            t.dates,
        )
        for t in report.themes
    )
    weeks = []
    for w in report.weeks:
        if not w.total:
            continue
        split = ", ".join(
            f"{t.label.split(':')[0]} {w.share(t):.0%} ({len(items)})" for t, items in w.by_theme
        )
        weeks.append(
            ReportLine.citing(
                f"{w.week.label} ({w.total} done items): {split}",
                [f.item.date for _, items in w.by_theme for f in items],
            )
        )
    return [
        ReportSection("Themes", themes, note="No done items in these weeks."),
        ReportSection("Share by week", tuple(weeks), note="No done items in these weeks."),
        ReportSection("How focus moved", tuple(focus_moves(report)), note="One week only."),
    ]


def focus_moves(report: FocusReport, limit: int = 3) -> list[ReportLine]:
    """The themes whose share changed most between the first and the last week with work."""
    active = [w for w in report.weeks if w.total]
    if len(active) < 2:
        return []
    first, last = active[0], active[-1]
    named = [t for t in report.themes if t.key_terms or t.tag]  # "other" is no direction
    changes = sorted(
        named,
        key=lambda t: (-abs(last.share(t) - first.share(t)), t.label),
    )
    lines = []
    for theme in changes[:limit]:
        before, after = first.share(theme), last.share(theme)
        if round(before * 100) == round(after * 100):
            continue
        cited = [
            f.item.date
            for f in theme.items
            if first.week.contains(f.item.date) or last.week.contains(f.item.date)
        ]
        lines.append(
            ReportLine.citing(
                f"{theme.label.split(':')[0]}: {before:.0%} → {after:.0%} "
                f"({first.week.label} → {last.week.label})",
                cited,
            )
        )
    return lines


def sources_json(weeks: Sequence[WeekSources], unsourced: Sequence[ItemFacts]) -> dict[str, Any]:
    """`rreview sources --json`: per week, counts by kind and the items."""
    totals: dict[str, int] = {}
    for w in weeks:
        for kind, n in w.counts.items():
            totals[kind] = totals.get(kind, 0) + n
    return {
        "weeks": [
            {
                "week": w.week.label,
                "start": w.week.start.isoformat(),
                "end": w.week.end.isoformat(),
                "counts": w.counts,
                "items": [
                    {**item_json(f), "source": f.source, "kind": kind_of(f)} for f in w.items
                ],
            }
            for w in weeks
        ],
        "totals": dict(sorted(totals.items(), key=lambda kv: -kv[1])),
        "unsourced_ideas": [item_json(f) for f in unsourced],
    }


def sources_sections(
    weeks: Sequence[WeekSources], unsourced: Sequence[ItemFacts]
) -> list[ReportSection]:
    """One line per week with its counts by kind, then each kind's items."""
    per_week = []
    for w in weeks:
        if not w.items:
            continue
        counts = ", ".join(f"{kind} {n}" for kind, n in w.counts.items())
        per_week.append(ReportLine.citing(f"{w.week.label}: {counts}", w.dates))
    detail = [
        ReportLine.citing(
            f"{w.week.label}, {kind}: "
            + "; ".join(f'"{shorten(f.task, 60)}" ({f.source})' for f in w.of_kind(kind)),
            [f.item.date for f in w.of_kind(kind)],
        )
        for w in weeks
        for kind in w.counts
    ]
    sections = [
        ReportSection("Sources by week", tuple(per_week), note="No item names its source."),
        ReportSection("What came from where", tuple(detail), note="Nothing."),
    ]
    if unsourced:
        sections.append(
            ReportSection(
                "Ideas with no source",
                (
                    ReportLine.citing(
                        f"{len(unsourced)} ideas do not say where they came from "
                        "(add `source: ...` to count them)",
                        [f.item.date for f in unsourced],
                    ),
                ),
            )
        )
    return sections
