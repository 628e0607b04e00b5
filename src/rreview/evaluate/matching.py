"""Matching extracted facts to gold records: same file and date, same item (within a few lines)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
ITEM_WINDOW = 2  # a fact on a sub-bullet or the parent bullet still belongs to the same item


@dataclass(frozen=True)
class Ref:
    """A place in the eval log: file relative to the log root, 1-based line, ISO date."""

    file: str
    line: int
    date: str

    @staticmethod
    def of(record: dict[str, Any]) -> Ref:
        """The reference of a gold record."""
        return Ref(record["file"], int(record["line"]), record["date"])

    def near(self, other: Ref) -> bool:
        """Same file and date, lines within the item window."""
        return (
            self.file == other.file
            and self.date == other.date
            and abs(self.line - other.line) <= ITEM_WINDOW
        )


@dataclass
class Matched(Generic[T]):
    """The outcome of matching predictions against gold records, one to one."""

    pairs: list[tuple[T, dict[str, Any]]] = field(default_factory=list)
    false_positives: list[T] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        """Matched predictions over all predictions (None when nothing was predicted)."""
        total = len(self.pairs) + len(self.false_positives)
        return len(self.pairs) / total if total else None

    @property
    def recall(self) -> float | None:
        """Matched gold records over all gold records (None when there is no gold)."""
        total = len(self.pairs) + len(self.missed)
        return len(self.pairs) / total if total else None


def gold_refs(record: dict[str, Any], *extra_keys: str) -> list[Ref]:
    """The record's own place, plus the places named by `extra_keys` (e.g. `estimate_at`)."""
    refs = [Ref.of(record)]
    refs += [Ref.of(record[key]) for key in extra_keys if record.get(key)]
    return refs


def match(
    predicted: Sequence[tuple[T, Sequence[Ref]]],
    gold: Sequence[dict[str, Any]],
    gold_places: Sequence[Sequence[Ref]],
    ignore: Sequence[Ref] = (),
) -> Matched[T]:
    """Greedy one-to-one matching, exact lines first, then lines of the same item.

    A prediction at an ignored place (optional gold, an excused file) counts for nothing.
    """
    result: Matched[T] = Matched()
    free = set(range(len(gold)))
    pending: list[tuple[T, Sequence[Ref]]] = list(predicted)
    for tolerance in (0, ITEM_WINDOW):
        leftovers, pending = pending, []
        for value, places in leftovers:
            hit = next(
                (
                    index
                    for index in sorted(free)
                    if any(
                        p.file == g.file and p.date == g.date and abs(p.line - g.line) <= tolerance
                        for p in places
                        for g in gold_places[index]
                    )
                ),
                None,
            )
            if hit is None:
                pending.append((value, places))
            else:
                free.discard(hit)
                result.pairs.append((value, gold[hit]))
    for value, places in pending:
        if not any(p.near(i) or (p.file == i.file and i.line == 0) for p in places for i in ignore):
            result.false_positives.append(value)
    result.missed = [gold[index] for index in sorted(free)]
    return result
