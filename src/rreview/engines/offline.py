"""The offline engine: deterministic, no network, extractive; it states computed facts only."""

from __future__ import annotations

from rreview.analyze.stats import fmt_hours, fmt_ratio
from rreview.analyze.week import WeekFacts
from rreview.config import EngineConfig
from rreview.engines.base import Answer, AnswerRequest, Preview, TextSink, register
from rreview.report.model import ReportLine, ReportSection
from rreview.report.week import plural


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
        """The week in a few lines: to-dos, estimates, bugs, predictions, carried tasks."""
        counts = facts.counts
        lines: list[ReportLine] = []
        if counts.planned:
            share = round(100 * counts.planned_done / counts.planned)
            planned_days = [m.item.date for t in facts.planned for m in t.mentions if m.is_todo]
            lines.append(
                ReportLine.citing(
                    f"{counts.planned_done} of {counts.planned} planned to-dos done ({share}%)",
                    [d for d in planned_days if facts.week.contains(d)],
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
            usual = (
                f" against your usual {fmt_ratio(facts.usual_ratio)} (median ratio)"
                if facts.usual_ratio is not None
                else ""
            )
            lines.append(
                ReportLine.citing(
                    f"Estimates: {len(summary.tasks)} tasks, {fmt_hours(summary.estimated_hours)} "
                    f"planned, {fmt_hours(summary.actual_hours)} taken: "
                    f"{fmt_ratio(summary.total_ratio)} this week{usual}",
                    [d for t in summary.tasks for d in t.dates],
                )
            )
        if facts.bugs:
            lines.append(
                ReportLine.citing(
                    plural(len(facts.bugs), "bug mention"), [f.item.date for f in facts.bugs]
                )
            )
        if facts.predictions:
            lines.append(
                ReportLine.citing(
                    plural(len(facts.predictions), "prediction") + " checked",
                    [d for p in facts.predictions for d in p.dates],
                )
            )
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


@register("offline")
def _offline(config: EngineConfig) -> OfflineEngine:
    return OfflineEngine(config)
