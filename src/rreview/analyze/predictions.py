"""Predictions and their outcomes, linked across days."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rreview.analyze.items import Period
from rreview.extract.facts import ItemFacts, Prediction
from rreview.extract.notation import task_key


@dataclass(frozen=True)
class CheckedPrediction:
    """A prediction, the item that states it, and the item that states its outcome (if any)."""

    prediction: Prediction
    made: ItemFacts
    checked: ItemFacts | None

    @property
    def dates(self) -> tuple[date, ...]:
        """Dates of the items it rests on: where it was made and where it was checked."""
        days = {self.made.item.date} | ({self.checked.item.date} if self.checked else set())
        return tuple(sorted(days))


def link_predictions(facts: Sequence[ItemFacts]) -> list[CheckedPrediction]:
    """Each prediction once: an open one is closed by a later item with the same prediction."""
    ordered = sorted((f for f in facts if f.prediction), key=lambda f: (f.item.date, f.item.line))
    result: list[CheckedPrediction] = []
    open_by_key: dict[str, int] = {}
    for f in ordered:
        assert f.prediction is not None
        key = task_key(f.prediction.predicted)
        if f.prediction.outcome is None:
            open_by_key[key] = len(result)
            result.append(CheckedPrediction(f.prediction, f, None))
            continue
        match = next((k for k in open_by_key if _same_prediction(k, key)), None)
        if match is not None:
            index = open_by_key.pop(match)
            result[index] = CheckedPrediction(f.prediction, result[index].made, f)
        else:
            result.append(CheckedPrediction(f.prediction, f, f))
    return result


def _same_prediction(open_key: str, checked_key: str) -> bool:
    """One statement's words all appear in the other ("BLEU +1.5" and "BLEU +1.5 from X")."""
    a, b = set(open_key.split()), set(checked_key.split())
    return bool(a and b) and (a <= b or b <= a)


# What a prediction says about its outcome beyond a number. "at least 3", "above 3", "3+",
# "beats X by 2+" set a bound; "+3 pts", "adds 3", "loses 4" a direction of change.
BOUND_UP_RE = re.compile(
    r"\b(?:at least|above|more than|exceeds?|beats?|outperforms?)\b|>=?|\d\s*\+(?![\d\w])", re.I
)
BOUND_DOWN_RE = re.compile(r"\b(?:at most|below|under|less than|no more than)\b|<=?", re.I)
UP_RE = re.compile(
    r"\b(?:adds?|gains?|improves?|increases?|raises?|boosts?|recovers?|helps?|higher|better)\b",
    re.I,
)
DOWN_RE = re.compile(
    r"\b(?:loses?|drops?|hurts?|costs?|decreases?|reduces?|lowers?|falls?|lower|worse)\b", re.I
)
SIGNED_RE = re.compile(r"(?<![\w.])[+−-]\s?\d")
# Quantities where a smaller number is the better result: a miss upward is optimism.
LOWER_IS_BETTER_RE = re.compile(
    r"(?<![\w-])(?:loss|error|wer|cer|perplexity|ppl|latency|runtime|time|memory|ece|mse|mae"
    r"|rmse|fid|eer)(?![\w-])",
    re.I,
)


@dataclass(frozen=True)
class PredictionCheck:
    """A linked prediction judged against its outcome (numbers computed, never guessed)."""

    linked: CheckedPrediction
    kind: str  # "bound", "change", "point" (a number) or "text" (no number to compare)
    held: bool | None  # the outcome fell on the predicted side; None when there is no side
    lower_is_better: bool

    @property
    def prediction(self) -> Prediction:
        """The prediction with its outcome (the closing statement's numbers)."""
        return self.linked.prediction

    @property
    def stated(self) -> str:
        """The prediction as first written."""
        made = self.linked.made.prediction
        return made.predicted if made else self.prediction.predicted

    @property
    def error(self) -> float | None:
        """Outcome minus prediction, where both are numbers."""
        return self.prediction.error

    @property
    def relative_error(self) -> float | None:
        """|error| / |predicted|: comparable across units (None for a predicted 0)."""
        p = self.prediction
        if self.error is None or not p.predicted_value:
            return None
        return abs(self.error) / abs(p.predicted_value)

    @property
    def optimistic(self) -> bool | None:
        """True when the outcome was worse than predicted, False when better, None if equal
        or not numeric. A bound that failed ("at most 10%", got 14%) was optimistic; one that
        held says nothing either way."""
        if self.kind == "bound":
            return True if self.held is False else None
        if self.error is None or self.error == 0:
            return None
        return self.error > 0 if self.lower_is_better else self.error < 0


def judge(linked: CheckedPrediction) -> PredictionCheck:
    """Classify a prediction and, once checked, say whether its outcome fell on its side."""
    p = linked.prediction
    text = (linked.made.prediction.predicted if linked.made.prediction else p.predicted) or ""
    down_words = bool(DOWN_RE.search(text))
    lower = bool(LOWER_IS_BETTER_RE.search(text)) or down_words
    if p.predicted_value is None:
        return PredictionCheck(linked, "text", None, lower)
    outcome = p.outcome_value
    if BOUND_UP_RE.search(text) or BOUND_DOWN_RE.search(text):
        if outcome is None:
            return PredictionCheck(linked, "bound", None, lower)
        up = bool(BOUND_UP_RE.search(text))
        held = outcome >= p.predicted_value if up else outcome <= p.predicted_value
        return PredictionCheck(linked, "bound", held, lower)
    if SIGNED_RE.search(text) or down_words or UP_RE.search(text):
        if outcome is None:
            return PredictionCheck(linked, "change", None, lower)
        signed_outcome = bool(SIGNED_RE.search(p.outcome or ""))
        # an unsigned outcome ("loses ~4 pts, got 6.1 pts") is read in the prediction's frame
        same = (outcome > 0) == (p.predicted_value > 0) if signed_outcome else outcome != 0
        return PredictionCheck(linked, "change", same, lower)
    return PredictionCheck(linked, "point", None, lower)


@dataclass(frozen=True)
class Calibration:
    """How good the predictions were, over the checked ones."""

    checks: tuple[PredictionCheck, ...]  # checked, most-off first
    open: tuple[CheckedPrediction, ...]  # made, no outcome logged yet

    @property
    def with_side(self) -> list[PredictionCheck]:
        """Checked predictions that state a side (a bound or a direction)."""
        return [c for c in self.checks if c.held is not None]

    @property
    def held(self) -> int:
        """How many outcomes fell on the predicted side."""
        return sum(1 for c in self.with_side if c.held)

    @property
    def numeric(self) -> list[PredictionCheck]:
        """Checked predictions with a number on both sides."""
        return [c for c in self.checks if c.error is not None]

    def mean_absolute_error(self) -> dict[str, tuple[float, int]]:
        """Unit ("%", " pts", "") -> (mean absolute error, count): units are never mixed."""
        by_unit: dict[str, list[float]] = {}
        for c in self.numeric:
            by_unit.setdefault(c.prediction.unit, []).append(abs(c.error or 0))
        return {unit: (sum(v) / len(v), len(v)) for unit, v in sorted(by_unit.items())}

    @property
    def optimistic(self) -> int:
        """Numeric predictions whose outcome was worse than predicted."""
        return sum(1 for c in self.numeric if c.optimistic is True)

    @property
    def pessimistic(self) -> int:
        """Numeric predictions whose outcome was better than predicted."""
        return sum(1 for c in self.numeric if c.optimistic is False)


def _most_off(check: PredictionCheck) -> tuple[int, float, date]:
    relative = check.relative_error
    return (
        0 if relative is not None else 1 if check.held is False else 2,
        -(relative or 0.0),
        check.linked.dates[-1],
    )


def calibration(facts: Sequence[ItemFacts], period: Period = Period()) -> Calibration:
    """Every prediction made or checked in `period`: the checked ones judged, most-off first
    (by relative error, then missed sides, then the rest), and the open ones."""
    linked = [p for p in link_predictions(facts) if any(period.contains(d) for d in p.dates)]
    checks = sorted((judge(p) for p in linked if p.checked), key=_most_off)
    return Calibration(tuple(checks), tuple(p for p in linked if p.checked is None))
