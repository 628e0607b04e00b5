"""Tune the bug-family threshold on hand-annotated logs: pairwise F1 over a grid.

    python -m rreview.analyze.bug_tuning evals/gold.json
    python -m rreview.analyze.bug_tuning tests/fixtures/analyses/gold/bugs-*.json

Each gold file has the shape of `evals/gold.json`: `log.root` (relative to the gold file),
`log.formats` (name -> log path under the root) and `bugs`, each with `file` (under the
root), `line` or `date`, and `family`. The scores are over the gold mentions that extraction
found (missed ones are reported apart: they are an extraction problem, not a grouping one).
The recommendation is the (concept bonus, weight) with the best mean F1 and, for it, the
middle of the widest run of thresholds that reach it. Prints a table; exit code 0.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rreview.analyze.bugs import (
    BUG_THRESHOLD,
    CONCEPT_BONUS,
    DENSE_WEIGHT,
    BugMention,
    BugSimilarity,
    bug_mentions,
    bug_similarity,
    pairwise_f1,
)
from rreview.analyze.cluster import average_linkage
from rreview.analyze.terms import vocabulary
from rreview.analyze.vectors import EmbeddedVectors, ItemVectors

WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)
BONUSES = (0.0, 0.05, 0.1)
THRESHOLDS = tuple(round(0.10 + 0.01 * i, 2) for i in range(46))  # 0.10 .. 0.55


@dataclass
class GoldCase:
    """One annotated log, its mentions matched to the gold, and their similarities."""

    name: str
    mentions: list[BugMention]
    gold: list[list[int]]  # families as indices into `mentions`
    missed: list[str]  # gold mentions extraction did not find
    similarity: BugSimilarity


def _matches(mention: BugMention, root: Path, log: Path, record: dict[str, Any]) -> bool:
    """Same file and line (or date); for a gold file outside this log (another format of the
    same log), the same date and the gold text inside the mention's."""
    wanted = (root / record["file"]).resolve()
    if not wanted.is_relative_to(log.resolve()):
        text = " ".join(str(record.get("text", "")).split())
        return (
            mention.date.isoformat() == record["date"]
            and bool(text)
            and (text in " ".join(mention.facts.item.text.split()))
        )
    if Path(mention.file).resolve() != wanted:
        return False
    if "line" in record:
        return mention.line == int(record["line"])
    return mention.date.isoformat() == record["date"]


def load_cases(
    gold_path: Path, vectors: ItemVectors, formats: Sequence[str] | None = None
) -> list[GoldCase]:
    """The annotated logs of one gold file (each format named in it, or those asked)."""
    from rreview.store.sync import load_log

    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    root = (gold_path.parent / gold["log"]["root"]).resolve()
    logs: dict[str, Path] = {}
    for name, relative in gold["log"]["formats"].items():
        if not formats or name in formats:
            under_root, beside_gold = root / relative, gold_path.parent / relative
            logs[name] = (under_root if under_root.exists() else beside_gold).resolve()
    if not formats and len(logs) > 1 and all(p.is_relative_to(root) for p in logs.values()):
        logs = {"all": root}  # one log kept in several formats: read it whole, as `eval` does
    cases = []
    for name, log in logs.items():
        snapshot = load_log(log)
        found = bug_mentions(snapshot.facts)
        mentions: list[BugMention] = []
        families: dict[str, list[int]] = {}
        missed = []
        for record in gold["bugs"]:
            hit = next((m for m in found if _matches(m, root, log, record)), None)
            if hit is None:
                missed.append(f"{record['file']}:{record.get('line', record.get('date'))}")
                continue
            families.setdefault(record["family"], []).append(len(mentions))
            mentions.append(hit)
        vocab = vocabulary(f.item.text for f in snapshot.facts)
        similarity = bug_similarity(mentions, vectors, vocab)
        cases.append(
            GoldCase(
                f"{gold_path.name}:{name}", mentions, list(families.values()), missed, similarity
            )
        )
    return cases


Setting = tuple[float, float]  # (CONCEPT_BONUS, DENSE_WEIGHT)


def score(case: GoldCase, weight: float, threshold: float, bonus: float = CONCEPT_BONUS) -> float:
    """Pairwise F1 of the grouping at (weight, threshold, bonus) against the case's gold."""
    groups = average_linkage(case.similarity.combined(weight, bonus), threshold)
    return pairwise_f1(groups, case.gold).f1


def sweep(
    cases: Sequence[GoldCase],
    weights: Sequence[float] = WEIGHTS,
    thresholds: Sequence[float] = THRESHOLDS,
    bonuses: Sequence[float] = BONUSES,
) -> dict[Setting, list[float]]:
    """Mean F1 over `cases` for each (bonus, weight), one value per threshold."""
    return {
        (b, w): [sum(score(c, w, t, b) for c in cases) / len(cases) for t in thresholds]
        for b in bonuses
        for w in weights
    }


def recommend(
    table: dict[Setting, list[float]], thresholds: Sequence[float] = THRESHOLDS
) -> tuple[float, float, float, float]:
    """(bonus, weight, threshold, F1): the best mean F1; among settings that reach it, the
    one whose run of best thresholds is widest (then the one nearest the current constants),
    and the middle of that run."""
    best = max(max(row) for row in table.values())

    def widest_run(row: list[float]) -> tuple[int, int]:
        runs, start = [], None
        for i, value in enumerate([*row, -1.0]):
            if value >= best - 1e-9 and start is None:
                start = i
            elif value < best - 1e-9 and start is not None:
                runs.append((i - start, -start))
                start = None
        return max(runs) if runs else (0, 0)

    def nearness(setting: Setting) -> float:
        return -abs(setting[0] - CONCEPT_BONUS) - abs(setting[1] - DENSE_WEIGHT)

    chosen = max(table, key=lambda k: (widest_run(table[k]), nearness(k)))
    length, start = widest_run(table[chosen])
    middle = thresholds[-start + (length - 1) // 2]
    return chosen[0], chosen[1], middle, best


def main(argv: Sequence[str] | None = None) -> int:
    """Print the F1 table and the recommended bonus, weight and threshold."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("gold", nargs="+", type=Path, help="gold JSON files")
    parser.add_argument("--format", action="append", help="only these formats of the logs")
    args = parser.parse_args(argv)
    vectors = EmbeddedVectors()
    cases = [c for path in args.gold for c in load_cases(path, vectors, args.format)]
    table = sweep(cases)
    print("bonus weight  " + " ".join(f"{t:.2f}" for t in THRESHOLDS[::2]))
    for (bonus, weight), row in table.items():
        print(f"{bonus:.2f}  {weight:.1f}     " + " ".join(f"{v:.2f}" for v in row[::2]))
    bonus, weight, threshold, best = recommend(table)
    for case in cases:
        now = score(case, DENSE_WEIGHT, BUG_THRESHOLD, CONCEPT_BONUS)
        print(
            f"{case.name}: {len(case.mentions)} mentions, F1 "
            f"{score(case, weight, threshold, bonus):.3f} at the recommendation, {now:.3f} at"
            f" the current setting; missed by extraction: {', '.join(case.missed) or 'none'}"
        )
    print(
        f"recommended: CONCEPT_BONUS = {bonus}, DENSE_WEIGHT = {weight}, BUG_THRESHOLD = "
        f"{threshold} (mean F1 {best:.3f}); current: {CONCEPT_BONUS}, {DENSE_WEIGHT}, "
        f"{BUG_THRESHOLD}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
