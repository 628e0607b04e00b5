"""The eval scorers: matching, question metrics, unsupported claims, the real eval run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rreview.cli.main import app
from rreview.evaluate.matching import Ref, match
from rreview.evaluate.questions import score_questions
from rreview.evaluate.weekly import forbidden_hits, unsupported_numbers
from rreview.report.model import ReportLine

ROOT = Path(__file__).resolve().parents[1]


def gold(file: str, line: int, day: str = "2026-09-01", **extra: object) -> dict:
    return {"file": file, "line": line, "date": day, **extra}


def test_matching_is_one_to_one_exact_first_then_same_item() -> None:
    records = [gold("a.md", 10), gold("a.md", 12)]
    places = [[Ref.of(r)] for r in records]
    predicted = [
        ("near", [Ref("a.md", 11, "2026-09-01")]),
        ("exact", [Ref("a.md", 12, "2026-09-01")]),
    ]
    result = match(predicted, records, places)
    assert [(v, r["line"]) for v, r in result.pairs] == [("exact", 12), ("near", 10)]
    assert result.precision == 1.0 and result.recall == 1.0


def test_matching_counts_false_positives_and_misses_but_not_ignored_places() -> None:
    records = [gold("a.md", 10)]
    predicted = [
        ("other day", [Ref("a.md", 10, "2026-09-02")]),
        ("optional", [Ref("b.md", 3, "2026-09-01")]),
        ("excused file", [Ref("bad.md", 7, "2026-09-01")]),
    ]
    ignore = [Ref("b.md", 3, "2026-09-01"), Ref("bad.md", 0, "")]
    result = match(predicted, records, [[Ref.of(records[0])]], ignore)
    assert result.false_positives == ["other day"]
    assert result.precision == 0.0 and result.recall == 0.0
    assert result.missed == records


def test_question_metrics_and_abstention() -> None:
    questions = [
        {"id": "Q1", "type": "lookup", "question": "a", "dates": ["2026-09-03"]},
        {"id": "Q2", "type": "lookup", "question": "b", "dates": ["2026-09-10"]},
        {"id": "Q3", "type": "temporal", "question": "c", "dates": []},
    ]
    answers = [
        {"evidence": [{"date": "2026-09-03"}], "citations": ["2026-09-03"], "answer": "x"},
        {
            "evidence": [{"date": "2026-09-01"}, {"date": "2026-09-10"}],
            "citations": ["2026-09-01", "2026-09-10"],
            "answer": "y",
        },
        {"evidence": [], "citations": [], "answer": "I could not find this in the log."},
    ]
    metrics, failures = score_questions(questions, answers)
    assert metrics["retrieval.all.hit@1"] == 0.5
    assert metrics["retrieval.all.hit@5"] == 1.0
    assert metrics["retrieval.lookup.mrr"] == pytest.approx(0.75)
    assert metrics["answer.citation_precision"] == pytest.approx(2 / 3)
    assert metrics["answer.not_in_log_abstained"] == 1.0
    assert [f["id"] for f in failures] == ["Q2"]  # cited a date that does not answer it


def test_unsupported_numbers_ignore_computed_values_but_not_invented_ones() -> None:
    entries = {date(2026, 9, 1): "- scVI run: batch ASW 0.88 (est 2h, took 5h)"}
    ok = ReportLine("scVI run: batch ASW 0.88 (took 5h), 2.5x", (date(2026, 9, 1),))
    invented = ReportLine("scVI run reached batch ASW 0.93", (date(2026, 9, 1),))
    wrong_day = ReportLine("batch ASW 0.88", (date(2026, 9, 2),))
    assert unsupported_numbers(ok, entries) == []
    assert unsupported_numbers(invented, entries) == ["0.93"]
    assert unsupported_numbers(wrong_day, entries) == ["0.88"]


def test_forbidden_strings_are_found_case_insensitively() -> None:
    assert forbidden_hits("… ALL experiments succeeded …", ["all experiments succeeded"]) == [
        "all experiments succeeded"
    ]
    assert forbidden_hits("fine", ["all experiments succeeded"]) == []


@pytest.mark.slow
def test_eval_runs_on_the_eval_set_and_writes_failures(tmp_path: Path) -> None:
    out = tmp_path / "eval"
    result = CliRunner().invoke(app, ["eval", "--no-questions", "--json", "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    metrics = report["metrics"]
    assert metrics["bad_files.warned"] == 1.0
    assert metrics["extraction.estimate.notation.recall"] is not None
    assert 0 <= metrics["bug.family_pairwise_f1"] <= 1
    assert (out / "failures.json").exists() and (out / "spot_checks.json").exists()
    thresholds = json.loads((ROOT / "evals" / "thresholds.json").read_text())["metrics"]
    failed = set(report["failed"])
    for name, bound in thresholds.items():
        value = metrics.get(name)
        if bound.get("min") is not None and value is not None and value < bound["min"]:
            assert name in failed
    assert (result.exit_code == 1) == bool(failed)
    assert not failed, f"under the thresholds in evals/thresholds.json: {sorted(failed)}"
