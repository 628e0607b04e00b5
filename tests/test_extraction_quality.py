"""Extraction measured against hand annotations of the format fixtures (tests/fixtures/gold):
prose estimate pairs (precision over recall), notation pairs, bug mentions.

Run `pytest tests/test_extraction_quality.py -s` to see the numbers.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from conftest import FIXTURES
from rreview.extract import extract
from rreview.log.detect import read_log

GOLD = json.loads((FIXTURES / "gold" / "formats.json").read_text(encoding="utf-8"))
LOGS = [name for name in GOLD if not name.startswith("_")]


def _close(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= 0.1 * b + 1e-6


def score(log: str) -> Counter[str]:
    """True/false positives and false negatives per measure on one fixture log."""
    root = FIXTURES / log
    gold = GOLD[log]
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for entry in read_log(root)[1].entries:
        for item in entry.items:
            where = f"{os.path.relpath(item.file, root)}:{item.line}"
            facts = extract(item)
            expected = gold.get(where, {})
            seen.add(where)
            pair = expected.get("pair")
            found = facts.estimate_hours is not None and facts.actual_hours is not None
            written = "prose" if facts.origin_of("estimate") == "heuristic" else "notation"
            if found:
                right = pair and _close(facts.estimate_hours, pair[0])
                right = right and _close(facts.actual_hours, pair[1])
                counts[f"{written} tp" if right else f"{written} fp"] += 1
            if pair and not (found and written == expected["written"]):
                counts[f"{expected['written']} fn"] += 1
            bug = expected.get("bug", False)
            if bug is not None:
                outcome = ("tp" if bug else "fp") if facts.is_bug else ("fn" if bug else "tn")
                counts[f"bug {outcome}"] += 1
    missing = set(gold) - seen
    assert not missing, f"annotations for items that were not read: {missing}"
    return counts


def _rates(counts: Counter[str], kind: str) -> tuple[float, float]:
    tp, fp, fn = counts[f"{kind} tp"], counts[f"{kind} fp"], counts[f"{kind} fn"]
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def test_extraction_against_hand_annotations() -> None:
    total: Counter[str] = Counter()
    for log in LOGS:
        total += score(log)
    prose_p, prose_r = _rates(total, "prose")
    notation_p, notation_r = _rates(total, "notation")
    bug_p, bug_r = _rates(total, "bug")
    print(
        f"\nprose estimate pairs: precision {prose_p:.2f} recall {prose_r:.2f} "
        f"({total['prose tp']} right, {total['prose fp']} wrong, {total['prose fn']} missed)"
        f"\nnotation pairs: precision {notation_p:.2f} recall {notation_r:.2f}"
        f"\nbug mentions: precision {bug_p:.2f} recall {bug_r:.2f} "
        f"({total['bug tp']} found, {total['bug fp']} false, {total['bug fn']} missed)"
    )
    assert total["prose tp"] >= 10  # the fixtures do hold enough prose pairs to measure
    assert prose_p >= 0.9 and prose_r >= 0.7
    assert notation_p >= 0.95 and notation_r >= 0.95
    assert bug_r >= 0.8


def test_gold_file_names_real_items() -> None:
    for log in LOGS:
        for where in GOLD[log]:
            file, line = where.rsplit(":", 1)
            path = Path(FIXTURES / log / file)
            assert path.exists(), where
            assert int(line) <= len(path.read_text(encoding="utf-8-sig").split("\n"))
