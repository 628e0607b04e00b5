"""The structured facts extraction produces from one item."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rreview.log.model import Item


class SourceKind(StrEnum):
    """Where an idea or finding came from."""

    PAPER = "paper"
    CHAT = "chat"
    TALK = "talk"
    SOCIAL = "social media"
    EXPERIMENT = "own experiment"
    OTHER = "other"


@dataclass(frozen=True)
class Prediction:
    """A prediction and, once checked, its outcome."""

    predicted: str
    outcome: str | None = None
    predicted_value: float | None = None
    outcome_value: float | None = None
    unit: str = ""

    @property
    def error(self) -> float | None:
        """Outcome minus prediction, where both are numbers."""
        if self.predicted_value is None or self.outcome_value is None:
            return None
        return round(self.outcome_value - self.predicted_value, 6)


@dataclass(frozen=True)
class ItemFacts:
    """Everything extraction found in one item; `origin` says which extractor found it."""

    item: Item
    task: str  # the item's words without notation: for display and for matching across days
    task_key: str  # normalised `task`, equal for the same task written on different days
    is_todo: bool = False
    done: bool = False
    estimate_hours: float | None = None
    actual_hours: float | None = None
    is_bug: bool = False
    is_idea: bool = False
    prediction: Prediction | None = None
    source: str | None = None
    source_kind: SourceKind | None = None
    origin: str = "notation"  # "heuristic" when any fact of the item came from the prose rules
    # per fact kind (estimate, bug, prediction, source, idea, todo), where it differs from
    # "notation": e.g. (("estimate", "heuristic"),) for a pair read from prose
    origins: tuple[tuple[str, str], ...] = ()

    def origin_of(self, kind: str) -> str:
        """Which extractor found the fact of this `kind`: notation, heuristic or llm."""
        return dict(self.origins).get(kind, "notation")
