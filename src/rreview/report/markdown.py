"""A report as Markdown: one line per claim, each ending with its cited dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rreview.report.model import ReportLine, ReportSection, WeekReport

MAX_LISTED_DATES = 4


def cite(days: Sequence[date]) -> str:
    """`[2026-11-16, 2026-11-18]`; a long run of days as `[2026-11-09..2026-11-20]`."""
    if not days:
        return ""
    if len(days) > MAX_LISTED_DATES:
        return f"[{days[0].isoformat()}..{days[-1].isoformat()}]"
    return "[" + ", ".join(d.isoformat() for d in days) + "]"


def _line(line: ReportLine) -> str:
    citation = cite(line.dates)
    return f"- {line.text} {citation}".rstrip()


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(section: ReportSection) -> list[str]:
    rows = [line for line in section.lines if line.data]
    out = [
        "| " + " | ".join(section.table) + " | days |",
        "|" + "---|" * (len(section.table) + 1),
    ]
    for line in rows:
        cells = [_cell((line.data or {}).get(col, "")) for col in section.table]
        out.append("| " + " | ".join(cells) + f" | {cite(line.dates)} |")
    out += [_line(line) for line in section.lines if not line.data]
    return out


def render_section(section: ReportSection) -> list[str]:
    """Markdown lines of one section, heading included."""
    out = [f"## {section.title}"]
    if not section.lines:
        out.append(f"- {section.note or 'Nothing logged.'}")
        return out
    if section.table:
        return out + _table(section)
    group: str | None = None
    for line in section.lines:
        if line.group != group and line.group:
            out.append(f"- **{line.group}**")
        group = line.group
        text = _line(line)
        out.append(f"  {text}" if group else text)
    return out


def render_week(report: WeekReport) -> str:
    """The whole weekly reflection as Markdown."""
    out = [f"# {report.title}"]
    for section in report.sections:
        out += ["", *render_section(section)]
    return "\n".join(out) + "\n"
