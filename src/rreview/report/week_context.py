"""This week against the weeks before: the lines of the reflection that say "your usual",
"came back", "still waiting". Every number comes from analyze/; each line cites its days."""

from __future__ import annotations

from datetime import date

from rreview.analyze.bugs import BugFamily, BugMention
from rreview.analyze.stats import fmt_hours, fmt_ratio, median
from rreview.analyze.terms import shorten
from rreview.analyze.week import WeekFacts
from rreview.analyze.weeks import Week
from rreview.report.analyses import ordinal, plural
from rreview.report.analyses.themes import focus_moves
from rreview.report.model import ReportLine


def occurrences_so_far(family: BugFamily, week: Week) -> list[date]:
    """The days the family happened, up to the end of `week`."""
    return [d for d in family.occurrences if d <= week.end]


def is_returning(family: BugFamily, week: Week) -> bool:
    """True when the family happened before this week and again in it."""
    return any(d < week.start for d in family.occurrences)


def family_name(family: BugFamily) -> str:
    """A short name: its key terms, else the representative mention's first words."""
    return ", ".join(family.key_terms[:2]) or shorten(family.representative.text, 40)


def returning_text(family: BugFamily, week: Week) -> str:
    """ "NaN/inf, fp16/bf16 (3rd time since 2026-10-27)"."""
    days = occurrences_so_far(family, week)
    return f"{family_name(family)} ({ordinal(len(days))} time since {days[0].isoformat()})"


def _mention_line(mention: BugMention, group: str | None) -> ReportLine:
    spent = f" (took {fmt_hours(mention.hours)})" if mention.hours is not None else ""
    return ReportLine.citing(shorten(mention.text) + spent, [mention.date], group=group)


def bug_lines(facts: WeekFacts) -> list[ReportLine]:
    """Returning families first (with how often and since when), then this week's other
    bug mentions, in date order."""
    week = facts.week
    lines: list[ReportLine] = []
    back = [f for f in facts.bug_families if is_returning(f, week)]
    for family in back:
        days = occurrences_so_far(family, week)
        group = f"Came back: {family_name(family)}"
        hours = [m.hours for m in family.mentions if m.hours is not None and m.date <= week.end]
        spent = f"; {fmt_hours(sum(hours))} logged on it in all" if hours else ""
        lines.append(
            ReportLine.citing(
                f"{ordinal(len(days))} time since {days[0].isoformat()}: "
                f'"{shorten(family.representative.text, 80)}"{spent}',
                [m.date for m in family.mentions if m.date <= week.end],
                group=group,
            )
        )
        lines += [_mention_line(m, group) for m in family.mentions if week.contains(m.date)]
    rest = sorted(
        (
            m
            for f in facts.bug_families
            if f not in back
            for m in f.mentions
            if week.contains(m.date)
        ),
        key=lambda m: (m.date, m.file, m.line),
    )
    lines += [_mention_line(m, None) for m in rest]
    return lines


def usual_estimates_line(facts: WeekFacts) -> ReportLine | None:
    """Your usual multiplier: the median (and middle half) of every earlier task."""
    if facts.history is None or not facts.history.estimates.tasks:
        return None
    usual = facts.history.estimates
    quartiles = usual.quartiles
    spread = (
        f"; half of them between {fmt_ratio(quartiles[0])} and {fmt_ratio(quartiles[1])}"
        if quartiles and len(usual.tasks) >= 4
        else ""
    )
    return ReportLine.citing(
        f"Your usual: median {fmt_ratio(usual.median_ratio or 0)} over "
        f"{len(usual.tasks)} earlier tasks{spread}",
        usual.dates,
    )


def estimates_versus_usual(facts: WeekFacts) -> str:
    """ "median 2.0x this week against your usual 1.5x" (or just this week's)."""
    this = fmt_ratio(facts.estimates.median_ratio or 0)
    history = facts.history
    if history is None or history.estimates.median_ratio is None:
        return f"median {this} this week"
    return f"median {this} this week against your usual {fmt_ratio(history.estimates.median_ratio)}"


def completion_versus_usual(facts: WeekFacts) -> str:
    """ "; your median over 4 earlier weeks is 71%" or "; 50% the week before" or ""."""
    history = facts.history
    if history is None or not history.completion:
        return ""
    if len(history.completion) == 1:
        week, rate = history.completion[0]
        return f"; {rate:.0%} in {week.label}"
    usual = history.usual_completion or 0.0
    return f"; your median over {len(history.completion)} earlier weeks is {usual:.0%}"


def calibration_line(facts: WeekFacts) -> ReportLine | None:
    """Your predictions so far: how many checked, how far off, how often optimistic."""
    history = facts.history
    if history is None or not history.calibration.checks:
        return None
    cal = history.calibration
    relative = sorted(c.relative_error for c in cal.checks if c.relative_error is not None)
    parts = [f"{len(cal.checks)} checked so far"]
    if relative:
        parts.append(f"median error {median(relative):.0%} of the predicted value")
    if cal.numeric:
        parts.append(f"{cal.optimistic} of {len(cal.numeric)} outcomes worse than predicted")
    if cal.with_side:
        parts.append(f"{cal.held} of {len(cal.with_side)} on the predicted side")
    return ReportLine.citing(
        "Your predictions: " + "; ".join(parts),
        [d for c in cal.checks for d in c.linked.dates],
    )


def idea_lines(facts: WeekFacts) -> list[ReportLine]:
    """This week's ideas (and what became of them), older ideas acted on this week, then the
    oldest ideas still waiting."""
    week = facts.week
    lines = []
    judged = {id(s.idea): s for s in facts.idea_statuses}
    for f in facts.ideas:
        status = judged.get(id(f))
        text = shorten(f.task or f.item.text) + (f" (source: {f.source})" if f.source else "")
        if status is not None and status.acted_on is not None:
            text += (
                f" — acted on {status.acted_on.item.date.isoformat()}: "
                f'"{shorten(status.acted_on.task, 60)}"'
            )
            lines.append(ReportLine.citing(text, status.dates))
        else:
            lines.append(ReportLine.citing(text, [f.item.date]))
    for s in facts.idea_statuses:
        if s.idea.item.date < week.start and s.acted_on is not None:
            lines.append(
                ReportLine.citing(
                    f"{shorten(s.idea.task, 80)} — idea of {s.idea.item.date.isoformat()}, acted "
                    f'on {s.acted_on.item.date.isoformat()}: "{shorten(s.acted_on.task, 60)}"',
                    s.dates,
                )
            )
    for s in facts.waiting_ideas:
        lines.append(
            ReportLine.citing(
                f"{shorten(s.idea.task, 90)} — waiting since {s.idea.item.date.isoformat()} "
                f"({plural(s.waiting_days or 0, 'day')})",
                [s.idea.item.date],
            )
        )
    return lines


def acted_on_this_week(facts: WeekFacts) -> int:
    """Ideas (new or older) acted on during the week."""
    return sum(
        1
        for s in facts.idea_statuses
        if s.acted_on is not None and facts.week.contains(s.acted_on.item.date)
    )


def focus_lines(facts: WeekFacts) -> list[ReportLine]:
    """How the split of done work between themes moved from last week to this one."""
    return focus_moves(facts.focus) if facts.focus is not None else []
