"""Extraction against the gold annotations: precision and recall per fact kind and origin,
false estimate pairs, estimate ratio exactness, bug-family pairwise F1."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rreview.analyze.predictions import link_predictions
from rreview.analyze.todos import carried_tasks
from rreview.evaluate.matching import Matched, Ref, gold_refs, match
from rreview.extract.facts import ItemFacts
from rreview.extract.tasks import link_tasks
from rreview.store.sync import LogSnapshot

Metrics = dict[str, float | None]
HOURS_TOLERANCE = 0.05  # relative; or five minutes, whichever is larger
ORIGINS = ("notation", "prose")


@dataclass(frozen=True)
class Predicted:
    """One extracted fact, as the scorer sees it."""

    kind: str
    text: str
    origin: str  # "notation" or "prose" (heuristic and model extraction count as prose)
    places: tuple[Ref, ...]
    estimate_hours: float | None = None
    actual_hours: float | None = None

    def to_json(self) -> dict[str, Any]:
        """For the failure report."""
        first = self.places[0]
        out: dict[str, Any] = {"file": first.file, "line": first.line, "date": first.date}
        out |= {"text": self.text, "origin": self.origin}
        if self.kind == "estimate":
            out |= {"estimate_hours": self.estimate_hours, "actual_hours": self.actual_hours}
        return out


def _origin(facts: ItemFacts, kind: str) -> str:
    return "notation" if facts.origin_of(kind) == "notation" else "prose"


class Extracted:
    """Every fact the pipeline extracted from the eval log, grouped by kind."""

    def __init__(self, snapshot: LogSnapshot) -> None:
        self.root = snapshot.root
        self.facts = snapshot.facts

    def ref(self, facts: ItemFacts) -> Ref:
        """Where an item is, relative to the log root."""
        item = facts.item
        return Ref(os.path.relpath(item.file, self.root), item.line, item.date.isoformat())

    def _single(self, kind: str, keep: Callable[[ItemFacts], bool]) -> list[Predicted]:
        return [
            Predicted(kind, f.item.text, _origin(f, kind), (self.ref(f),))
            for f in self.facts
            if keep(f)
        ]

    def by_kind(self) -> dict[str, list[Predicted]]:
        """Predicted facts of every scored kind."""
        return {
            "estimate": self.estimates(),
            "bug": self._single("bug", lambda f: f.is_bug),
            "prediction": self.predictions(),
            "todo": self.carried(),
            "source": self._single("source", lambda f: f.source is not None),
            "idea": self._single("idea", lambda f: f.is_idea),
        }

    def estimates(self) -> list[Predicted]:
        """Estimate pairs: tasks (possibly across days) with both an estimate and an actual."""
        pairs = []
        for task in link_tasks(self.facts):
            if task.ratio is None:
                continue
            anchor = [m for m in task.mentions if m.actual_hours is not None]
            rest = [m for m in task.mentions if m not in anchor]
            pairs.append(
                Predicted(
                    "estimate",
                    task.text,
                    _origin(anchor[-1], "estimate"),
                    tuple(self.ref(m) for m in [*reversed(anchor), *rest]),
                    task.estimate_hours,
                    task.actual_hours,
                )
            )
        return pairs

    def predictions(self) -> list[Predicted]:
        """Predictions, each once, at the line that states it and the line of its outcome."""
        out = []
        for p in link_predictions(self.facts):
            places = [self.ref(p.made)] + ([self.ref(p.checked)] if p.checked else [])
            out.append(
                Predicted(
                    "prediction", p.made.item.text, _origin(p.made, "prediction"), tuple(places)
                )
            )
        return out

    def carried(self) -> list[Predicted]:
        """To-dos carried over two or more logged days."""
        tasks = link_tasks(self.facts)
        days = [f.item.date for f in self.facts]
        if not days:
            return []
        return [
            Predicted(
                "todo",
                t.text,
                _origin(t.mentions[0], "todo"),
                tuple(self.ref(m) for m in t.mentions),
            )
            for t in carried_tasks(tasks, min(days), max(days))
        ]


GOLD_PLACES: dict[str, tuple[str, Callable[[dict[str, Any]], list[Ref]], str | None]] = {
    "estimate": ("estimates", lambda r: gold_refs(r, "estimate_at"), None),
    "bug": ("bugs", gold_refs, "optional_bugs"),
    "prediction": ("predictions", lambda r: gold_refs(r, "outcome_at"), None),
    "todo": (
        "todos",
        lambda r: [Ref.of(o) for o in r.get("occurrences", [])] or gold_refs(r),
        "single_day_todos",
    ),
    "source": ("sources", gold_refs, "optional_sources"),
    "idea": ("ideas", gold_refs, "optional_ideas"),
}


def excused_files(gold: dict[str, Any]) -> list[Ref]:
    """Whole files whose facts are not scored (a lossy decode is acceptable there)."""
    return [
        Ref(bad["file"], 0, "")
        for bad in gold.get("bad_files", [])
        if bad.get("facts_scored") is False
    ]


def _ignored(gold: dict[str, Any], key: str | None) -> list[Ref]:
    refs = excused_files(gold)
    if key:
        refs += [Ref.of(r) for r in gold.get(key, [])]
    return refs


def score_extraction(
    extracted: Extracted, gold: dict[str, Any]
) -> tuple[Metrics, dict[str, list[Any]]]:
    """Precision/recall per kind and origin, plus estimate exactness and false pairs."""
    metrics: Metrics = {}
    failures: dict[str, list[Any]] = {}
    for kind, predicted in extracted.by_kind().items():
        gold_key, places_of, optional_key = GOLD_PLACES[kind]
        records = gold.get(gold_key, [])
        ignore = _ignored(gold, optional_key)
        for origin in ORIGINS:
            mine = [(p, p.places) for p in predicted if p.origin == origin]
            result = match(mine, records, [places_of(r) for r in records], ignore)
            # precision over this origin's predictions; recall over this origin's gold records
            theirs = [r for r in records if r.get("origin", "notation") == origin]
            all_result = match(
                [(p, p.places) for p in predicted], theirs, [places_of(r) for r in theirs], ignore
            )
            metrics[f"extraction.{kind}.{origin}.precision"] = result.precision
            metrics[f"extraction.{kind}.{origin}.recall"] = all_result.recall
            failures.setdefault(f"{kind}: extracted but not in gold", []).extend(
                p.to_json() for p in result.false_positives
            )
            failures.setdefault(f"{kind}: missed", []).extend(_brief(r) for r in all_result.missed)
        if kind == "estimate":
            _estimate_metrics(predicted, gold, records, ignore, metrics, failures)
    return metrics, {k: v for k, v in failures.items() if v}


def _estimate_metrics(
    predicted: Sequence[Predicted],
    gold: dict[str, Any],
    records: list[dict[str, Any]],
    ignore: list[Ref],
    metrics: Metrics,
    failures: dict[str, list[Any]],
) -> None:
    result: Matched[Predicted] = match(
        [(p, p.places) for p in predicted], records, [gold_refs(r, "estimate_at") for r in records]
    )
    exact = [(p, r) for p, r in result.pairs if _close(p, r)]
    metrics["estimate.ratio_exact"] = len(exact) / len(result.pairs) if result.pairs else None
    failures["estimate: wrong hours"] = [
        {**_brief(r), "got": p.to_json()} for p, r in result.pairs if not _close(p, r)
    ]
    non = gold.get("non_estimates", [])
    false_pairs = [p for p in predicted if any(p.places[0] == Ref.of(n) for n in non)]
    metrics["extraction.non_estimate.false_pairs"] = float(len(false_pairs))
    failures["estimate: false pair on a non-estimate line"] = [p.to_json() for p in false_pairs]


def _close(p: Predicted, record: dict[str, Any]) -> bool:
    def near(got: float | None, want: float) -> bool:
        return got is not None and abs(got - want) <= max(HOURS_TOLERANCE * want, 5 / 60)

    return near(p.estimate_hours, float(record["estimate_hours"])) and near(
        p.actual_hours, float(record["actual_hours"])
    )


def _brief(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "file", "line", "date", "text", "origin", "family")
    return {k: record[k] for k in keys if k in record}


def score_families(
    extracted: Extracted, gold: dict[str, Any], grouping: Sequence[Sequence[ItemFacts]]
) -> tuple[Metrics, list[dict[str, Any]]]:
    """Pairwise F1 of the bug families: gold mentions mapped to the predicted group of the
    extracted mention on the same item; a missed mention is a singleton."""
    from rreview.analyze.bugs import pairwise_f1

    records = gold.get("bugs", [])
    group_of = {extracted.ref(f): n for n, group in enumerate(grouping) for f in group}
    predicted: dict[int | str, list[str]] = {}
    for record in records:
        ref = Ref.of(record)
        group = next((n for place, n in group_of.items() if place.near(ref)), None)
        predicted.setdefault(group if group is not None else record["id"], []).append(record["id"])
    gold_groups: dict[str, list[str]] = {}
    for record in records:
        gold_groups.setdefault(record["family"], []).append(record["id"])
    score = pairwise_f1(predicted.values(), gold_groups.values())
    failures = [
        {
            "gold_family": fam,
            "mentions": ids,
            "split_into": sorted({_group_name(predicted, i) for i in ids}),
        }
        for fam, ids in gold_groups.items()
        if len({_group_name(predicted, i) for i in ids}) > 1
    ]
    return {
        "bug.family_pairwise_f1": score.f1,
        "bug.family_pairwise_precision": score.precision,
        "bug.family_pairwise_recall": score.recall,
    }, failures


def _group_name(predicted: dict[int | str, list[str]], bug_id: str) -> str:
    return next(str(key) for key, ids in predicted.items() if bug_id in ids)


def log_root(gold_path: Path, gold: dict[str, Any]) -> Path:
    """The eval log folder named by the gold file."""
    return (gold_path.parent / gold["log"].get("root", "logs")).resolve()
