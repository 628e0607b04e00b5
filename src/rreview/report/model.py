"""The report as structured data: sections of lines, every line with the dates it cites."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class ReportLine:
    """One claim of a report and the entry dates it rests on."""

    text: str
    dates: tuple[date, ...]
    group: str | None = None  # a sub-heading inside the section, e.g. a topic tag
    data: dict[str, Any] | None = None  # the computed numbers behind the line, for --json

    @staticmethod
    def citing(text: str, days: Iterable[date], **kwargs: Any) -> ReportLine:
        """A line citing `days` (deduplicated and sorted)."""
        return ReportLine(text, tuple(sorted(set(days))), **kwargs)


@dataclass(frozen=True)
class ReportSection:
    """A titled list of lines; `table` asks renderers for a table of `data` columns."""

    title: str
    lines: tuple[ReportLine, ...]
    table: tuple[str, ...] = ()  # column names in ReportLine.data, in order
    note: str | None = None  # shown when the section has no lines


@dataclass(frozen=True)
class WeekReport:
    """The weekly reflection."""

    week: str
    start: date
    end: date
    title: str
    sections: tuple[ReportSection, ...] = field(default_factory=tuple)

    def cited_dates(self) -> set[date]:
        """Every date any line cites."""
        return {d for s in self.sections for line in s.lines for d in line.dates}

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape documented in the README."""
        return {
            "week": self.week,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "title": self.title,
            "sections": [
                {
                    "title": section.title,
                    "items": [_line_json(line) for line in section.lines],
                }
                for section in self.sections
            ],
        }


def _line_json(line: ReportLine) -> dict[str, Any]:
    out: dict[str, Any] = {"text": line.text, "dates": [d.isoformat() for d in line.dates]}
    if line.group:
        out["group"] = line.group
    if line.data:
        out["data"] = line.data
    return out
