"""`rreview eval`: score the pipeline on the offline eval set in evals/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rreview.cli.common import JsonOption, handle_errors, info, print_json
from rreview.errors import OperationError, UsageError

DEFAULT_EVALS = Path(__file__).resolve().parents[3] / "evals"


@handle_errors
def evaluate(
    engine: Annotated[str, typer.Option("--engine", help="Engine to measure.")] = "offline",
    evals: Annotated[
        Path, typer.Option("--evals", help="Eval set folder (gold.json, thresholds.json, logs/).")
    ] = DEFAULT_EVALS,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for metrics.json and failures.json.")
    ] = None,
    no_questions: Annotated[
        bool, typer.Option("--no-questions", help="Skip the question set (faster).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Score extraction, bug families, retrieval, answers and weekly reports against gold;
    exit 1 when a metric is under its threshold in evals/thresholds.json."""
    from rreview.evaluate.runner import run_eval

    if not (evals / "gold.json").exists():
        raise UsageError(f"{evals}: no gold.json here (pass --evals DIR)")
    result = run_eval(evals, engine, questions=not no_questions)
    rows = result.verdicts()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(result.metrics, indent=2) + "\n")
        (out / "failures.json").write_text(
            json.dumps(result.failures, indent=2, ensure_ascii=False) + "\n"
        )
        (out / "spot_checks.json").write_text(
            json.dumps(result.spot_checks, indent=2, ensure_ascii=False) + "\n"
        )
    if as_json:
        print_json(
            {"metrics": result.metrics, "failed": result.failed, "failures": result.failures}
        )
    else:
        width = max(len(name) for name, *_ in rows)
        for name, value, bound, passed in rows:
            shown = "n/a" if value is None else f"{value:.3f}"
            verdict = {True: "ok", False: "FAIL", None: ""}[passed]
            print(f"{name:<{width}}  {shown:>7}  {bound:<8} {verdict}")
        count = sum(len(v) if isinstance(v, list) else 1 for v in result.failures.values())
        info(
            f"{count} failure cases"
            + (f" written to {out}/failures.json" if out else " (--out DIR to write them)")
        )
    if result.failed:
        raise OperationError("under threshold: " + ", ".join(result.failed))
