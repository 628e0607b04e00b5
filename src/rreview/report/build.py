"""The weekly report built from the log's facts: one place, used by `week` and `email`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rreview.analyze.week import WeekFacts, week_facts
from rreview.analyze.weeks import Week
from rreview.engines.base import Engine
from rreview.extract.facts import ItemFacts
from rreview.report.model import WeekReport
from rreview.report.week import computed_sections

if TYPE_CHECKING:
    from rreview.analyze.terms import Vocabulary
    from rreview.analyze.vectors import ItemVectors


def build_week_report(
    facts: Sequence[ItemFacts],
    week: Week,
    engine: Engine,
    vectors: ItemVectors | None = None,
    vocab: Vocabulary | None = None,
) -> tuple[WeekReport, WeekFacts]:
    """The weekly reflection of `week` (the engine's summary, then the computed sections)
    and the facts it was built from. `vectors`: the index's item vectors (bug families,
    ideas acted on, focus); without them the model embeds the items it needs. `vocab`:
    the vocabulary of the items up to the week's end, if the caller keeps one."""
    computed = week_facts(facts, week, vectors, vocab)
    title = (
        f"Week {week.label} ({week.start:%a %d %b} – {week.end:%a %d %b %Y})"
        f" — {len(computed.counts.days)} days logged, {computed.counts.items} items"
    )
    report = WeekReport(
        week=week.label,
        start=week.start,
        end=week.end,
        title=title,
        sections=(engine.week_summary(computed), *computed_sections(computed)),
    )
    return report, computed
