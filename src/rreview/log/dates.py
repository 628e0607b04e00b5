"""Dates as people write them in file names, headings and properties."""

from __future__ import annotations

import re
from datetime import date, datetime

from rreview.log.patterns import lazy

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"

# Each form names its groups; the first form that matches a text wins.
_FORMS: tuple[re.Pattern[str], ...] = (
    lazy(r"(?<!\d)(?P<y>\d{4})[-_/.](?P<m>\d{1,2})[-_/.](?P<d>\d{1,2})(?!\d)"),  # 2026-11-23
    lazy(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})\b", re.I),  # Nov 23, 2026
    lazy(rf"(?<!\d)(?P<d>\d{{1,2}}){_ORD}\.?\s+{_MONTH},?\s+(?P<y>\d{{4}})\b", re.I),
    lazy(r"(?<![\d./])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?![\d.])"),  # 23.11.2026
    lazy(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])"),  # 11/23/26
    lazy(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),  # 2022年7月15日
)
COMPACT_RE = lazy(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")  # 20261123
ISO_IN_TEXT_RE = _FORMS[0]


def make_date(year: int | str, month: int | str, day: int | str) -> date | None:
    """The date, or None when it does not exist (2026-02-30)."""
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    year = int(groups["y"])
    if year < 100:
        year += 2000
    month = groups.get("m") or MONTHS[groups["month"].lower().rstrip(".")]
    return make_date(year, month, groups["d"])


def find_date(text: str, compact: bool = False) -> tuple[date | None, re.Match[str]] | None:
    """The first date written in `text` (ISO, "Nov 23, 2026", "23 November 2026", "23.11.2026",
    "11/23/26"; "20261123" too when `compact`), with its match. The date is None when the
    text names a day that does not exist; None overall when no date is written at all."""
    forms = (*_FORMS, COMPACT_RE) if compact else _FORMS
    found = [m for m in (form.search(text) for form in forms) if m]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    return _from_match(first), first


def parse_date(value: object) -> date | None:
    """A date from a front-matter or property value: a `date`, a `datetime` or a string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    found = find_date(value.strip(), compact=True)
    return found[0] if found else None


GENERIC_TITLE_WORDS = {
    "daily", "log", "journal", "notes", "note", "day", "entry", "research", "lab", "notebook",
    "diary", "standup", "today", "untitled", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
}  # fmt: skip


def is_generic_title(title: str) -> bool:
    """Whether a page title only says which day it is ("Daily log 2026-11-23", "Monday")."""
    found = find_date(title)
    rest = title[: found[1].start()] + title[found[1].end() :] if found else title
    words = re.findall(r"[^\W\d_]+", rest.lower())  # letters of any script
    return all(word in GENERIC_TITLE_WORDS or word in MONTHS for word in words)
