"""`rreview eval --judge`: a model grades each weekly report for faithfulness and coverage.

Model-judged scores are an opinion, not a measurement: they are kept apart from the
reference metrics (a separate section of the table and of --json), never compared with a
threshold and never change the exit code. The rubric is a versioned prompt file
(`prompts/judge.md`); the entries and the report go in as forged-proof data blocks, like
every other prompt; the reply must be one strict JSON verdict, and a reply that is not is
reported as malformed, not counted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rreview.errors import OperationError, RreviewError

if TYPE_CHECKING:
    from rreview.engines.model import ModelEngine
    from rreview.engines.prompts import RenderedPrompt
    from rreview.extract.facts import ItemFacts
    from rreview.report.model import WeekReport

PROMPT_ID = "judge"
CRITERIA = ("faithfulness", "coverage")
FENCE_RE = re.compile(r"\A```(?:json)?\s*\n(.*)\n```\Z", re.S)  # the one wrapper tolerated
MAX_SHOWN = 200  # characters of a malformed reply kept for the reader


class MalformedVerdict(OperationError):
    """The judge's reply is not the JSON verdict the rubric asks for."""


@dataclass(frozen=True)
class Grade:
    """One criterion's score (1-5), the judge's reason, and the entry dates it rests on."""

    score: int
    reason: str
    dates: tuple[date, ...]

    def to_json(self) -> dict[str, Any]:
        """As written to --json and model_judged.json."""
        return {
            "score": self.score,
            "reason": self.reason,
            "dates": [d.isoformat() for d in self.dates],
        }


@dataclass(frozen=True)
class Verdict:
    """The judge's verdict on one week: grades, or why there are none."""

    week: str
    grades: dict[str, Grade] | None = None
    malformed: str | None = None  # the reply was not a valid verdict (and what it began with)
    failed: str | None = None  # the call itself failed (network, rate limit)

    def to_json(self) -> dict[str, Any]:
        """One week of the model-judged section."""
        out: dict[str, Any] = {"week": self.week}
        if self.grades:
            out |= {name: grade.to_json() for name, grade in self.grades.items()}
        if self.malformed:
            out["malformed"] = self.malformed
        if self.failed:
            out["failed"] = self.failed
        return out


def judge_prompt(
    report: WeekReport, facts: Sequence[ItemFacts]
) -> tuple[RenderedPrompt, set[date]]:
    """The rubric prompt for `report`, and the dates a verdict may cite: the week's days
    and every day a report line cites (the entries of all of them are handed over)."""
    from rreview.engines.prompts import data_block, load_prompt

    cited = report.cited_dates()
    items = [
        f.item for f in facts if report.start <= f.item.date <= report.end or f.item.date in cited
    ]
    entries = [{"date": item.date.isoformat(), "text": item.text} for item in items]
    lines = [
        {"section": section.title, "text": line.text, "dates": [d.isoformat() for d in line.dates]}
        for section in report.sections
        for line in section.lines
    ]
    values = {
        "week": report.week,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "entries": data_block("entries", entries),
        "report": data_block("report", lines),
    }
    return load_prompt(PROMPT_ID).render(values), {item.date for item in items}


def parse_verdict(text: str, allowed: set[date]) -> dict[str, Grade]:
    """The grades of a strict JSON verdict; MalformedVerdict says what is wrong with it.

    Strict: one JSON object (a ```json fence around it is the only wrapper tolerated) with
    exactly the keys faithfulness and coverage, each {score: 1-5 whole, reason: non-empty
    text, dates: ISO dates among `allowed`}.
    """
    body = text.strip()
    fenced = FENCE_RE.match(body)
    try:
        verdict = json.loads(fenced.group(1) if fenced else body)
    except json.JSONDecodeError as exc:
        raise MalformedVerdict(f"not a JSON object ({exc.msg})") from None
    if not isinstance(verdict, dict):
        raise MalformedVerdict("not a JSON object")
    if set(verdict) != set(CRITERIA):
        raise MalformedVerdict(f"keys {sorted(verdict)}; expected exactly {', '.join(CRITERIA)}")
    return {name: _grade(name, verdict[name], allowed) for name in CRITERIA}


def _grade(name: str, value: Any, allowed: set[date]) -> Grade:
    """One criterion of a verdict, checked field by field."""
    if not isinstance(value, dict) or set(value) != {"score", "reason", "dates"}:
        raise MalformedVerdict(f"{name}: expected an object with score, reason and dates")
    score, reason, dates = value["score"], value["reason"], value["dates"]
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise MalformedVerdict(f"{name}: score {score!r} is not a whole number from 1 to 5")
    if not isinstance(reason, str) or not reason.strip():
        raise MalformedVerdict(f"{name}: the reason is empty")
    if not isinstance(dates, list) or not all(isinstance(d, str) for d in dates):
        raise MalformedVerdict(f"{name}: dates must be a list of ISO dates")
    days = []
    for text in dates:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise MalformedVerdict(f"{name}: {text!r} is not an ISO date") from None
        if day not in allowed:
            raise MalformedVerdict(f"{name}: cites {text}, not a date of the entries given")
        days.append(day)
    return Grade(score, reason.strip(), tuple(sorted(set(days))))


def judge_week(engine: ModelEngine, report: WeekReport, facts: Sequence[ItemFacts]) -> Verdict:
    """The judge's verdict on one report; a malformed reply or a failed call is recorded in
    the verdict, never raised (one bad week must not end the run)."""
    prompt, allowed = judge_prompt(report, facts)
    replies: list[str] = []

    def check(text: str) -> None:  # a malformed reply is not cached: the next run asks again
        replies.append(text)
        parse_verdict(text, allowed)

    try:
        text = engine.complete(prompt, validate=check)
        return Verdict(report.week, grades=parse_verdict(text, allowed))
    except MalformedVerdict as exc:
        shown = replies[-1].strip().replace("\n", " ")[:MAX_SHOWN] if replies else ""
        return Verdict(report.week, malformed=f"{exc.message}; reply began: {shown!r}")
    except RreviewError as exc:
        return Verdict(report.week, failed=exc.message)


def judged_section(
    engine: ModelEngine, prompt_label: str, verdicts: Sequence[Verdict]
) -> dict[str, Any]:
    """The model-judged section of --json: who judged, with which rubric, per week, and the
    mean of each criterion over the weeks that got a valid verdict."""
    graded = [v.grades for v in verdicts if v.grades]
    means = {
        name: round(sum(g[name].score for g in graded) / len(graded), 2) if graded else None
        for name in CRITERIA
    }
    return {
        "note": "model-judged: a model's opinion, not a reference metric; no threshold",
        "engine": engine.name,
        "model": engine.model,
        "prompt": prompt_label,
        "weeks": [v.to_json() for v in verdicts],
        "mean": means,
        "judged": len(graded),
        "malformed": sum(1 for v in verdicts if v.malformed),
        "failed": sum(1 for v in verdicts if v.failed),
    }


def judge_reports(
    engine: ModelEngine, reports: Sequence[WeekReport], facts: Sequence[ItemFacts]
) -> dict[str, Any]:
    """Every weekly report graded by `engine`, as the model-judged section."""
    from rreview.engines.prompts import load_prompt

    rubric = load_prompt(PROMPT_ID)
    verdicts = [judge_week(engine, report, facts) for report in reports]
    return judged_section(engine, f"{rubric.id} v{rubric.version}", verdicts)


def judged_lines(section: dict[str, Any], width: int = 100) -> list[str]:
    """The model-judged section as table lines, headed so it cannot pass for a metric."""
    lines = [
        f"model-judged by {section['engine']} {section['model'] or ''} (prompt "
        f"{section['prompt']}): a model's opinion, not a reference metric; no threshold",
        f"  {'week':<10} {'faithfulness':<13} coverage",
    ]
    for week in section["weeks"]:
        if week.get("malformed") or week.get("failed"):
            problem = "malformed verdict: " + week["malformed"] if week.get("malformed") else ""
            problem = problem or "judge call failed: " + week["failed"]
            lines.append(f"  {week['week']:<10} {problem}"[:width])
            continue
        scores = [f"{week[name]['score']}/5" for name in CRITERIA]
        lines.append(f"  {week['week']:<10} {scores[0]:<13} {scores[1]}")
        for name in CRITERIA:
            cited = ", ".join(d[5:] for d in week[name]["dates"])
            reason = f"{name}: {week[name]['reason']}" + (f" [{cited}]" if cited else "")
            lines.append(f"  {'':<10} {reason}"[:width])
    means = [
        "n/a" if section["mean"][name] is None else f"{section['mean'][name]:.2f}"
        for name in CRITERIA
    ]
    lines.append(
        f"  {'mean':<10} {means[0]:<13} {means[1]:<8} ({section['judged']} of "
        f"{len(section['weeks'])} weeks judged, {section['malformed']} malformed, "
        f"{section['failed']} failed)"
    )
    return lines
