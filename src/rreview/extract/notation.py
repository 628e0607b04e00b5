"""The explicit notation, parsed exactly: `est 2h`, `took 3h`, `~2h`, `#bug`, `bug:`,
`predicted X, got Y`, `source: chat`, checkboxes and the seed sections."""

from __future__ import annotations

import re

from rreview.extract.facts import ItemFacts, Prediction, SourceKind
from rreview.extract.prose import machine_time
from rreview.log.model import TAG_RE, Item, Section
from rreview.log.patterns import lazy

HOURS_PER_DAY = 8.0  # `est 1d` is one working day

_NUM = r"\d+(?:[.,]\d+)?"
_UNIT = r"(?:h|hrs?|hours?|m|mins?|minutes?|d|days?)\b"
# "2h", "1.5 h", "2h30m", "1h 30min", "90 min", "2-3h", "half a day" is prose (not here).
DURATION = (
    rf"(?:{_NUM}\s*h(?:rs?|ours?)?\s*{_NUM}\s*m(?:ins?|inutes?)?\b"
    rf"|{_NUM}\s*(?:-|–|to)\s*{_NUM}\s*{_UNIT}"
    rf"|{_NUM}\s*{_UNIT})"
)
EST_RE = lazy(rf"\best(?:imated?)?\.?\s*[:=]?\s*~?\s*(?P<d>{DURATION})", re.I)
TOOK_RE = lazy(rf"\b(?:took|spent|actual)\s*[:=]?\s*~?\s*(?P<d>{DURATION})", re.I)
TILDE_RE = lazy(rf"(?<![\w~])~\s*(?P<d>{DURATION})", re.I)
BUG_PREFIX_RE = lazy(r"^\s*(?:\*\*)?bug\s*(?:\*\*)?\s*[:\-–]", re.I)
BUG_TAGS = {"bug", "bugs", "bugfix"}
IDEA_TAGS = {"idea", "ideas"}
_OUTCOME_WORDS = (
    r"got|measured|actual(?:ly)?|result(?:ed)?(?:\s+in)?|outcome|observed|"
    r"came out(?:\s+at)?|ended up(?:\s+at)?|turned out(?:\s+to be)?"
)
PREDICTION_RE = lazy(
    r"\bpredict(?:ed|ion|s)?\b\s*:?\s*(?P<pred>.+?)\s*"
    r"(?:[,;]|\s+but|\s+and|\s*(?:->|→|=>))\s*(?:but\s+)?(?:it\s+|this\s+|that\s+)?"
    rf"(?:{_OUTCOME_WORDS})\b\s*:?\s*(?P<got>(?:\d[,.]\d|[^,;.()#\n])+)",
    re.I,
)
ARROW_PREDICTION_RE = lazy(
    r"\bpredict(?:ed|ion|s)?\b\s*:?\s*(?P<pred>[^,;#\n]+?)\s*(?:->|→|=>)\s*(?P<got>(?:\d[,.]\d|[^,;.()#\n])+)",
    re.I,
)
OPEN_PREDICTION_RE = lazy(r"\bpredict(?:ed|ion|s)?\b\s*:?\s*", re.I)
# A standalone number: not glued to letters or hyphens ("1.5B", "best-of-16", "run-0463",
# "W48"), optionally followed by a unit ("72%", "+5 pts", "3 points", "2pp").
NUMBER_RE = lazy(
    r"(?<![\w.,])(?<![^\W\d_]-)(?P<value>[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?:\+?\s*(?P<unit>%|pts?\b|points?\b|pp\b)|(?!\w|\.\d|-[^\W\d_]))"
)
APPROX_RE = lazy(r"(?:~|≈|\babout|\baround|\broughly)\s*$", re.I)
SOURCE_RE = lazy(r"(?<![\w-])(?:source|src|via)\s*:\s*(?P<src>[^)#;\n]+)", re.I)
NOTATION_PAREN_RE = lazy(r"\((?P<body>[^()]*)\)")
_SOURCE_KINDS: tuple[tuple[SourceKind, re.Pattern[str]], ...] = (
    (
        SourceKind.PAPER,
        lazy(r"paper|arxiv|preprint|article|journal|book|reading(?! group)", re.I),
    ),
    (
        SourceKind.SOCIAL,
        lazy(r"twitter|tweet|\bx\b|bluesky|mastodon|reddit|\bhn\b|hacker news|blog|social", re.I),
    ),
    (
        SourceKind.TALK,
        lazy(
            r"talk|seminar|lecture|conference|workshop|poster|reading group|keynote|tutorial", re.I
        ),
    ),
    (
        SourceKind.CHAT,
        lazy(
            r"chat|conversation|discussion|meeting|call|email|e-mail|slack|dm\b|advisor|coffee|1:1|lunch",
            re.I,
        ),
    ),
    (
        SourceKind.EXPERIMENT,
        lazy(r"experiment|run\b|ablation|own|result|analysis|eval", re.I),
    ),
)


def parse_hours(text: str) -> float | None:
    """Hours in a duration such as "2h", "30m", "1.5 hours", "2h30m", "1d" or "2-3h"."""
    text = text.strip().lower().replace(",", ".")
    compound = re.fullmatch(rf"({_NUM})\s*h[a-z]*\s*({_NUM})\s*m[a-z]*", text)
    if compound:
        return float(compound.group(1)) + float(compound.group(2)) / 60
    span = re.fullmatch(rf"({_NUM})\s*(?:-|–|to)\s*({_NUM})\s*([a-z]+)", text)
    if span:
        low, high = float(span.group(1)), float(span.group(2))
        return _scale((low + high) / 2, span.group(3))
    single = re.fullmatch(rf"({_NUM})\s*([a-z]+)", text)
    if single:
        return _scale(float(single.group(1)), single.group(2))
    return None


def _scale(value: float, unit: str) -> float | None:
    if unit.startswith("h"):
        return value
    if unit.startswith("m"):
        return value / 60
    if unit.startswith("d"):
        return value * HOURS_PER_DAY
    return None


def stated_number(text: str) -> tuple[float | None, str]:
    """The value a prediction states, and its unit ("%", " pts" or "").

    The first number with a unit wins; then one marked approximate ("~300", "about 6");
    else the last standalone number.
    """
    matches = list(NUMBER_RE.finditer(text))
    with_unit = [m for m in matches if m.group("unit")]
    approximate = [m for m in matches if APPROX_RE.search(text[: m.start()])]
    candidates = with_unit or approximate or matches[-1:]
    if not candidates:
        return None, ""
    chosen = candidates[0]
    unit = chosen.group("unit") or ""
    value = float(chosen.group("value").replace("−", "-").replace(",", ""))
    return value, ("%" if unit == "%" else " pts" if unit else "")


def parse_prediction(text: str) -> Prediction | None:
    """`predicted 72%, got 68%` (or `prediction: X -> got Y`), or an open `predicted X`."""
    match = PREDICTION_RE.search(text) or ARROW_PREDICTION_RE.search(text)
    if match:
        pred, got = match.group("pred").strip(), match.group("got").strip().rstrip(".")
        (pred_value, pred_unit), (got_value, got_unit) = stated_number(pred), stated_number(got)
        return Prediction(pred, got, pred_value, got_value, pred_unit or got_unit)
    match = OPEN_PREDICTION_RE.search(text)
    pred = strip_notation(text[match.end() :]).rstrip(".") if match else ""
    if len(pred.split()) >= 2 or NUMBER_RE.search(pred):  # not a heading like "Prediction check"
        value, unit = stated_number(pred)
        return Prediction(pred, None, value, None, unit)
    return None


def source_kind(source: str) -> SourceKind:
    """The kind of a `source:` value ("chat with Yitao" -> chat)."""
    for kind, pattern in _SOURCE_KINDS:
        if pattern.search(source):
            return kind
    return SourceKind.OTHER


def strip_notation(text: str) -> str:
    """The item's own words: notation, tags and notation-only parentheses removed."""

    def paren(match: re.Match[str]) -> str:
        body = match.group("body")
        rest = EST_RE.sub("", TOOK_RE.sub("", TILDE_RE.sub("", SOURCE_RE.sub("", body))))
        return "" if not re.sub(r"[\s,;/]+", "", rest) else match.group(0)

    text = NOTATION_PAREN_RE.sub(paren, text)
    text = SOURCE_RE.sub("", EST_RE.sub("", TOOK_RE.sub("", TILDE_RE.sub("", text))))
    text = TAG_RE.sub("", BUG_PREFIX_RE.sub("", text))
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"[\s,;:(\-–]+$", "", text).strip()


def task_key(text: str) -> str:
    """A matching key for "the same task" across days: lower-case words of the bare text."""
    words = re.findall(r"[^\W_]+", strip_notation(text).lower())
    return " ".join(words)


def _took(text: str) -> re.Match[str] | None:
    """The first `took 3h` that is the writer's time: "the job took 14h" and "took 40 min per
    checkpoint" are a machine's time and a rate, written in prose (outside parentheses)."""
    for match in TOOK_RE.finditer(text):
        in_parens = text.count("(", 0, match.start()) > text.count(")", 0, match.start())
        if in_parens or not machine_time(text, match.start("d"), match.end("d")):
            return match
    return None


def read_times(item: Item) -> tuple[float | None, float | None, str]:
    """(estimate, actual, which one a `~2h` gave: "estimate", "actual" or ""), from the
    notation and from what the format itself records (org Effort, CLOCK lines)."""
    text = item.text
    est_match = EST_RE.search(text)
    took_match = _took(text)
    estimate = parse_hours(est_match.group("d")) if est_match else None
    actual = parse_hours(took_match.group("d")) if took_match else None
    done = item.checked is True or (item.section is Section.DONE and item.checked is None)
    tilde_role = ""
    if actual is None:
        rest = EST_RE.sub("", TOOK_RE.sub("", text))
        tilde = TILDE_RE.search(rest)
        if tilde and not machine_time(rest, tilde.start("d"), tilde.end("d")):
            if done:
                actual, tilde_role = parse_hours(tilde.group("d")), "actual"
            elif estimate is None:
                estimate, tilde_role = parse_hours(tilde.group("d")), "estimate"
    if estimate is None and item.effort_hours is not None:
        estimate = item.effort_hours
    if actual is None and item.clocked_hours is not None:
        actual = item.clocked_hours
    return estimate, actual, tilde_role


def extract(item: Item) -> ItemFacts:
    """The facts stated in `item` by explicit notation (prose is `rreview.extract.extract`)."""
    text = item.text
    estimate, actual, _ = read_times(item)
    is_todo = item.section is Section.PLAN or item.checked is not None
    done = item.checked is True or (item.section is Section.DONE and item.checked is None)
    tags = set(item.tags)
    prediction = (
        parse_prediction(text) if ("prediction" in tags or "predict" in text.lower()) else None
    )
    source_match = SOURCE_RE.search(text)
    source = source_match.group("src").strip().rstrip(".,") if source_match else None
    return ItemFacts(
        item=item,
        task=strip_notation(text),
        task_key=task_key(text),
        is_todo=is_todo,
        done=done,
        estimate_hours=estimate,
        actual_hours=actual,
        is_bug=bool(tags & BUG_TAGS) or bool(BUG_PREFIX_RE.match(text)),
        is_idea=item.section is Section.IDEAS or bool(tags & IDEA_TAGS),
        prediction=prediction,
        source=source,
        source_kind=source_kind(source) if source else None,
    )
