"""Dates in questions become date ranges, relative to today (table-driven)."""

from __future__ import annotations

from datetime import date

import pytest

from rreview.retrieve.when import parse_when

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("question", "today", "start", "end", "rest"),
    [
        (
            "what did Yitao suggest last week?",
            MONDAY,
            "2026-11-16",
            "2026-11-22",
            "what did Yitao suggest ?",
        ),
        ("bugs in October", MONDAY, "2026-10-01", "2026-10-31", "bugs"),
        ("what happened since Nov 10", MONDAY, "2026-11-10", "2026-11-23", "what happened"),
        (
            "since Sept 1, what did I read?",
            MONDAY,
            "2026-09-01",
            "2026-11-23",
            ", what did I read?",
        ),
        (
            "the week of 2026-11-09: what broke?",
            MONDAY,
            "2026-11-09",
            "2026-11-15",
            ": what broke?",
        ),
        (
            "what did I do in the week of Nov 18",
            MONDAY,
            "2026-11-16",
            "2026-11-22",
            "what did I do",
        ),
        ("what did I do yesterday", MONDAY, "2026-11-22", "2026-11-22", "what did I do"),
        (
            "what did I do yesterday",
            date(2026, 11, 21),
            "2026-11-20",
            "2026-11-20",
            "what did I do",
        ),
        ("anything between Oct 28 and Nov 2?", MONDAY, "2026-10-28", "2026-11-02", "anything ?"),
        ("from Nov 2 to Nov 5 what ran", MONDAY, "2026-11-02", "2026-11-05", "what ran"),
        ("what broke on 2026-11-17", MONDAY, "2026-11-17", "2026-11-17", "what broke"),
        ("what did I do on Monday", MONDAY, "2026-11-16", "2026-11-16", "what did I do"),
        ("ideas this week", date(2026, 11, 19), "2026-11-16", "2026-11-19", "ideas"),
        ("progress in W46", MONDAY, "2026-11-09", "2026-11-15", "progress"),
        ("what happened 3 days ago", MONDAY, "2026-11-20", "2026-11-20", "what happened"),
        ("two weeks ago", MONDAY, "2026-11-09", "2026-11-15", ""),
        ("in the last 10 days", MONDAY, "2026-11-14", "2026-11-23", ""),
        ("ideas this month", MONDAY, "2026-11-01", "2026-11-23", "ideas"),
        ("last month", MONDAY, "2026-10-01", "2026-10-31", ""),
        ("after November 15th", MONDAY, "2026-11-16", "2026-11-23", ""),
        ("in December", MONDAY, "2025-12-01", "2025-12-31", ""),  # the latest past December
        ("on 10 Nov", MONDAY, "2026-11-10", "2026-11-10", ""),
        (
            "what did I do on Saturday 12 September?",
            MONDAY,
            "2026-09-12",
            "2026-09-12",
            "what did I do ?",
        ),
    ],
)
def test_dates_in_questions(question: str, today: date, start: str, end: str, rest: str) -> None:
    when = parse_when(question, today)
    assert when.range is not None, question
    assert (when.range.start.isoformat(), when.range.end.isoformat()) == (start, end)
    assert when.rest == rest


def test_before_is_open_ended() -> None:
    when = parse_when("what did I try before 2026-11-01?", MONDAY)
    assert when.range is not None
    assert when.range.start == date.min and when.range.end == date(2026, 10, 31)
    assert when.range.describe() == "up to 2026-10-31"


@pytest.mark.parametrize(
    "question",
    [
        "when did run-0467 crash?",  # a run id is not a date
        "bf16 overflow in the attention",
        "what may cause NaN",  # 'may' is a month only with a day or a preposition
        "how far off are my estimates?",
        "error at step 640",
    ],
)
def test_no_dates(question: str) -> None:
    assert parse_when(question, MONDAY).range is None
