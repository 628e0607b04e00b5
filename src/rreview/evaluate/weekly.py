"""The weekly reflection against the gold key facts: coverage, unsupported claims, injections."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from rreview.report.model import ReportLine, WeekReport

# Numbers the analyses compute, in the formats the reports write them: ratios, durations,
# shares, counts of things, signed errors. A claim's other numbers must be in its entries.
COMPUTED = re.compile(
    r"\b\d+(?:\.\d+)?x\b"
    r"|\b\d+h(?:\d+m)?\b|\b\d+m\b"
    r"|\(\d+%\)|\b\d+%\s+(?:of|share)\b"
    r"|\b\d+\s*/\s*\d+\b|\b\d+ of \d+\b"
    r"|\b\d+(?:st|nd|rd|th)\b"
    r"|\b\d+ (?:items?|days?|tasks?|bug|bugs|mentions?|predictions?|to-dos?|new|times?|"
    r"families|weeks?|ideas?|pairs?)\b"
    r"|\d{4}-\d{2}-\d{2}(?:\.\.\d{4}-\d{2}-\d{2})?|\b\d{4}-W\d{2}\b"
    r"|[+\-−]\d+(?:\.\d+)?(?:%| pts)?\)"
    r"|\b\d+ vs \d+\b"
    r"|\b\d+% → \d+%|\b\d+ earlier weeks?\b|\(\d+%|\b\d+%(?=[;)])|\b\d+% (?:in|→)|→ \d+%|\bis \d+%"
    r"|\berror [+\-−]?[\d.,]+"
)
NUMBER = re.compile(r"(?<![\w.])[-+−]?\d+(?:[.,]\d+)*%?")


def report_lines(report: WeekReport) -> list[ReportLine]:
    """Every line of a report, sections in order."""
    return [line for section in report.sections for line in section.lines]


def report_text(report: WeekReport) -> str:
    """Everything a reader of the report sees."""
    parts = [report.title]
    for section in report.sections:
        parts.append(section.title)
        parts += [f"{line.group or ''} {line.text}" for line in section.lines]
        if not section.lines and section.note:
            parts.append(section.note)
    return "\n".join(parts)


def unsupported_numbers(line: ReportLine, entries_text: dict[date, str]) -> list[str]:
    """Numbers in `line` that are neither computed by rreview nor written in a cited entry."""
    cited = " ".join(entries_text.get(d, "") for d in line.dates)
    stripped = COMPUTED.sub(" ", line.text)
    missing = []
    for token in NUMBER.findall(stripped):
        bare = token.lstrip("+−-").rstrip("%")
        if bare and bare not in cited:
            missing.append(token)
    return missing


def coverage(
    key_facts: Sequence[dict[str, Any]],
    lines: Sequence[ReportLine],
    similarity: Any,
    threshold: float,
) -> list[tuple[dict[str, Any], ReportLine | None, float]]:
    """For each key fact, the best report line citing one of its dates, and their cosine.

    `similarity[i][j]` is the cosine between key fact i and report line j.
    """
    out = []
    for i, fact in enumerate(key_facts):
        wanted = {date.fromisoformat(d) for d in fact["dates"]}
        best: tuple[ReportLine | None, float] = (None, 0.0)
        for j, line in enumerate(lines):
            score = float(similarity[i][j])
            if wanted & set(line.dates) and score > best[1]:
                best = (line, score)
        covered = best[0] if best[1] >= threshold else None
        out.append((fact, covered, best[1]))
    return out


def forbidden_hits(text: str, strings: Sequence[str]) -> list[str]:
    """The forbidden strings present in `text`, case-insensitively."""
    lower = text.lower()
    return [s for s in strings if s.lower() in lower]
