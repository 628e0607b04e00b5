"""The offline engine: deterministic, no network, extractive; it states computed facts only."""

from __future__ import annotations

from rreview.analyze.stats import fmt_hours, fmt_ratio
from rreview.analyze.week import WeekFacts
from rreview.config import EngineConfig
from rreview.engines.base import Answer, AnswerRequest, Preview, TextSink, register
from rreview.report.model import ReportLine, ReportSection
from rreview.report.week import plural, shorten


class OfflineEngine:
    """Writes the summary from the analyses alone: every line a computed fact with its dates."""

    name = "offline"
    description = "deterministic, no network: computed facts and the log's own words"
    needs_network = False
    can_stream = False
    needs_key = False
    key_env_var = None
    default_model = None

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.model: str | None = None
        self.notices: list[str] = []

    def answer(self, request: AnswerRequest, on_text: TextSink | None = None) -> Answer:
        """Extractive: the best supporting items with their dates, or the analysis tables."""
        from rreview.engines.extractive import extractive_answer

        return extractive_answer(request)

    def preview_week(self, facts: WeekFacts) -> Preview | None:
        """Nothing is sent: the offline engine never uses the network."""
        return None

    def preview_answer(self, request: AnswerRequest) -> Preview | None:
        """Nothing is sent: the offline engine never uses the network."""
        return None

    def week_summary(self, facts: WeekFacts) -> ReportSection:
        """The week in a few lines, each against your usual where there is one: to-dos,
        estimates, returning bugs, predictions, ideas, carried tasks."""
        from rreview.report.week_context import (
            acted_on_this_week,
            completion_versus_usual,
            estimates_versus_usual,
            is_returning,
            returning_text,
        )

        counts = facts.counts
        history = facts.history
        lines: list[ReportLine] = []
        if counts.planned:
            share = round(100 * counts.planned_done / counts.planned)
            planned_days = [m.item.date for t in facts.planned for m in t.mentions if m.is_todo]
            cited = [d for d in planned_days if facts.week.contains(d)]
            usual = completion_versus_usual(facts)
            if usual and history is not None:
                cited += [d for t in facts.planned for d in t.dates if d < facts.week.start]
            lines.append(
                ReportLine.citing(
                    f"{counts.planned_done} of {counts.planned} planned to-dos done "
                    f"({share}%{usual})",
                    cited,
                )
            )
        if counts.done:
            lines.append(
                ReportLine.citing(
                    f"{counts.done} items done over {len(counts.days)} logged days", counts.days
                )
            )
        summary = facts.estimates
        if summary.tasks and summary.total_ratio is not None:
            cited = [d for t in summary.tasks for d in t.dates]
            if history is not None:
                cited += history.estimates.dates
            lines.append(
                ReportLine.citing(
                    f"Estimates: {plural(len(summary.tasks), 'task')}, "
                    f"{fmt_hours(summary.estimated_hours)} planned, "
                    f"{fmt_hours(summary.actual_hours)} taken "
                    f"({fmt_ratio(summary.total_ratio)}); {estimates_versus_usual(facts)}",
                    cited,
                )
            )
        if facts.bugs:
            back = [f for f in facts.bug_families if is_returning(f, facts.week)]
            text = plural(len(facts.bugs), "bug mention")
            cited = [f.item.date for f in facts.bugs]
            if back:
                text += f"; {len(back)} from families that came back: " + "; ".join(
                    returning_text(f, facts.week) for f in back
                )
                cited += [m.date for f in back for m in f.mentions if m.date <= facts.week.end]
            lines.append(ReportLine.citing(text, cited))
        if facts.predictions:
            lines.append(self._predictions_line(facts))
        acted = acted_on_this_week(facts)
        if facts.ideas or acted:
            waiting = facts.waiting_ideas
            text = f"{plural(len(facts.ideas), 'new idea')}, {acted} acted on this week"
            cited = [f.item.date for f in facts.ideas] + [
                d for s in facts.idea_statuses if s.acted_on is not None for d in s.dates
            ]
            if waiting:
                oldest = waiting[0]
                text += (
                    f'; oldest still waiting: "{shorten(oldest.idea.task, 60)}" '
                    f"(since {oldest.idea.item.date.isoformat()})"
                )
                cited.append(oldest.idea.item.date)
            lines.append(ReportLine.citing(text, cited))
        if facts.carried:
            longest = max(facts.carried, key=lambda t: len(t.open_dates))
            lines.append(
                ReportLine.citing(
                    f"{plural(len(facts.carried), 'to-do')} carried over; longest on the list: "
                    f'"{longest.text}" ({len(longest.open_dates)} days)',
                    longest.open_dates,
                )
            )
        return ReportSection("In one look", tuple(lines), note="Nothing logged this week.")

    @staticmethod
    def _predictions_line(facts: WeekFacts) -> ReportLine:
        """One checked prediction in full; several as a count and how many were optimistic."""
        from rreview.analyze.predictions import judge

        checks = [judge(p) for p in facts.predictions]
        cited = [d for p in facts.predictions for d in p.dates]
        if len(checks) == 1:
            c = checks[0]
            error = c.prediction.error
            off = "" if error is None else f", error {error:+g}{c.prediction.unit}"
            return ReportLine.citing(
                f'1 prediction checked: "{c.stated}" → "{c.prediction.outcome}"{off}', cited
            )
        numeric = [c for c in checks if c.error is not None]
        worse = sum(1 for c in numeric if c.optimistic)
        detail = f"; {worse} of {len(numeric)} came out worse than predicted" if numeric else ""
        return ReportLine.citing(f"{len(checks)} predictions checked{detail}", cited)


@register("offline")
def _offline(config: EngineConfig) -> OfflineEngine:
    return OfflineEngine(config)
