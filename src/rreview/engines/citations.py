"""Citations in a model's text, checked against the dates it was given.

A citation is a bracket of entry dates: `[2026-11-17]`, `[2026-11-17, 2026-11-18]`, a run
`[2026-11-09..2026-11-13]`, or a short `[11-17]` that one given date matches. Dates that were
not in the evidence are removed from the text and reported; a bracket left empty goes.
The check works line by line, so a streamed answer is checked as it is printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

DATE = r"(?:\d{4}-)?\d{1,2}-\d{1,2}"
CITE_RE = re.compile(rf"\s?\[\s*({DATE}(?:\s*(?:,|;|\.\.|–|—|to)\s*{DATE})*)\s*\]")
PART_RE = re.compile(rf"({DATE})(?:\s*(?:\.\.|–|—|to)\s*({DATE}))?")
ISO_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|\n+")


@dataclass
class CitationCheck:
    """What checking did: dates kept, citations removed, sentences left with none."""

    cited: set[date] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)
    uncited: list[str] = field(default_factory=list)
    stray_dates: list[str] = field(default_factory=list)  # ISO dates outside brackets, unknown

    @property
    def ok(self) -> bool:
        """True when at least one valid citation survived."""
        return bool(self.cited)


def _resolve(text: str, allowed: set[date]) -> date | None:
    """A written date as one of `allowed`: an ISO date must be one; `11-17` must match one."""
    parts = text.split("-")
    try:
        if len(parts) == 3:
            day = date(int(parts[0]), int(parts[1]), int(parts[2]))
            return day if day in allowed else None
        month, dom = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    matches = [d for d in allowed if d.month == month and d.day == dom]
    return matches[0] if len(matches) == 1 else None


def _endpoint(text: str, allowed: set[date]) -> date | None:
    """One end of a cited run: any real date (the run's days must be among `allowed`)."""
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        year = max(allowed).year if allowed else date.today().year
        return date(year, int(parts[0]), int(parts[1]))
    except ValueError:
        return None


def _dates_in(bracket: str, allowed: set[date]) -> tuple[list[date], list[str]]:
    kept: list[date] = []
    dropped: list[str] = []
    for match in PART_RE.finditer(bracket):
        first, last = match.group(1), match.group(2)
        start = _resolve(first, allowed)
        if last is None:
            if start:
                kept.append(start)
            else:
                dropped.append(first)
            continue
        start, end = _endpoint(first, allowed), _endpoint(last, allowed)
        if start and end:
            kept += sorted(d for d in allowed if start <= d <= end)
        else:
            dropped.append(match.group(0))
    return kept, dropped


def check_line(line: str, allowed: set[date], report: CitationCheck) -> str:
    """`line` with every citation reduced to allowed dates (ISO), the rest reported."""

    def fix(match: re.Match[str]) -> str:
        kept, dropped = _dates_in(match.group(1), allowed)
        report.removed += dropped
        report.cited.update(kept)
        if not kept:
            return ""
        lead = " " if match.group(0).startswith(" ") else ""
        return lead + "[" + ", ".join(d.isoformat() for d in sorted(set(kept))) + "]"

    checked = CITE_RE.sub(fix, line)
    outside = CITE_RE.sub("", checked)
    for iso in ISO_RE.findall(outside):
        if _resolve(iso, allowed) is None:
            report.stray_dates.append(iso)
    return checked


def uncited_sentences(text: str) -> list[str]:
    """Sentences of some length that cite no date (after checking)."""
    out = []
    for sentence in SENTENCE_RE.split(text):
        words = sentence.split()
        if len(words) >= 4 and not CITE_RE.search(sentence):
            out.append(sentence.strip())
    return out


def check_text(text: str, allowed: Iterable[date]) -> tuple[str, CitationCheck]:
    """Check a whole text at once."""
    checker = StreamChecker(set(allowed))
    out = checker.feed(text) + checker.finish()
    return out, checker.report


class StreamChecker:
    """Checks a streamed text line by line: `feed` returns the checked complete lines."""

    def __init__(self, allowed: set[date]) -> None:
        self.allowed = allowed
        self.report = CitationCheck()
        self._pending = ""
        self._done: list[str] = []

    def feed(self, chunk: str) -> str:
        """Checked text of every line completed by `chunk`."""
        self._pending += chunk
        if "\n" not in self._pending:
            return ""
        complete, self._pending = self._pending.rsplit("\n", 1)
        return self._check(complete + "\n")

    def finish(self) -> str:
        """Checked text of the last, unterminated line; then the sentence check."""
        rest, self._pending = self._pending, ""
        out = self._check(rest) if rest else ""
        self.report.uncited = uncited_sentences("".join(self._done))
        return out

    def _check(self, text: str) -> str:
        lines = [check_line(line, self.allowed, self.report) for line in text.split("\n")]
        checked = "\n".join(lines)
        self._done.append(checked)
        return checked
