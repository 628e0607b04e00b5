"""Dates in questions: "last week", "in October", "since Nov 10", "the week of 2026-11-09",
"yesterday" become a date range, resolved against today (or `--today`).

A small grammar, not a general date parser: the phrases people use to ask about a log, each
turned into the range of days it means. Weeks are ISO weeks (Monday to Sunday). A date
without a year is the latest such date not after today; a month without a year likewise.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = (
    "jan(?:uary)?",
    "feb(?:ruary)?",
    "mar(?:ch)?",
    "apr(?:il)?",
    "may",
    "june?",
    "july?",
    "aug(?:ust)?",
    "sep(?:t(?:ember)?)?",
    "oct(?:ober)?",
    "nov(?:ember)?",
    "dec(?:ember)?",
)
MONTH = "(?:" + "|".join(MONTHS) + r")\.?"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY = "(?:" + "|".join(WEEKDAYS) + ")"
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
COUNT = r"(?:\d+|" + "|".join(NUMBERS) + ")"
ORD = r"(?:st|nd|rd|th)?"

# One point or span in time; month-only atoms need a preposition in front (see `_RULES`).
DAY_ATOM = (
    rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|(?:{WEEKDAY},?\s+)?{MONTH}\s+\d{{1,2}}{ORD}(?:,?\s+\d{{4}})?"
    rf"|(?:{WEEKDAY},?\s+)?(?:the\s+)?\d{{1,2}}{ORD}\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?"
    rf"|(?:last\s+|this\s+|on\s+)?{WEEKDAY}"
    rf"|today|yesterday|{COUNT}\s+days?\s+ago"
    rf"|\d{{4}}-?w\d{{1,2}}|w\d{{1,2}}|week\s+\d{{1,2}}"
    rf"|{COUNT}\s+weeks?\s+ago"
)
SPAN_ATOM = rf"{DAY_ATOM}|{MONTH}(?:\s+\d{{4}})?|(?:19|20)\d{{2}}"


@dataclass(frozen=True)
class DateRange:
    """The days a question is about, both ends included, and the words that said so."""

    start: date
    end: date
    phrase: str

    def contains(self, day: date) -> bool:
        """True if `day` is in the range."""
        return self.start <= day <= self.end

    def describe(self) -> str:
        """ "2026-11-16 to 2026-11-22", "2026-11-22", "up to 2026-11-01"."""
        if self.start == self.end:
            return self.start.isoformat()
        if self.start == date.min:
            return f"up to {self.end.isoformat()}"
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class When:
    """A question split into its date range (if any) and the rest, to search with."""

    range: DateRange | None
    rest: str


def _month_number(text: str) -> int:
    word = text.lower().rstrip(".")[:3]
    return [m[:3] for m in MONTHS].index(word) + 1


def _count(text: str) -> int:
    return int(text) if text.isdigit() else NUMBERS[text.lower()]


def _week_span(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _month_span(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _latest(month: int, day: int, today: date) -> date:
    """The latest `month`-`day` not after today."""
    candidate = date(today.year, month, day)
    return candidate if candidate <= today else date(today.year - 1, month, day)


def atom_span(text: str, today: date) -> tuple[date, date] | None:
    """The days one atom ("Nov 10", "October", "2026-W47", "3 days ago") covers."""
    t = " ".join(text.lower().replace(",", " ").split())
    t = re.sub(rf"^{WEEKDAY}\s+(?=(?:the\s+)?\d|{MONTH}\s+\d)", "", t)  # "Saturday 12 Sep"
    t = re.sub(r"^the\s+(?=\d)", "", t)
    try:
        return _atom_span(t, today)
    except ValueError:  # 2026-02-30, week 60: not a date
        return None


def _atom_span(t: str, today: date) -> tuple[date, date] | None:
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t):
        day = date(int(m[1]), int(m[2]), int(m[3]))
        return day, day
    if m := re.fullmatch(rf"({MONTH})\s+(\d{{1,2}}){ORD}(?:\s+(\d{{4}}))?", t):
        return _day_of(_month_number(m[1]), int(m[2]), m[3], today)
    if m := re.fullmatch(rf"(\d{{1,2}}){ORD}\s+(?:of\s+)?({MONTH})(?:\s+(\d{{4}}))?", t):
        return _day_of(_month_number(m[2]), int(m[1]), m[3], today)
    if m := re.fullmatch(rf"({MONTH})(?:\s+(\d{{4}}))?", t):
        month = _month_number(m[1])
        year = int(m[2]) if m[2] else (today.year if month <= today.month else today.year - 1)
        return _month_span(year, month)
    if m := re.fullmatch(r"(?:19|20)\d{2}", t):
        year = int(t)
        return date(year, 1, 1), date(year, 12, 31)
    if m := re.fullmatch(rf"(?:(last|this|on)\s+)?({WEEKDAY})", t):
        target = WEEKDAYS.index(m[2])
        back = (today.weekday() - target) % 7 or (0 if m[1] == "this" else 7)  # asked: past
        day = today - timedelta(days=back)
        return day, day
    if t in {"today", "yesterday"}:
        day = today - timedelta(days=t == "yesterday")
        return day, day
    if m := re.fullmatch(rf"({COUNT})\s+days?\s+ago", t):
        day = today - timedelta(days=_count(m[1]))
        return day, day
    if m := re.fullmatch(rf"({COUNT})\s+weeks?\s+ago", t):
        return _week_span(today - timedelta(weeks=_count(m[1])))
    if m := re.fullmatch(r"(?:(\d{4})-?)?(?:w|week\s+)(\d{1,2})", t):
        year = int(m[1]) if m[1] else today.isocalendar()[0]
        monday = date.fromisocalendar(year, int(m[2]), 1)
        if not m[1] and monday > today:
            monday = date.fromisocalendar(year - 1, int(m[2]), 1)
        return monday, monday + timedelta(days=6)
    return None


def _day_of(month: int, dom: int, year: str | None, today: date) -> tuple[date, date]:
    day = date(int(year), month, dom) if year else _latest(month, dom, today)
    return day, day


def _relative(t: str, today: date) -> tuple[date, date] | None:
    """ "last week", "this month", "past 10 days" and the like."""
    t = " ".join(t.lower().split())
    if t in {"last week", "previous week"}:
        return _week_span(today - timedelta(days=7))
    if t == "this week":
        return _week_span(today)[0], today
    if t in {"last month", "previous month"}:
        first = today.replace(day=1) - timedelta(days=1)
        return _month_span(first.year, first.month)
    if t == "this month":
        return today.replace(day=1), today
    if t in {"last year", "previous year"}:
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if t == "this year":
        return date(today.year, 1, 1), today
    if m := re.fullmatch(rf"(?:the\s+)?(?:last|past|previous)\s+({COUNT})\s+(day|week|month)s?", t):
        days = _count(m[1]) * {"day": 1, "week": 7, "month": 30}[m[2]]
        return today - timedelta(days=days - 1), today
    return None


_B = r"(?<![\w-])"  # not inside a word or a run id
_E = r"(?![\w-])"
_RULE_PATTERNS: tuple[tuple[str, str], ...] = tuple(
    (name, pattern)
    for name, pattern in (
        ("between", rf"{_B}between\s+({SPAN_ATOM})\s+and\s+({SPAN_ATOM}){_E}"),
        (
            "between",
            rf"{_B}from\s+({SPAN_ATOM})\s+(?:to|until|till|through|-)\s+({SPAN_ATOM}){_E}",
        ),
        ("since", rf"{_B}(?:since|from)\s+({SPAN_ATOM})(?:\s+on(?:wards?)?)?{_E}"),
        ("after", rf"{_B}after\s+({SPAN_ATOM}){_E}"),
        ("before", rf"{_B}before\s+({SPAN_ATOM}){_E}"),
        ("until", rf"{_B}(?:until|till|up\s+to|through)\s+({SPAN_ATOM}){_E}"),
        ("week of", rf"{_B}(?:(?:in|during)\s+)?(?:the\s+)?week\s+of\s+({SPAN_ATOM}){_E}"),
        (
            "relative",
            rf"{_B}(?:(?:in|during|over)\s+)?((?:the\s+)?(?:last|past|previous)\s+{COUNT}\s+"
            rf"(?:day|week|month)s?|(?:last|previous|this)\s+(?:week|month|year)){_E}",
        ),
        ("in", rf"{_B}(?:in|during|on|of|for)\s+({SPAN_ATOM}){_E}"),
        ("day", rf"{_B}({DAY_ATOM}){_E}"),
    )
)


# Every phrase the rules read holds a digit, a month, or one of these words ("day" is in every
# weekday, "today" and "yesterday"): a question without any names no date, and the rules
# (~0.1 s to compile) are not needed for it.
MAY_NAME_A_DATE = re.compile(
    r"\d|day|week|month|year|ago|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I
)


@functools.cache
def _rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(pattern, re.I)) for name, pattern in _RULE_PATTERNS)


def parse_when(question: str, today: date) -> When:
    """The date range a question asks about (None if it names none) and the question
    without the words that named it."""
    if not MAY_NAME_A_DATE.search(question):
        return When(None, question)
    for name, pattern in _rules():
        for match in pattern.finditer(question):
            span = _rule_span(name, match, today)
            if span is None:
                continue
            rest = (question[: match.start()] + " " + question[match.end() :]).strip()
            phrase = " ".join(match.group(0).split())
            return When(DateRange(span[0], span[1], phrase), " ".join(rest.split()))
    return When(None, question)


def _rule_span(name: str, match: re.Match[str], today: date) -> tuple[date, date] | None:
    if name == "relative":
        return _relative(match.group(1), today)
    first = atom_span(match.group(1), today)
    if first is None:
        return None
    if name == "between":
        last = atom_span(match.group(2), today)
        return (first[0], last[1]) if last else None
    if name == "since":
        return first[0], max(today, first[0])
    if name == "after":
        return first[1] + timedelta(days=1), max(today, first[1] + timedelta(days=1))
    if name == "before":
        return date.min, first[0] - timedelta(days=1)
    if name == "until":
        return date.min, first[1]
    if name == "week of":
        return _week_span(first[0])
    return first
