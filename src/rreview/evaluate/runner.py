"""`rreview eval`: the whole pipeline on the eval log, every metric, failures, thresholds."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rreview.config import EngineConfig
from rreview.errors import UsageError
from rreview.evaluate.extraction import Extracted, log_root, score_extraction, score_families
from rreview.evaluate.questions import ask_json, score_model_answers, score_questions
from rreview.evaluate.weekly import (
    coverage,
    forbidden_hits,
    report_lines,
    report_text,
    unsupported_numbers,
)

if TYPE_CHECKING:
    from rreview.engines.base import Engine
    from rreview.report.model import WeekReport

DEFAULT_SIMILARITY = 0.55
MODEL_ENGINES = "openai, anthropic or openai-compatible"


@dataclass
class EvalResult:
    """Metrics, their thresholds, what failed, and the failure cases to read."""

    metrics: dict[str, float | None] = field(default_factory=dict)
    thresholds: dict[str, dict[str, float | None]] = field(default_factory=dict)
    failures: dict[str, Any] = field(default_factory=dict)
    spot_checks: dict[str, Any] = field(default_factory=dict)  # matches to verify by hand
    engine: str = "offline"
    model: str | None = None
    # who really wrote the prose: a model engine's summary may fall back to the offline one
    written_by: dict[str, dict[str, int]] = field(default_factory=dict)
    judged: dict[str, Any] | None = None  # model-judged: kept apart, never thresholded

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


def measured_engine(config: EngineConfig, judge: bool = False) -> Engine:
    """The engine to measure, checked before anything runs: a model engine without its key
    or model would fall back to the offline engine week after week, and the run would
    measure the wrong engine; the judge needs a model."""
    from rreview.engines.base import get_engine
    from rreview.engines.model import ModelEngine

    engine = get_engine(config)
    if isinstance(engine, ModelEngine):
        engine.check_ready()
    elif judge:
        raise UsageError(
            f"--judge needs a model engine (the {engine.name} engine cannot grade): "
            f"pass --engine {MODEL_ENGINES}"
        )
    return engine


def run_eval(
    evals_dir: Path,
    engine: EngineConfig | None = None,
    questions: bool = True,
    judge: bool = False,
) -> EvalResult:
    """Run every scorer on the eval set in `evals_dir` (gold.json, thresholds.json, logs/),
    with `engine` writing the weekly summaries and the answers; `judge`: a model grades
    the weekly reports too (model-judged, apart from the metrics)."""
    from rreview.paths import index_dir
    from rreview.store.embed import Embedder
    from rreview.store.sync import load_log, sync_index

    config = engine or EngineConfig(explicit=True)
    chosen = measured_engine(config, judge)
    gold_path = evals_dir / "gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    settings = json.loads((evals_dir / "thresholds.json").read_text(encoding="utf-8"))
    result = EvalResult(thresholds=settings.get("metrics", {}))
    result.engine, result.model = chosen.name, chosen.model
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
        texts, reports = _weeks(gold, snapshot, chosen, embedder, settings, result)
        _summary_checks(chosen, len(reports), result)
        if questions:
            texts += _questions(gold, root, config, result)
        _injections(gold, texts, result)
        if judge:
            from rreview.engines.model import ModelEngine
            from rreview.evaluate.judge import judge_reports

            assert isinstance(chosen, ModelEngine)  # measured_engine refused any other
            result.judged = judge_reports(chosen, reports, snapshot.facts)
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
) -> tuple[list[str], list[WeekReport]]:
    from rreview.analyze.weeks import parse_week
    from rreview.report.build import build_week_report

    threshold = settings.get("key_fact_similarity") or DEFAULT_SIMILARITY
    entries_text: dict[Any, str] = {}
    for entry in snapshot.entries.values():
        entries_text[entry.date] = entries_text.get(entry.date, "") + "\n" + entry.raw
    covered = total = unsupported = 0
    texts: list[str] = []
    reports: list[WeekReport] = []
    for week in gold.get("weeks", []):
        report, _ = build_week_report(snapshot.facts, parse_week(week["label"]), engine)
        reports.append(report)
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
    return texts, reports


def _summary_checks(engine: Engine, weeks: int, result: EvalResult) -> None:
    """What the product's checks did to a model's weekly summaries: lines dropped (no valid
    citation, a number not computed), citations removed, weeks the offline engine wrote
    instead. The reports scored above are what a user gets after these checks."""
    from rreview.engines.model import ModelEngine

    if not isinstance(engine, ModelEngine):
        result.written_by["week_summaries"] = {engine.name: weeks}
        return
    checks = engine.summary_checks
    fallbacks = [c for c in checks if c.fallback]
    result.written_by["week_summaries"] = {
        engine.name: len(checks) - len(fallbacks),
        "offline (fallback)": len(fallbacks),
    }
    result.metrics["week.model_fallbacks"] = float(len(fallbacks))
    result.metrics["week.model_lines_dropped"] = float(sum(len(c.dropped) for c in checks))
    result.metrics["week.model_citations_removed"] = float(sum(len(c.removed) for c in checks))
    cases = result.failures
    for check in checks:
        for why in check.dropped:
            cases.setdefault("week: model summary line dropped by the validator", []).append(
                {"week": check.week, "why": why}
            )
        if check.removed:
            cases.setdefault("week: model citation removed by the validator", []).append(
                {"week": check.week, "removed": list(check.removed)}
            )
        if check.fallback:
            cases.setdefault("week: model summary replaced by the offline one", []).append(
                {"week": check.week, "why": check.fallback}
            )


def engine_options(config: EngineConfig) -> list[str]:
    """The engine as `rreview ask` options, so each question runs exactly as a user's would."""
    args = ["--engine", config.name]
    if config.model:
        args += ["--model", config.model]
    if config.base_url:
        args += ["--base-url", config.base_url]
    return args


def _questions(
    gold: dict[str, Any], root: Path, config: EngineConfig, result: EvalResult
) -> list[str]:
    questions = gold.get("questions", [])
    answers = []
    for question in questions:
        answer = ask_json(root, question["question"], question["today"], engine_options(config))
        if answer.get("error") == 2:  # a configuration problem: every question would fail
            raise UsageError(f"ask {question['id']}: {answer.get('message', '')}")
        answers.append(answer)
    metrics, failures = score_questions(questions, answers)
    result.metrics |= metrics
    if failures:
        result.failures["question: missed or miscited"] = failures
    written: dict[str, int] = {}
    for answer in answers:
        if not answer.get("error"):
            name = str(answer.get("engine", "?"))
            written[name] = written.get(name, 0) + 1
    result.written_by["answers"] = written
    if config.name != "offline":  # what the checks of `ask` removed from a model's answers
        model_metrics, model_failures = score_model_answers(questions, answers)
        result.metrics |= model_metrics
        result.failures |= model_failures
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
