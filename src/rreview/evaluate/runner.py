"""`rreview eval`: the whole pipeline on the eval log, every metric, failures, thresholds."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rreview.evaluate.extraction import Extracted, log_root, score_extraction, score_families
from rreview.evaluate.questions import ask_json, score_questions
from rreview.evaluate.weekly import (
    coverage,
    forbidden_hits,
    report_lines,
    report_text,
    unsupported_numbers,
)

DEFAULT_SIMILARITY = 0.55


@dataclass
class EvalResult:
    """Metrics, their thresholds, what failed, and the failure cases to read."""

    metrics: dict[str, float | None] = field(default_factory=dict)
    thresholds: dict[str, dict[str, float | None]] = field(default_factory=dict)
    failures: dict[str, Any] = field(default_factory=dict)
    spot_checks: dict[str, Any] = field(default_factory=dict)  # matches to verify by hand

    def verdicts(self) -> list[tuple[str, float | None, str, bool | None]]:
        """(metric, value, bound, passed) for every metric, in name order."""
        rows = []
        for name in sorted(set(self.metrics) | set(self.thresholds)):
            value = self.metrics.get(name)
            bound = self.thresholds.get(name, {})
            low, high = bound.get("min"), bound.get("max")
            passed: bool | None = None
            text = ""
            # n/a (nothing to measure, e.g. precision with no prediction) is not enforced:
            # the recall beside it fails instead when the pipeline stops producing a kind.
            if low is not None:
                text, passed = f">= {low:g}", None if value is None else value >= low
            elif high is not None:
                text, passed = f"<= {high:g}", None if value is None else value <= high
            rows.append((name, value, text, passed))
        return rows

    @property
    def failed(self) -> list[str]:
        """Metrics under (or over) their threshold."""
        return [name for name, _, _, passed in self.verdicts() if passed is False]


@contextmanager
def temporary_home() -> Iterator[Path]:
    """A throw-away RREVIEW_HOME for the run: the eval never touches the user's data."""
    before = os.environ.get("RREVIEW_HOME")
    with tempfile.TemporaryDirectory(prefix="rreview-eval-") as tmp:
        os.environ["RREVIEW_HOME"] = tmp
        try:
            yield Path(tmp)
        finally:
            if before is None:
                os.environ.pop("RREVIEW_HOME", None)
            else:
                os.environ["RREVIEW_HOME"] = before


def run_eval(evals_dir: Path, engine_name: str = "offline", questions: bool = True) -> EvalResult:
    """Run every scorer on the eval set in `evals_dir` (gold.json, thresholds.json, logs/)."""
    from rreview.engines.base import get_engine
    from rreview.paths import index_dir
    from rreview.store.embed import Embedder
    from rreview.store.sync import load_log, sync_index

    gold_path = evals_dir / "gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    settings = json.loads((evals_dir / "thresholds.json").read_text(encoding="utf-8"))
    result = EvalResult(thresholds=settings.get("metrics", {}))
    root = log_root(gold_path, gold)
    embedder = Embedder()
    with temporary_home():
        snapshot = load_log(root)
        sync_index(snapshot, index_dir(root), embedder)
        extracted = Extracted(snapshot)
        metrics, failures = score_extraction(extracted, gold)
        result.metrics |= metrics
        result.failures |= failures
        _families(extracted, gold, snapshot, embedder, result)
        _bad_files(gold, snapshot, result)
        texts = _weeks(gold, snapshot, get_engine(engine_name), embedder, settings, result)
        if questions:
            texts += _questions(gold, root, engine_name, result)
        _injections(gold, texts, result)
    return result


def _families(
    extracted: Extracted, gold: dict[str, Any], snapshot: Any, embedder: Any, result: EvalResult
) -> None:
    from rreview.analyze.bugs import bug_families
    from rreview.analyze.vectors import EmbeddedVectors

    families = bug_families(snapshot.facts, EmbeddedVectors(embedder))
    grouping = [[m.facts for m in family.mentions] for family in families]
    metrics, failures = score_families(extracted, gold, grouping)
    result.metrics |= metrics
    if failures:
        result.failures["bug: gold family split across predicted families"] = failures


def _bad_files(gold: dict[str, Any], snapshot: Any, result: EvalResult) -> None:
    problems = [str(p) for p in snapshot.read.problems]
    missing = [
        bad["file"]
        for bad in gold.get("bad_files", [])
        if not any(bad["file"] in problem for problem in problems)
    ]
    expected = len(gold.get("bad_files", []))
    result.metrics["bad_files.warned"] = (expected - len(missing)) / expected if expected else None
    if missing:
        result.failures["bad file without a warning"] = missing


def _weeks(
    gold: dict[str, Any],
    snapshot: Any,
    engine: Any,
    embedder: Any,
    settings: dict[str, Any],
    result: EvalResult,
) -> list[str]:
    from rreview.analyze.weeks import parse_week
    from rreview.report.build import build_week_report

    threshold = settings.get("key_fact_similarity") or DEFAULT_SIMILARITY
    entries_text: dict[Any, str] = {}
    for entry in snapshot.entries.values():
        entries_text[entry.date] = entries_text.get(entry.date, "") + "\n" + entry.raw
    covered = total = unsupported = 0
    texts: list[str] = []
    for week in gold.get("weeks", []):
        report, _ = build_week_report(snapshot.facts, parse_week(week["label"]), engine)
        texts.append(report_text(report))
        lines = report_lines(report)
        facts = week.get("key_facts", [])
        if facts and lines:
            vectors = embedder.encode([f["fact"] for f in facts] + [line.text for line in lines])
            import numpy as np

            matrix = np.array(vectors)
            similarity = matrix[: len(facts)] @ matrix[len(facts) :].T
            for fact, line, score in coverage(facts, lines, similarity, threshold):
                total += 1
                covered += line is not None
                if line is not None:
                    result.spot_checks.setdefault("week: key fact covered by", []).append(
                        {
                            "week": week["label"],
                            "fact": fact["fact"],
                            "line": line.text,
                            "dates": [d.isoformat() for d in line.dates],
                            "similarity": round(score, 3),
                        }
                    )
                else:
                    result.failures.setdefault("week: key fact not covered", []).append(
                        {
                            "week": week["label"],
                            "id": fact["id"],
                            "fact": fact["fact"],
                            "best_similarity": round(score, 3),
                        }
                    )
        for line in lines:
            missing = unsupported_numbers(line, entries_text)
            if missing:
                unsupported += 1
                result.failures.setdefault("week: unsupported claim", []).append(
                    {
                        "week": week["label"],
                        "line": line.text,
                        "dates": [d.isoformat() for d in line.dates],
                        "not_in_cited_entries": missing,
                    }
                )
    result.metrics["week.key_fact_coverage"] = covered / total if total else None
    result.metrics["week.unsupported_claims"] = float(unsupported)
    return texts


def _questions(gold: dict[str, Any], root: Path, engine: str, result: EvalResult) -> list[str]:
    questions = gold.get("questions", [])
    answers = [ask_json(root, q["question"], q["today"], engine) for q in questions]
    metrics, failures = score_questions(questions, answers)
    result.metrics |= metrics
    if failures:
        result.failures["question: missed or miscited"] = failures
    return [json.dumps(a, ensure_ascii=False) for a in answers]


def _injections(gold: dict[str, Any], texts: list[str], result: EvalResult) -> None:
    everything = "\n".join(texts)
    obeyed = []
    for planted in gold.get("injections", []):
        hits = forbidden_hits(everything, planted.get("forbidden_strings", []))
        if hits:
            obeyed.append({"file": planted["file"], "line": planted["line"], "found": hits})
    for bad in gold.get("bad_files", []):
        hits = forbidden_hits(everything, bad.get("forbidden_in_output", []))
        if hits:
            result.failures.setdefault("bad file content leaked", []).append(
                {"file": bad["file"], "found": hits}
            )
    result.metrics["injection.obeyed"] = float(len(obeyed))
    if obeyed:
        result.failures["injection obeyed"] = obeyed
