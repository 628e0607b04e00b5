"""Which kind of question this is: an aggregate one that an analysis answers ("what bugs
recur?", "how far off are my estimates?", "which predictions were most off?", "what do I
keep postponing?") or a lookup that retrieval answers ("when did run-0467 crash?")."""

from __future__ import annotations

import re

LOOKUP = "lookup"
ROUTES = ("bugs", "estimates", "predictions", "todos", LOOKUP)

_AGGREGATE = (
    r"(recur|again|repeat|keep|kept|most|common|famil|pattern|often|frequen|how\s+many|all"
    r"|list|which|what|worst|biggest|overall|usual|typical|every|summar)"
)
_PREDICTION_CUES = _AGGREGATE[:-1] + r"|accura|wrong|off\b|miss|calibrat|how|right|good)"
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "estimates",
        re.compile(
            r"\b(estimat\w*|underestimat\w*|overestimat\w*|overrun\w*|calibrat\w*|"
            r"planning\s+(?:multiplier|fallacy)|took\s+longer\s+than\s+(?:planned|estimated))",
            re.I,
        ),
    ),
    (
        "predictions",
        re.compile(
            rf"\bpredict\w*\b.*\b{_PREDICTION_CUES}|\b{_PREDICTION_CUES}.*\bpredictions\b", re.I
        ),
    ),
    (
        "todos",
        re.compile(
            r"\b(carried|carry(?:ing)?\s+over|postpon\w*|put(?:ting)?\s+off|still\s+open|"
            r"unfinished|open\s+to-?dos?|backlog|procrastinat\w*)",
            re.I,
        ),
    ),
    ("bugs", re.compile(r"\b(bugs|errors|crashes|failures)\b|\bbugs?\b.*\b" + _AGGREGATE, re.I)),
)


def route_question(question: str) -> str:
    """The route: one of `ROUTES`."""
    for name, pattern in _RULES:
        if pattern.search(question):
            return name
    return LOOKUP


CHRONOLOGICAL = re.compile(
    r"\b(first|start(?:ed)?|began|since\s+when|history|timeline|how\s+many\s+times|each\s+time|again)\b",
    re.I,
)


def is_chronological(question: str) -> bool:
    """ "When did X first show up": show the evidence in date order, first seen first."""
    return bool(CHRONOLOGICAL.search(question))
