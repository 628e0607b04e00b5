"""`rreview eval`: score the pipeline on the offline eval set in evals/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rreview.cli.common import JsonOption, handle_errors, info, print_json
from rreview.cli.engine_options import BaseUrlOption, ModelOption
from rreview.errors import OperationError, UsageError

if TYPE_CHECKING:
    from rreview.evaluate.runner import EvalResult

DEFAULT_EVALS = Path(__file__).resolve().parents[3] / "evals"


@handle_errors
def evaluate(
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Engine that writes the weekly summaries and the answers: offline, openai, "
            "anthropic or openai-compatible (a model engine is measured like the offline one).",
        ),
    ] = "offline",
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    judge: Annotated[
        bool,
        typer.Option(
            "--judge",
            help="Also have the model grade each weekly report (prompts/judge.md): shown apart "
            "as model-judged, never a reference metric, no threshold. Needs a model engine.",
        ),
    ] = False,
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
    from rreview.config import load_engine_config
    from rreview.evaluate.runner import run_eval

    if not (evals / "gold.json").exists():
        raise UsageError(f"{evals}: no gold.json here (pass --evals DIR)")
    config = load_engine_config(engine, model, base_url)
    result = run_eval(evals, config, questions=not no_questions, judge=judge)
    if out is not None:
        _write(out, result)
    if as_json:
        print_json(_as_json(result))
    else:
        _print_table(result, out)
    if result.failed:
        raise OperationError("under threshold: " + ", ".join(result.failed))


def _engine_record(result: EvalResult) -> dict[str, Any]:
    return {"engine": result.engine, "model": result.model, "written_by": result.written_by}


def _as_json(result: EvalResult) -> dict[str, Any]:
    data = {
        **_engine_record(result),
        "metrics": result.metrics,
        "failed": result.failed,
        "failures": result.failures,
    }
    if result.judged is not None:
        data["model_judged"] = result.judged
    return data


def _write(out: Path, result: EvalResult) -> None:
    """metrics.json, failures.json, spot_checks.json, run.json (the engine), and
    model_judged.json with --judge: each a file a person or a script reads on its own."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Any] = {
        "metrics.json": result.metrics,
        "failures.json": result.failures,
        "spot_checks.json": result.spot_checks,
        "run.json": _engine_record(result),
    }
    if result.judged is not None:
        files["model_judged.json"] = result.judged
    for name, data in files.items():
        (out / name).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _print_table(result: EvalResult, out: Path | None) -> None:
    from rreview.evaluate.judge import judged_lines

    written = "; ".join(
        f"{what.replace('_', ' ')}: "
        + ", ".join(f"{count} by {name}" for name, count in by.items() if count)
        for what, by in result.written_by.items()
    )
    print(f"engine: {result.engine}" + (f" ({result.model})" if result.model else ""))
    if result.engine != "offline":
        print(f"written: {written}")
    rows = result.verdicts()
    width = max(len(name) for name, *_ in rows)
    for name, value, bound, passed in rows:
        shown = "n/a" if value is None else f"{value:.3f}"
        verdict = {True: "ok", False: "FAIL", None: ""}[passed]
        print(f"{name:<{width}}  {shown:>7}  {bound:<8} {verdict}")
    if result.judged is not None:
        print()
        print("\n".join(judged_lines(result.judged)))
    count = sum(len(v) if isinstance(v, list) else 1 for v in result.failures.values())
    info(
        f"{count} failure cases"
        + (f" written to {out}/failures.json" if out else " (--out DIR to write them)")
    )
