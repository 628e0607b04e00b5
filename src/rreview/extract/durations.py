"""Durations written in prose: "2h", "20 min", "an hour", "half a day", "two days", "the
whole afternoon (~4h)". Each keeps its span, and whether it is vague ("all afternoon") or
used as an adjective ("a 2h meeting", "a 10-minute fix"), because an estimate or an actual
is only read from a duration that the words around it make one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rreview.log.patterns import lazy

HOURS_PER_DAY = 8.0  # a working day, as in the notation (`est 1d`)
_NUM = r"\d+(?:[.,]\d+)?"
_H = r"(?:h|hr|hrs|hour|hours)"
_M = r"(?:m|min|mins|minute|minutes)"
_D = r"(?:d|day|days)"
_W = r"(?:w|wk|wks|week|weeks)"
_UNIT = rf"(?:{_H}|{_M}|{_D}|{_W})"
WORDS = {
    "a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0,
    "six": 6.0, "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0, "eleven": 11.0,
    "twelve": 12.0, "fifteen": 15.0, "twenty": 20.0, "thirty": 30.0, "forty": 40.0,
    "forty-five": 45.0, "fifty": 50.0, "sixty": 60.0, "ninety": 90.0, "a couple of": 2.0,
    "two and a half": 2.5, "three and a half": 3.5, "four and a half": 4.5,
    "a couple": 2.0, "couple of": 2.0, "a single": 1.0, "one and a half": 1.5,
}  # fmt: skip
_WORD = "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True))
PARTS = {"morning": 4.0, "afternoon": 4.0, "evening": 3.0, "day": 8.0, "week": 40.0}
PARTS.update({"weekend": 16.0, "night": 8.0})
_PART = "|".join(PARTS)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("compound", lazy(rf"(?<![\w.])({_NUM})\s*{_H}\s*(?:and\s+)?({_NUM})\s*{_M}\b", re.I)),
    ("range", lazy(rf"(?<![\w.])({_NUM})\s*(?:-|–|to|or)\s*({_NUM})\s*({_UNIT})\b", re.I)),
    ("half_unit", lazy(r"\bhalf\s+an?\s+(hour|day|week)\b", re.I)),
    ("and_half", lazy(r"\b(?:an?|one)\s+(hour|day)\s+and\s+a\s+half\b", re.I)),
    ("unit_or_two", lazy(r"\ban?\s+(hour|day)\s+or\s+two\b", re.I)),
    ("most_of", lazy(rf"\bmost\s+of\s+(?:the|my)\s+({_PART})\b", re.I)),
    ("whole", lazy(rf"\b(?:(?:the|a|my)\s+)?(?:whole|entire|full)\s+({_PART})\b", re.I)),
    ("all_part", lazy(rf"\ball\s+(?:the\s+)?({_PART})\s*(?:long)?\b", re.I)),
    ("the_part", lazy(r"\bthe\s+(morning|afternoon|evening)\b", re.I)),
    ("the_unit", lazy(r"\b(?:the|that|this)\s+(hour|day|week)\b", re.I)),
    ("word", lazy(rf"\b({_WORD})(\s+|-)({_UNIT})\b", re.I)),
    ("number", lazy(rf"(?<![\w.$€£])({_NUM})(\s*|-)({_UNIT})\b(?!-\w|\.\d)", re.I)),
)
_CLARIFY_RE = lazy(
    rf"^\s*\(\s*(?:~|≈|about\s+|approx\.?\s*|roughly\s+|around\s+|so\s+)?\s*"
    rf"({_NUM}\s*(?:{_UNIT}))\s*\)",
    re.I,
)


@dataclass(frozen=True)
class Duration:
    """A stretch of time written in a text."""

    hours: float
    start: int
    end: int
    vague: bool = False  # "all afternoon", "most of the day": only as half of a pair
    adjective: bool = False  # "a 2h meeting", "10-minute fix": a kind of thing, not a time
    definite: bool = False  # "the hour": a time only in "the hour I planned"


def unit_hours(value: float, unit: str) -> float | None:
    """`value` in `unit` (h, min, day, week) as hours; None for an unknown unit."""
    unit = unit.lower()
    if unit.startswith("h"):
        return value
    if unit.startswith("m"):
        return value / 60
    if unit.startswith("d"):
        return value * HOURS_PER_DAY
    if unit.startswith("w"):
        return value * 5 * HOURS_PER_DAY
    return None


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def _hours(kind: str, match: re.Match[str]) -> tuple[float | None, bool, bool]:
    """(hours, vague, adjective) of one pattern match."""
    groups = match.groups()
    if kind == "the_unit":
        return unit_hours(1.0, groups[0]), False, False
    if kind == "compound":
        return _num(groups[0]) + _num(groups[1]) / 60, False, False
    if kind == "range":
        return unit_hours((_num(groups[0]) + _num(groups[1])) / 2, groups[2]), False, False
    if kind == "half_unit":
        return unit_hours(0.5, groups[0]), False, False
    if kind == "and_half":
        return unit_hours(1.5, groups[0]), False, False
    if kind == "unit_or_two":
        return unit_hours(1.5, groups[0]), False, False
    part = (
        PARTS.get(groups[0].lower())
        if kind in ("most_of", "whole", "all_part", "the_part")
        else None
    )
    if kind == "most_of":
        return (part or 0) * 0.75, True, False
    if kind in ("whole", "all_part", "the_part"):
        exact = groups[0].lower() in ("day", "week", "weekend")  # a whole day: a working day
        return part, not exact, False
    value = WORDS[groups[0].lower()] if kind == "word" else _num(groups[0])
    return unit_hours(value, groups[2]), False, groups[1] == "-"


def find_durations(text: str) -> list[Duration]:
    """Every duration in `text`, left to right, longest first where two overlap; a vague one
    followed by a number in parentheses ("all afternoon (~4h)") takes that number."""
    found: list[Duration] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            hours, vague, adjective = _hours(kind, match)
            if hours is None or hours <= 0:
                continue
            clarified = _CLARIFY_RE.match(text[end:])
            if clarified:
                exact = parse_duration(clarified.group(1))
                if exact is not None:
                    hours, vague, end = exact, False, end + clarified.end()
            taken.append((start, end))
            found.append(Duration(hours, start, end, vague, adjective, kind == "the_unit"))
    return sorted(found, key=lambda d: d.start)


def parse_duration(text: str) -> float | None:
    """Hours of a text that is one duration and nothing else ("2h", "an hour", "half a day")."""
    found = find_durations(text.strip())
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text.strip()):
        return found[0].hours
    return None


def unit_of(written: str) -> str:
    """The unit a duration was written in ("h", "min", "day", "week"): a bare number later in
    the same text ("guessed an hour, it was closer to three") is in that unit."""
    words = written.lower()
    units = (("min", r"\d\s*m\b|min"), ("day", r"\d\s*d\b|day"), ("week", r"\d\s*w\b|week|wk"))
    for unit, pattern in units:
        if re.search(pattern, words):
            return unit
    return "h"
