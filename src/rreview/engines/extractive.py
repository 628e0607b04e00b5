"""The offline engine's answers: the log's own words, each with its date, never rewritten.

A lookup question gets the best supporting items, a nested item together with the bullet it
sits under, ranked (or in date order for "when did ... first"). An aggregate question gets
the analysis tables. Nothing relevant: "I could not find this in the log."
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rreview.analyze.terms import shorten
from rreview.engines.base import Answer, AnswerRequest
from rreview.report.markdown import render_section
from rreview.retrieve.hybrid import Evidence

NOT_FOUND = "I could not find this in the log."
MAX_SHOWN = 5
MAX_DETAILS = 3  # nested bullets shown under an item


def not_found_text(request: AnswerRequest) -> str:
    """The not-found answer, with the closest items outside the asked range if any."""
    window = request.window
    outside = [e for e in request.outside if e.relevant]
    if window is None or not outside:
        if window is not None:
            return f"{NOT_FOUND} Nothing from {window.describe()} matches this question."
        return NOT_FOUND
    lines = [f"Nothing from {window.describe()} matches this question. Closest outside that range:"]
    lines += [_line(e) for e in outside[:3]]
    return "\n".join(lines)


def _line(e: Evidence, label: str | None = None) -> str:
    head = f"{label:<10} {e.date.isoformat()}" if label else e.date.isoformat()
    text = f'{head} — "{shorten(e.text, 160)}"'
    if e.context:
        text += f' (under "{shorten(e.context, 70)}")'
    return text


def _grouped(shown: Sequence[Evidence]) -> list[tuple[Evidence, list[Evidence]]]:
    """Items with the nested items under them that were also retrieved."""
    by_parent: dict[tuple[date, str], list[Evidence]] = {}
    tops: list[Evidence] = []
    texts = {(e.date, e.text) for e in shown}
    for e in shown:
        if e.context and (e.date, e.context) in texts:
            by_parent.setdefault((e.date, e.context), []).append(e)
        else:
            tops.append(e)
    return [(e, by_parent.get((e.date, e.text), [])) for e in tops]


def extractive_answer(request: AnswerRequest) -> Answer:
    """The offline answer to `request`."""
    if request.sections:
        text = "\n\n".join("\n".join(render_section(s)) for s in request.sections)
        days = sorted(request.dates())
        return Answer(text=text, citations=tuple(days), found=bool(days))
    relevant = [e for e in request.evidence if e.relevant]
    if not relevant:
        outside = tuple(sorted({e.date for e in request.outside if e.relevant}))
        return Answer(text=not_found_text(request), citations=outside, found=False)
    exact = [e for e in relevant if e.exact]
    if exact:  # what the user typed, verbatim: those items, and what sits under them
        tops = {(e.date, e.text) for e in exact}
        relevant = exact + [e for e in relevant if not e.exact and (e.date, e.context) in tops]
    shown = relevant[:MAX_SHOWN]
    if request.chronological:
        shown = sorted(shown, key=lambda e: (e.date, e.line))
    lines: list[str] = []
    for n, (top, children) in enumerate(_grouped(shown)):
        label = None
        if request.chronological:
            label = "First seen" if n == 0 else "Again"
        lines.append(_line(top, label))
        under = [c.text for c in children]
        under += [d for d in top.details if d not in under][: max(0, MAX_DETAILS - len(under))]
        lines += ["    " + f'"{shorten(text, 150)}"' for text in under]
    retrieved = len(request.evidence)
    if retrieved > len(shown):
        lines.append(
            f"({len(shown)} of {retrieved} retrieved items shown; --json for all with scores)"
        )
    return Answer(text="\n".join(lines), citations=tuple(sorted({e.date for e in shown})))
