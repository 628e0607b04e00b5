"""The computed sections of the weekly reflection: the same whatever engine writes the prose."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from rreview.analyze.stats import fmt_hours, fmt_ratio
from rreview.analyze.terms import shorten
from rreview.analyze.week import WeekCounts, WeekFacts, topic_of
from rreview.extract.facts import ItemFacts
from rreview.report.analyses import plural
from rreview.report.model import ReportLine, ReportSection
from rreview.report.week_context import (
    acted_on_this_week,
    bug_lines,
    calibration_line,
    focus_lines,
    idea_lines,
    usual_estimates_line,
)

__all__ = ["computed_sections", "plural", "shorten"]  # plural, shorten: used by engines


def _days(facts: Iterable[ItemFacts]) -> list[date]:
    return [f.item.date for f in facts]


def done_section(facts: WeekFacts) -> ReportSection:
    """What was done, grouped by topic tag where the log has tags."""
    groups: dict[str | None, list[ItemFacts]] = {}
    for f in facts.done:
        groups.setdefault(topic_of(f), []).append(f)
    tagged = any(key is not None for key in groups)
    order = sorted(groups, key=lambda key: (key is None, -len(groups[key]), key or ""))
    lines = [
        ReportLine.citing(
            shorten(f.task or f.item.text),
            [f.item.date],
            group=(key or "other") if tagged else None,
        )
        for key in order
        for f in groups[key]
    ]
    return ReportSection("What was done", tuple(lines), note="No done items logged this week.")


def carried_section(facts: WeekFacts) -> ReportSection:
    """To-dos that stayed on the list for more than one day, and for how long."""
    lines = []
    for task in facts.carried:
        listed = len(task.open_dates)
        first = task.first_seen.isoformat()
        if task.done_date:
            text = (
                f'"{shorten(task.text, 90)}": first planned {first}, done '
                f"{task.done_date.isoformat()}, {plural(task.span_days or 0, 'day')} later "
                f"(listed open on {plural(listed, 'day')})"
            )
            cited = [*task.open_dates, task.done_date]
        else:
            last = max(task.open_dates)
            text = (
                f'"{shorten(task.text, 90)}": first planned {first}, still open on '
                f"{last.isoformat()}, {plural((last - task.first_seen).days, 'day')} later "
                f"(listed open on {plural(listed, 'day')})"
            )
            cited = list(task.open_dates)
        lines.append(ReportLine.citing(text, cited))
    return ReportSection("Carried over", tuple(lines), note="No to-do was carried over.")


def bugs_section(facts: WeekFacts) -> ReportSection:
    """The week's bug mentions: families that came back (how often, since when) first, then
    the others, each with the time logged on it."""
    lines = bug_lines(facts)
    if not lines:  # no families computed: list the mentions as they are
        for f in facts.bugs:
            spent = f" (took {fmt_hours(f.actual_hours)})" if f.actual_hours is not None else ""
            lines.append(ReportLine.citing(shorten(f.task or f.item.text) + spent, [f.item.date]))
    timed = [f for f in facts.bugs if f.actual_hours is not None]
    if timed:
        total = sum(f.actual_hours or 0 for f in timed)
        lines.append(
            ReportLine.citing(
                f"Time logged on bugs: {fmt_hours(total)} over {len(timed)} of "
                f"{len(facts.bugs)} mentions",
                _days(timed),
            )
        )
    return ReportSection("Bugs", tuple(lines), note="No bug logged this week.")


def estimates_section(facts: WeekFacts) -> ReportSection:
    """Estimate against actual, task by task, with the week's totals and ratios."""
    summary = facts.estimates
    lines = [
        ReportLine.citing(
            task.text,
            task.dates,
            data={
                "task": shorten(task.text, 70),
                "est": fmt_hours(task.estimate_hours or 0),
                "took": fmt_hours(task.actual_hours or 0),
                "ratio": fmt_ratio(task.ratio or 0),
                "estimate_hours": task.estimate_hours,
                "actual_hours": task.actual_hours,
            },
        )
        for task in summary.tasks
    ]
    if summary.tasks and summary.total_ratio is not None:
        days = [d for task in summary.tasks for d in task.dates]
        lines.append(
            ReportLine.citing(
                f"Total: {fmt_hours(summary.estimated_hours)} planned, "
                f"{fmt_hours(summary.actual_hours)} taken ({fmt_ratio(summary.total_ratio)}); "
                f"median ratio this week {fmt_ratio(summary.median_ratio or 0)}",
                days,
            )
        )
        usual = usual_estimates_line(facts)
        if usual is not None:
            lines.append(usual)
        worst = max(summary.tasks, key=lambda t: t.ratio or 0)
        if (worst.ratio or 0) > 1:
            lines.append(
                ReportLine.citing(
                    f'Worst overrun: "{shorten(worst.text, 70)}" at {fmt_ratio(worst.ratio or 0)}',
                    worst.dates,
                )
            )
    return ReportSection(
        "Estimates vs actual",
        tuple(lines),
        table=("task", "est", "took", "ratio"),
        note="No task this week has both an estimate and an actual.",
    )


def predictions_section(facts: WeekFacts) -> ReportSection:
    """Predictions checked this week (with the error), then those still waiting."""
    lines = []
    for p in facts.predictions:
        pred = p.prediction
        error = pred.error
        off = "" if error is None else f" ({error:+g}{pred.unit})"
        stated = p.made.prediction.predicted if p.made.prediction else pred.predicted
        lines.append(
            ReportLine.citing(
                f'Predicted "{stated}", got "{pred.outcome}"{off}',
                p.dates,
            )
        )
    for p in facts.open_predictions:
        lines.append(
            ReportLine.citing(
                f'Open: "{p.prediction.predicted}", no outcome logged yet', [p.made.item.date]
            )
        )
    so_far = calibration_line(facts) if facts.predictions else None
    if so_far is not None:
        lines.append(so_far)
    return ReportSection("Predictions", tuple(lines), note="No prediction made or checked.")


def ideas_section(facts: WeekFacts) -> ReportSection:
    """New ideas of the week (with their source, and what became of them), older ideas
    acted on this week, and the oldest ideas still waiting."""
    lines = idea_lines(facts)
    title = f"Ideas ({len(facts.ideas)} new, {acted_on_this_week(facts)} acted on)"
    return ReportSection(title, tuple(lines), note="No new idea logged.")


def sources_section(facts: WeekFacts) -> ReportSection:
    """Where this week's ideas and findings came from, by kind."""
    by_kind: dict[str, list[ItemFacts]] = {}
    for f in facts.sources:
        by_kind.setdefault(f.source_kind.value if f.source_kind else "other", []).append(f)
    lines = [
        ReportLine.citing(
            f"{kind}: {len(items)} ("
            + "; ".join(shorten(f.task, 50) for f in items[:3])
            + (", …" if len(items) > 3 else "")
            + ")",
            _days(items),
        )
        for kind, items in sorted(by_kind.items(), key=lambda kv: -len(kv[1]))
    ]
    return ReportSection("Sources", tuple(lines), note="No item names its source.")


def _versus(label: str, now: object, before: object) -> str:
    return f"{label}: {now} vs {before}"


def comparison_section(facts: WeekFacts) -> ReportSection:
    """This week against the one before, in counts."""
    now, before = facts.counts, facts.previous
    if not before.days:
        return ReportSection(
            "Compared with last week",
            (),
            note=f"Nothing logged in {facts.week.previous().label} to compare with.",
        )
    days = [*now.days, *before.days]

    def ratio(c: WeekCounts) -> str:
        return fmt_ratio(c.estimate_ratio) if c.estimate_ratio is not None else "n/a"

    rows = [
        _versus("Days logged", len(now.days), len(before.days)),
        _versus("Items done", now.done, before.done),
        _versus(
            "Planned to-dos done",
            f"{now.planned_done}/{now.planned}",
            f"{before.planned_done}/{before.planned}",
        ),
        _versus("Bug mentions", now.bugs, before.bugs),
        _versus("Estimate overrun (taken/planned)", ratio(now), ratio(before)),
        _versus("Predictions checked", now.predictions_checked, before.predictions_checked),
        _versus("Ideas", now.ideas, before.ideas),
    ]
    lines = [
        ReportLine.citing(f"{row} ({facts.week.label} vs {facts.week.previous().label})", days)
        for row in rows
    ]
    lines += [
        ReportLine.citing(f"Focus {line.text}", line.dates, group=line.group)
        for line in focus_lines(facts)
    ]
    return ReportSection("Compared with last week", tuple(lines))


def computed_sections(facts: WeekFacts) -> list[ReportSection]:
    """Every computed section, in report order."""
    return [
        done_section(facts),
        carried_section(facts),
        bugs_section(facts),
        estimates_section(facts),
        predictions_section(facts),
        ideas_section(facts),
        sources_section(facts),
        comparison_section(facts),
    ]


def counter_text(counter: Counter[str]) -> str:
    """ "paper 2, chat 1"."""
    return ", ".join(f"{key} {value}" for key, value in counter.most_common())


def dates_of(lines: Sequence[ReportLine]) -> list[date]:
    """All dates cited by `lines`."""
    return [d for line in lines for d in line.dates]
