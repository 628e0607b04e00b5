"""Days marked by dated headings inside one Markdown page: `## 2022-07-15`, `### July 15, 2022
restart`, `## Restart after node failure (2022-07-15)`, `## 15.07.2022`. Undated headings
between them belong to the last dated one; a range (`2022-07-15 - 2022-07-18`) goes to its
first day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rreview.errors import Problem
from rreview.log.dates import find_date
from rreview.log.markdown import HEADING_RE, unfenced
from rreview.log.patterns import lazy

_RANGE_RE = lazy(r"^\s*(?:-|–|—|to|until|\.\.)\s*")


@dataclass(frozen=True)
class DayHeading:
    """A heading that starts a day: where, at which level, which day, and what else it says."""

    index: int  # 0-based line index in the page
    level: int
    day: date | None  # None: the heading names a date that does not exist
    title: str  # the heading's words without the date
    until: date | None = None  # the last day of a range heading


def day_headings(lines: list[str]) -> list[DayHeading]:
    """Every heading (outside code blocks) that writes a date, at any level."""
    found = []
    for index, line in unfenced(lines):
        heading = HEADING_RE.match(line)
        if not heading:
            continue
        text = heading.group(2)
        hit = find_date(text)
        if hit is None:
            continue
        day, match = hit
        rest = text[match.end() :]
        until = None
        joined = _RANGE_RE.match(rest)
        if joined:
            second = find_date(rest[joined.end() :])
            if second is not None and second[1].start() == 0:
                until = second[0]
                rest = rest[joined.end() + second[1].end() :]
        title = (text[: match.start()] + " " + rest).strip(" -–—:,()[]")
        found.append(DayHeading(index, len(heading.group(1)), day, " ".join(title.split()), until))
    return found


def split_days(
    lines: list[str],
    file: str,
    problems: list[Problem],
) -> list[tuple[DayHeading, int, int]]:
    """(heading, start, end) line-index ranges of each dated day of a page; headings naming
    impossible dates are one problem each and their lines are skipped."""
    headings = day_headings(lines)
    spans = []
    for number, heading in enumerate(headings):
        end = headings[number + 1].index if number + 1 < len(headings) else len(lines)
        if heading.day is None:
            problems.append(
                Problem(
                    file,
                    f"heading '{lines[heading.index].strip()}' is not a real date; "
                    f"its {end - heading.index - 1} lines skipped",
                    heading.index + 1,
                )
            )
            continue
        spans.append((heading, heading.index, end))
    return spans
