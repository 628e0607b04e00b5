"""Predictions and their outcomes, linked across days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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
