"""`rreview estimates` and `rreview predictions`: calibration as sections and JSON."""

from __future__ import annotations

from typing import Any

from rreview.analyze.estimates import EstimateReport, EstimateSummary, closing_day, task_topic
from rreview.analyze.predictions import Calibration, CheckedPrediction, PredictionCheck
from rreview.analyze.stats import fmt_hours, fmt_ratio
from rreview.analyze.terms import shorten
from rreview.extract.tasks import Task
from rreview.report.analyses import iso, plural, rounded
from rreview.report.model import ReportLine, ReportSection


def _task_json(task: Task) -> dict[str, Any]:
    return {
        "date": closing_day(task).isoformat(),
        "task": task.text,
        "estimate_hours": task.estimate_hours,
        "actual_hours": task.actual_hours,
        "ratio": rounded(task.ratio),
        "first_seen": task.first_seen.isoformat(),
        "span_days": task.span_days,
        "tag": task_topic(task),
        "dates": iso(task.dates),
    }


def _summary_json(s: EstimateSummary) -> dict[str, Any]:
    quartiles = s.quartiles
    ratios = s.ratios
    return {
        "count": len(s.tasks),
        "estimated_hours": s.estimated_hours,
        "actual_hours": s.actual_hours,
        "total_ratio": rounded(s.total_ratio),
        "median_ratio": rounded(s.median_ratio),
        "ratio_p25": rounded(quartiles[0]) if quartiles else None,
        "ratio_p75": rounded(quartiles[1]) if quartiles else None,
        "ratio_min": rounded(min(ratios)) if ratios else None,
        "ratio_max": rounded(max(ratios)) if ratios else None,
        "overruns": sum(1 for r in ratios if r > 1),
        "underruns": sum(1 for r in ratios if r < 1),
        "on_estimate": sum(1 for r in ratios if r == 1),
        "dates": iso(s.dates),
    }


def estimates_json(report: EstimateReport) -> dict[str, Any]:
    """`rreview estimates --json`: `tasks` and `summary`, then the breakdowns."""
    return {
        "tasks": [_task_json(t) for t in report.summary.tasks],
        "summary": _summary_json(report.summary),
        "by_tag": [{"tag": tag, **_summary_json(s)} for tag, s in report.by_tag],
        "worst_overruns": [_task_json(t) for t in report.worst],
        "multi_day": [_task_json(t) for t in report.multi_day],
        "by_week": [
            {
                "week": w.label,
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                **_summary_json(s),
            }
            for w, s in report.by_week
        ],
    }


def _summary_text(s: EstimateSummary) -> str:
    quartiles = s.quartiles
    spread = (
        f"; half of them between {fmt_ratio(quartiles[0])} and {fmt_ratio(quartiles[1])}"
        if quartiles and len(s.tasks) >= 4
        else ""
    )
    return (
        f"median {fmt_ratio(s.median_ratio or 0)} over {plural(len(s.tasks), 'task')}{spread}; "
        f"{fmt_hours(s.estimated_hours)} planned, {fmt_hours(s.actual_hours)} taken "
        f"({fmt_ratio(s.total_ratio or 0)})"
    )


def _task_row(task: Task) -> ReportLine:
    return ReportLine.citing(
        task.text,
        task.dates,
        data={
            "task": shorten(task.text, 60),
            "est": fmt_hours(task.estimate_hours or 0),
            "took": fmt_hours(task.actual_hours or 0),
            "ratio": fmt_ratio(task.ratio or 0),
            "done": closing_day(task).isoformat(),
        },
    )


def estimates_sections(report: EstimateReport) -> list[ReportSection]:
    """The planning multiplier, every pair, by tag, worst overruns, multi-day, by week."""
    s = report.summary
    if not s.tasks:
        return [
            ReportSection(
                "Estimates", (), note="No task has both an estimate and an actual (est/took)."
            )
        ]
    ratios = s.ratios
    head = [
        ReportLine.citing(f"Your planning multiplier: {_summary_text(s)}", s.dates),
        ReportLine.citing(
            f"{sum(1 for r in ratios if r > 1)} overran, {sum(1 for r in ratios if r < 1)} "
            f"finished early, {sum(1 for r in ratios if r == 1)} on the estimate; range "
            f"{fmt_ratio(min(ratios))} to {fmt_ratio(max(ratios))}",
            s.dates,
        ),
    ]
    sections = [ReportSection("Planning multiplier", tuple(head))]
    if report.by_tag:
        sections.append(
            ReportSection(
                "By tag",
                tuple(
                    ReportLine.citing(f"#{tag}: {_summary_text(t)}", t.dates)
                    if tag != "untagged"
                    else ReportLine.citing(f"untagged: {_summary_text(t)}", t.dates)
                    for tag, t in report.by_tag
                ),
            )
        )
    sections.append(
        ReportSection(
            f"Worst overruns ({len(report.worst)})",
            tuple(_task_row(t) for t in report.worst),
            table=("task", "est", "took", "ratio"),
            note="No task overran its estimate.",
        )
    )
    sections.append(
        ReportSection(
            "Multi-day tasks, longest span first",
            tuple(
                ReportLine.citing(
                    f'"{shorten(t.text, 80)}": planned {t.first_seen.isoformat()}, done '
                    f"{closing_day(t).isoformat()} ({plural(t.span_days or 0, 'day')}), "
                    f"{fmt_hours(t.estimate_hours or 0)} planned, "
                    f"{fmt_hours(t.actual_hours or 0)} taken ({fmt_ratio(t.ratio or 0)})",
                    t.dates,
                )
                for t in report.multi_day
            ),
            note="Every task was planned and done on the same day.",
        )
    )
    sections.append(
        ReportSection(
            "Trend by week",
            tuple(
                ReportLine.citing(f"{w.label}: {_summary_text(ws)}", ws.dates)
                for w, ws in report.by_week
            ),
        )
    )
    sections.append(
        ReportSection(
            f"Every task ({len(s.tasks)})",
            tuple(_task_row(t) for t in s.tasks),
            table=("task", "est", "took", "ratio", "done"),
        )
    )
    return sections


def _check_json(c: PredictionCheck) -> dict[str, Any]:
    p = c.prediction
    checked = c.linked.checked
    return {
        "made": c.linked.made.item.date.isoformat(),
        "checked": checked.item.date.isoformat() if checked else None,
        "predicted": c.stated,
        "outcome": p.outcome,
        "predicted_value": p.predicted_value,
        "outcome_value": p.outcome_value,
        "unit": p.unit.strip(),
        "error": p.error,
        "relative_error": rounded(c.relative_error),
        "kind": c.kind,
        "held": c.held,
        "optimistic": c.optimistic,
        "file": (checked or c.linked.made).item.file,
        "line": (checked or c.linked.made).item.line,
        "dates": iso(c.linked.dates),
    }


def _open_json(p: CheckedPrediction) -> dict[str, Any]:
    return {
        "made": p.made.item.date.isoformat(),
        "predicted": p.prediction.predicted,
        "file": p.made.item.file,
        "line": p.made.item.line,
        "dates": iso(p.dates),
    }


def _relative_errors(cal: Calibration) -> list[float]:
    return sorted(c.relative_error for c in cal.checks if c.relative_error is not None)


def predictions_json(cal: Calibration) -> dict[str, Any]:
    """`rreview predictions --json`: checked (most-off first), open, and the summary."""
    from rreview.analyze.stats import median

    mae = cal.mean_absolute_error()
    side = cal.with_side
    return {
        "predictions": [_check_json(c) for c in cal.checks],
        "open": [_open_json(p) for p in cal.open],
        "summary": {
            "checked": len(cal.checks),
            "open": len(cal.open),
            "numeric": len(cal.numeric),
            "with_side": len(side),
            "held": cal.held,
            "held_share": rounded(cal.held / len(side)) if side else None,
            "mean_absolute_error": {
                (unit.strip() or "none"): {"value": rounded(v), "count": n}
                for unit, (v, n) in mae.items()
            },
            "median_relative_error": rounded(median(_relative_errors(cal))),
            "optimistic": cal.optimistic,
            "pessimistic": cal.pessimistic,
        },
    }


def _error_text(c: PredictionCheck) -> str:
    p = c.prediction
    if p.error is None:
        return "no number to compare"
    relative = c.relative_error
    share = "" if relative is None else " (<1%)" if relative < 0.005 else f" ({relative:.0%})"
    return f"error {p.error:+g}{p.unit}{share}"


def predictions_sections(cal: Calibration) -> list[ReportSection]:
    """Calibration summary, then each checked prediction (most-off first), then open ones."""
    from rreview.analyze.stats import median

    every = [d for c in cal.checks for d in c.linked.dates]
    summary: list[ReportLine] = []
    if cal.checks:
        summary.append(
            ReportLine.citing(
                f"{plural(len(cal.checks), 'prediction')} checked, {len(cal.open)} still open",
                every,
            )
        )
        side = cal.with_side
        if side:
            summary.append(
                ReportLine.citing(
                    f"Outcome on the predicted side: {cal.held} of {len(side)} predictions "
                    "that state a direction or a bound",
                    [d for c in side for d in c.linked.dates],
                )
            )
        for unit, (value, n) in cal.mean_absolute_error().items():
            label = unit.strip() or "no unit"
            cited = [d for c in cal.numeric if c.prediction.unit == unit for d in c.linked.dates]
            summary.append(
                ReportLine.citing(
                    f"Mean absolute error ({label}): {value:.3g}{unit} over "
                    + plural(n, "prediction"),
                    cited,
                )
            )
        relative = _relative_errors(cal)
        if relative:
            numeric = [d for c in cal.numeric for d in c.linked.dates]
            summary.append(
                ReportLine.citing(
                    f"Median relative error {median(relative):.0%}; {cal.optimistic} of "
                    f"{len(cal.numeric)} numeric outcomes were worse than predicted "
                    f"(optimistic), {cal.pessimistic} better",
                    numeric,
                )
            )
    checks = [
        ReportLine.citing(
            f'"{c.stated}" → "{c.prediction.outcome}": {_error_text(c)}'
            + (
                ""
                if c.held is None
                else "; on the predicted side"
                if c.held
                else "; NOT on the predicted side"
            ),
            c.linked.dates,
        )
        for c in cal.checks
    ]
    opened = [
        ReportLine.citing(
            f'"{p.prediction.predicted}": made {p.made.item.date.isoformat()}, no outcome yet',
            p.dates,
        )
        for p in cal.open
    ]
    return [
        ReportSection("Calibration", tuple(summary), note="No prediction has an outcome yet."),
        ReportSection("Checked, most off first", tuple(checks), note="None."),
        ReportSection("Open", tuple(opened), note="None."),
    ]
