"""ISO weeks: parsing `2026-W47`, their days, and the default week for a given today."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from rreview.errors import UsageError

WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)


@dataclass(frozen=True)
class Week:
    """One ISO week, Monday to Sunday."""

    year: int
    number: int

    @cached_property  # asked for once per item when items are sorted into weeks
    def start(self) -> date:
        """The Monday."""
        return date.fromisocalendar(self.year, self.number, 1)

    @cached_property
    def end(self) -> date:
        """The Sunday."""
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        """As written: 2026-W47."""
        return f"{self.year}-W{self.number:02d}"

    def contains(self, day: date) -> bool:
        """True if `day` falls in this week."""
        return self.start <= day <= self.end

    def previous(self) -> Week:
        """The week before."""
        return week_of(self.start - timedelta(days=7))


def week_of(day: date) -> Week:
    """The ISO week containing `day`."""
    year, number, _ = day.isocalendar()
    return Week(year, number)


def parse_week(text: str) -> Week:
    """`2026-W47` (or `2026W47`) to a Week; a clear usage error otherwise."""
    match = WEEK_RE.match(text.strip())
    if not match:
        raise UsageError(f"--week '{text}': expected an ISO week such as 2026-W47")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError as exc:
        raise UsageError(f"--week '{text}': {year} has no week {number}") from exc
    return Week(year, number)


def default_week(today: date, days_logged: set[date]) -> Week:
    """This week if anything is logged in it yet, else last week (a Monday-morning review)."""
    this = week_of(today)
    if any(this.contains(day) for day in days_logged):
        return this
    return this.previous()
