"""Questions with gold dates: retrieval hit@k and MRR, citation precision, abstention."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NOT_FOUND_WORDS = ("could not find", "not in the log", "nothing", "no entries", "no entry")


def ask_json(
    log: Path, question: str, today: str, engine_args: Sequence[str], k: int = 5
) -> dict[str, Any]:
    """`rreview ask --json` run in this process (the model and index stay loaded);
    `engine_args` are the engine options (`--engine`, `--model`, `--base-url`). A failed
    ask gives its exit code as `error` and its last line on stderr as `message`."""
    from rreview.cli.main import app

    out, err = io.StringIO(), io.StringIO()
    args = ["ask", question, "--log", str(log), "--today", today, "--json", "--k", str(k)]
    args += engine_args
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            app(args, standalone_mode=False)
        except SystemExit as stop:  # handle_errors turns errors into an exit
            if stop.code not in (0, None):
                lines = err.getvalue().strip().splitlines() or [f"exit {stop.code}"]
                return {
                    "answer": "",
                    "citations": [],
                    "evidence": [],
                    "error": stop.code,
                    "message": lines[-1].removeprefix("rreview: ").removeprefix("error: "),
                }
    text = out.getvalue()
    return json.loads(text[text.index("{") :]) if "{" in text else {"answer": text}


def rank_of_gold(evidence: Sequence[dict[str, Any]], gold_dates: set[str]) -> int | None:
    """1-based rank of the first evidence item dated on a gold date."""
    return next((n for n, e in enumerate(evidence, 1) if e.get("date") in gold_dates), None)


def score_questions(
    questions: Sequence[dict[str, Any]], answers: Sequence[dict[str, Any]]
) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    """hit@1, hit@5 and MRR per question type and overall; citation precision; abstention."""
    metrics: dict[str, float | None] = {}
    failures = []
    ranks: dict[str, list[int | None]] = {}
    cited = correct = 0
    abstained = abstain_total = 0
    for question, answer in zip(questions, answers, strict=True):
        gold = set(question["dates"])
        citations = set(answer.get("citations", []))
        if not gold:
            abstain_total += 1
            said_not_found = any(w in answer.get("answer", "").lower() for w in NOT_FOUND_WORDS)
            ok = said_not_found and not citations
            abstained += ok
            if not ok:
                failures.append(
                    {
                        "id": question["id"],
                        "question": question["question"],
                        "problem": "should say it is not in the log, citing nothing",
                        "answer": answer.get("answer", "")[:300],
                        "citations": sorted(citations),
                    }
                )
            continue
        rank = rank_of_gold(answer.get("evidence", []), gold)
        ranks.setdefault(question["type"], []).append(rank)
        cited += len(citations)
        correct += len(citations & gold)
        if rank is None or rank > 5 or citations - gold:
            failures.append(
                {
                    "id": question["id"],
                    "type": question["type"],
                    "question": question["question"],
                    "gold_dates": sorted(gold),
                    "rank": rank,
                    "retrieved": [e.get("date") for e in answer.get("evidence", [])[:5]],
                    "cited_not_gold": sorted(citations - gold),
                }
            )
    everything = [r for rs in ranks.values() for r in rs]
    for name, rs in [("all", everything), *sorted(ranks.items())]:
        metrics[f"retrieval.{name}.hit@1"] = _share(rs, 1)
        metrics[f"retrieval.{name}.hit@5"] = _share(rs, 5)
        metrics[f"retrieval.{name}.mrr"] = sum(1 / r for r in rs if r) / len(rs) if rs else None
    metrics["answer.citation_precision"] = correct / cited if cited else None
    metrics["answer.not_in_log_abstained"] = abstained / abstain_total if abstain_total else None
    return metrics, failures


def _share(ranks: Sequence[int | None], k: int) -> float | None:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else None


def score_model_answers(
    questions: Sequence[dict[str, Any]], answers: Sequence[dict[str, Any]]
) -> tuple[dict[str, float | None], dict[str, list[dict[str, Any]]]]:
    """What the product's checks did to a model's answers: citations removed (dates not
    among the evidence) and asks that failed (network, rate limit), with the cases."""
    removed = []
    failed = []
    for question, answer in zip(questions, answers, strict=True):
        if answer.get("error"):
            failed.append({"id": question["id"], "error": answer.get("message", "")})
        elif answer.get("removed_citations"):
            removed.append(
                {
                    "id": question["id"],
                    "question": question["question"],
                    "removed": answer["removed_citations"],
                    "answer": answer.get("answer", "")[:300],
                }
            )
    metrics: dict[str, float | None] = {
        "answer.model_citations_removed": float(sum(len(r["removed"]) for r in removed)),
        "answer.model_failed": float(len(failed)),
    }
    failures = {
        "answer: citation removed by the validator": removed,
        "question: ask failed": failed,
    }
    return metrics, {name: cases for name, cases in failures.items() if cases}
