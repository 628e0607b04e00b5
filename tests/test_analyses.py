"""The analyses on hand-written logs with known answers: bug families (gold in
tests/fixtures/analyses/gold), estimates, predictions, focus, sources, to-dos and ideas
(tests/fixtures/analyses/log, every number below worked out by hand from its pages)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rreview.analyze import bug_tuning
from rreview.analyze.bugs import (
    BUG_THRESHOLD,
    CONCEPT_BONUS,
    DENSE_WEIGHT,
    BugFamily,
    BugMention,
    bug_families,
    bug_mentions,
    pairwise_f1,
)
from rreview.analyze.terms import concepts
from rreview.analyze.vectors import EmbeddedVectors
from rreview.cli.main import app
from rreview.log.model import Item
from rreview.store.sync import load_log

FIXTURES = Path(__file__).parent / "fixtures" / "analyses"
LOG = FIXTURES / "log"
GOLD = FIXTURES / "gold"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "research-log"
CITE = re.compile(r"\[\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2}|(, \d{4}-\d{2}-\d{2})*)\]")
runner = CliRunner()


@pytest.fixture(scope="module")
def vectors(embedder) -> EmbeddedVectors:  # type: ignore[no-untyped-def]
    """Item vectors straight from the model (the CLI tests go through the index)."""
    return EmbeddedVectors(embedder)


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RREVIEW_HOME for this module's CLI runs, so each log is indexed once."""
    return tmp_path_factory.mktemp("analyses-home")


def run_json(home: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> object:
    monkeypatch.setenv("RREVIEW_HOME", str(home))
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_date(families: list[BugFamily]) -> list[list[str]]:
    return [[m.date.isoformat() for m in f.mentions] for f in families]


def gold_families(name: str) -> list[list[str]]:
    gold = json.loads((GOLD / f"{name}.json").read_text())
    families: dict[str, list[str]] = {}
    for bug in gold["bugs"]:
        families.setdefault(bug["family"], []).append(bug["date"])
    return list(families.values())


# ---------------------------------------------------------------- bugs


EVALS_GOLD = Path(__file__).resolve().parents[1] / "evals" / "gold.json"


@pytest.fixture(scope="module")
def tuning_cases(vectors: EmbeddedVectors) -> list[bug_tuning.GoldCase]:
    """The hand-annotated logs the bug threshold is tuned on: three fixtures, the eval set."""
    golds = [GOLD / f"{n}.json" for n in ("bugs-terse", "bugs-verbose", "bugs-nested")]
    return [c for path in [*golds, EVALS_GOLD] for c in bug_tuning.load_cases(path, vectors)]


def test_bug_families_against_hand_annotations(
    tuning_cases: list[bug_tuning.GoldCase], vectors: EmbeddedVectors
) -> None:
    scores = {
        c.name: bug_tuning.score(c, DENSE_WEIGHT, BUG_THRESHOLD, CONCEPT_BONUS)
        for c in tuning_cases
    }
    assert scores == pytest.approx(
        {
            "bugs-terse.json:native": 0.8,
            "bugs-verbose.json:native": 0.8,
            "bugs-nested.json:native": 0.8,
            "gold.json:all": 1.0,
        },
        abs=0.001,
    )
    # held out (not used to tune): the bundled example log, families from its README
    families = bug_families(load_log(EXAMPLE).facts, vectors)
    score = pairwise_f1(by_date(families), gold_families("example-research-log"))
    assert score.f1 == pytest.approx(0.933, abs=0.001), by_date(families)
    assert score.recall == 1.0


def test_the_threshold_is_the_one_tuned(tuning_cases: list[bug_tuning.GoldCase]) -> None:
    assert not [c.name for c in tuning_cases if c.missed and c.name.startswith("bugs-")]
    bonus, weight, threshold, best = bug_tuning.recommend(bug_tuning.sweep(tuning_cases))
    assert (bonus, weight, threshold) == (CONCEPT_BONUS, DENSE_WEIGHT, BUG_THRESHOLD)
    assert best == pytest.approx(0.85, abs=0.001)


def test_wordings_with_no_shared_keyword_are_one_family(vectors: EmbeddedVectors) -> None:
    families = by_date(bug_families(load_log(FIXTURES / "bugs-terse").facts, vectors))
    # "loss went NaN in fp16" / "bf16 overflow made the loss explode again"
    assert any({"2026-09-08", "2026-09-15"} <= set(f) for f in families)
    # "dataloader hangs ... num_workers=8" / "training froze again, worker processes
    # deadlocked right after fork": not one content word in common
    assert ["2026-09-10", "2026-09-22"] in families
    verbose = by_date(bug_families(load_log(FIXTURES / "bugs-verbose.md").facts, vectors))
    # "WER of 98% on the new test set" / "garbled transcripts on the podcast data"
    assert ["2026-06-05", "2026-06-17"] in verbose


def test_an_oom_and_a_nan_are_never_one_family(vectors: EmbeddedVectors) -> None:
    for path in (FIXTURES / "bugs-terse", FIXTURES / "bugs-nested", EXAMPLE):
        for family in bug_families(load_log(path).facts, vectors):
            named = [set(concepts(m.all_text)) for m in family.mentions]
            oom = any("~oom" in n and "~nonfinite" not in n for n in named)
            nan = any("~nonfinite" in n and "~oom" not in n for n in named)
            assert not (oom and nan), by_date([family])
    terse = by_date(bug_families(load_log(FIXTURES / "bugs-terse").facts, vectors))
    # two OOMs in different places (eval batch, reward head at batch 64) are one family
    assert any({"2026-09-09", "2026-09-24"} <= set(f) for f in terse)


def test_example_log_recurring_families_are_all_found(vectors: EmbeddedVectors) -> None:
    families = bug_families(load_log(EXAMPLE).facts, vectors)
    recurring = [f for f in families if f.recurring]
    found = by_date(recurring)
    for family in (
        ["2026-10-27", "2026-11-04", "2026-11-17"],  # NaN/inf from half precision
        ["2026-10-29", "2026-11-10", "2026-11-18"],  # DataLoader hang
        ["2026-11-02", "2026-11-16"],  # tokenizer / vocab mismatch
    ):
        assert family in found
    nan = recurring[0]  # largest first, ties by first date
    assert nan.dates[0] == date(2026, 10, 27)
    assert nan.key_terms[:2] == ("NaN/inf", "fp16/bf16")
    assert nan.hours == 7.0  # 3h + 2h + 2h, as logged
    assert "Grad norm spikes" in nan.label  # the mention closest to the other two
    assert [m.line for m in nan.mentions] == [12, 8, 9]


def test_a_bug_todo_carried_over_days_is_one_occurrence(
    tmp_path: Path, vectors: EmbeddedVectors
) -> None:
    log = tmp_path / "log"
    log.mkdir()
    for day in ("2026-05-04", "2026-05-05", "2026-05-06"):
        (log / f"{day}.md").write_text(
            f"# {day}\n## What to do next\n- [ ] fix the tokenizer crash on emoji #bug\n"
        )
    (log / "2026-05-07.md").write_text(
        "# 2026-05-07\n## What was done\n- fix the tokenizer crash on emoji #bug (took 2h)\n"
    )
    (family,) = bug_families(load_log(log).facts, vectors)
    assert len(family.mentions) == 4 and len(family.dates) == 4
    assert family.occurrences == (date(2026, 5, 4),)
    assert not family.recurring


def test_mentions_keep_their_sub_bullets() -> None:
    mentions = bug_mentions(load_log(FIXTURES / "bugs-verbose.md").facts)
    assert len(mentions) == 14
    first = mentions[0]
    assert first.text == "run asr-112 died overnight"
    assert [d.item.text for d in first.details] == [
        "CTC loss became inf on utterances shorter than 0.3 s",
        "filtered out clips under 0.5 s in the manifest",
    ]
    assert first.hours == 2.0


@pytest.mark.parametrize(
    ("predicted", "gold", "f1"),
    [
        ([["a", "b"], ["c"]], [["a", "b"], ["c"]], 1.0),
        ([["a", "b", "c"]], [["a", "b"], ["c"]], 0.5),  # 1 of 3 predicted pairs right
        ([["a"], ["b"], ["c"]], [["a", "b", "c"]], 0.0),
        ([["a"], ["b"]], [["a"], ["b"]], 1.0),  # no pair anywhere: nothing wrong
        ([["a", "b"]], [["a", "b"], ["x", "y"]], 2 / 3),  # x, y never predicted
    ],
)
def test_pairwise_f1(predicted: list[list[str]], gold: list[list[str]], f1: float) -> None:
    assert pairwise_f1(predicted, gold).f1 == pytest.approx(f1)


def test_bugs_command_json(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    families = run_json(shared_home, monkeypatch, "bugs", "--log", str(FIXTURES / "bugs-nested"))
    assert isinstance(families, list)
    recurring = [f for f in families if f["recurring"]]
    once = [f for f in families if not f["recurring"]]
    assert families == recurring + once  # recurring first
    for family in families:
        assert family["dates"] == sorted(family["dates"])
        assert family["label"] and family["mentions"]
        for mention in family["mentions"]:
            assert set(mention) >= {"date", "text", "file", "line"}
            page = Path(mention["file"]).read_text().splitlines()
            # extraction drops an empty "()" ("step()" -> "step"): compare without them
            assert mention["text"].replace("()", "") in page[mention["line"] - 1].replace("()", "")
            assert mention["date"] in Path(mention["file"]).name
    seeds = next(f for f in recurring if "2026-02-12" in f["dates"])
    assert seeds["dates"] == ["2026-02-12", "2026-02-18"]
    assert seeds["hours"] == 1.75
    since = run_json(
        shared_home,
        monkeypatch,
        "bugs",
        "--log",
        str(FIXTURES / "bugs-nested"),
        "--since",
        "2026-02-16",
    )
    assert min(m["date"] for f in since for m in f["mentions"]) == "2026-02-16"
    assert not any(f["recurring"] for f in since)  # their first halves are before the 16th


# ---------------------------------------------------------------- estimates


@pytest.fixture(scope="module")
def estimates_json(shared_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    with pytest.MonkeyPatch.context() as mp:
        data = run_json(shared_home, mp, "estimates", "--log", str(LOG))
    assert isinstance(data, dict)
    return data


def test_estimate_ratios_are_exact(estimates_json: dict) -> None:  # type: ignore[type-arg]
    tasks = {t["task"]: t for t in estimates_json["tasks"]}
    assert {k: (v["estimate_hours"], v["actual_hours"], v["ratio"]) for k, v in tasks.items()} == {
        "filter out articles shorter than 200 words": (1.0, 1.0, 1.0),
        "dedup the news corpus": (2.0, 3.0, 1.5),
        "tokenize with the new sentencepiece model": (0.5, 1.5, 3.0),
        "train the baseline summarizer": (4.0, 10.0, 2.5),
        "learning-rate sweep": (3.0, 3.0, 1.0),
        "ROUGE eval script with bootstrap confidence intervals": (1.0, 2.0, 2.0),
        "make the results table": (2.0, 1.0, 0.5),
        "write the method section": (4.0, 6.0, 1.5),
        "write the related-work section": (3.0, 5.0, 1.6667),
    }
    baseline = tasks["train the baseline summarizer"]
    # estimate on the 03-05 to-do, actual on the 03-09 done item
    assert (baseline["date"], baseline["first_seen"], baseline["span_days"]) == (
        "2026-03-09",
        "2026-03-05",
        4,
    )
    assert baseline["dates"] == ["2026-03-05", "2026-03-06", "2026-03-09"]


def test_planning_multiplier(estimates_json: dict) -> None:  # type: ignore[type-arg]
    s = estimates_json["summary"]
    # ratios sorted: 0.5 1.0 1.0 1.5 1.5 1.667 2.0 2.5 3.0
    assert (s["count"], s["median_ratio"], s["ratio_p25"], s["ratio_p75"]) == (9, 1.5, 1.0, 2.0)
    assert (s["estimated_hours"], s["actual_hours"], s["total_ratio"]) == (20.5, 32.5, 1.5854)
    assert (s["overruns"], s["underruns"], s["on_estimate"]) == (6, 1, 2)
    assert (s["ratio_min"], s["ratio_max"]) == (0.5, 3.0)


def test_estimates_by_tag_worst_multi_day_and_week(estimates_json: dict) -> None:  # type: ignore[type-arg]
    by_tag = [(t["tag"], t["count"], t["median_ratio"]) for t in estimates_json["by_tag"]]
    assert by_tag == [
        ("data", 3, 1.5),
        ("writing", 3, 1.5),
        ("training", 2, 1.75),
        ("eval", 1, 2.0),
    ]
    worst = [(t["task"], t["ratio"]) for t in estimates_json["worst_overruns"]]
    assert worst == [
        ("tokenize with the new sentencepiece model", 3.0),
        ("train the baseline summarizer", 2.5),
        ("ROUGE eval script with bootstrap confidence intervals", 2.0),
        ("write the related-work section", 1.6667),
        ("write the method section", 1.5),  # ties: the one that took longer first
        ("dedup the news corpus", 1.5),
    ]
    spans = [(t["task"], t["span_days"]) for t in estimates_json["multi_day"]]
    assert spans == [
        ("write the related-work section", 18),
        ("train the baseline summarizer", 4),
        ("write the method section", 2),
        ("dedup the news corpus", 1),
        ("learning-rate sweep", 1),
    ]
    weeks = [
        (w["week"], w["count"], w["median_ratio"], w["estimated_hours"], w["actual_hours"])
        for w in estimates_json["by_week"]
    ]
    assert weeks == [
        ("2026-W10", 3, 1.5, 3.5, 5.5),
        ("2026-W11", 3, 2.0, 8.0, 15.0),
        ("2026-W12", 3, 1.5, 9.0, 12.0),
    ]


def test_estimates_since_until_and_plot(
    shared_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["estimates", "--log", str(LOG), "--since", "2026-03-09", "--until", "2026-03-15"]
    data = run_json(shared_home, monkeypatch, *args)
    assert isinstance(data, dict)
    assert [t["task"] for t in data["tasks"]] == [
        "train the baseline summarizer",
        "learning-rate sweep",
        "ROUGE eval script with bootstrap confidence intervals",
    ]
    assert data["summary"]["median_ratio"] == 2.0
    chart = tmp_path / "charts" / "estimates.png"
    result = runner.invoke(app, ["estimates", "--log", str(LOG), "--plot", str(chart)])
    assert result.exit_code == 0, result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"chart written to {chart}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "--since '2026-13-01': expected a date as YYYY-MM-DD"),
        (["--until", "last week"], "--until 'last week': expected a date"),
        (["--since", "2026-03-20", "--until", "2026-03-01"], "is after --until"),
        (["--since", "2027-01-01"], "nothing logged since 2027-01-01"),
    ],
)
def test_bad_periods_are_usage_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["todos", "--log", str(LOG), *args])
    assert result.exit_code == 2
    assert message in result.stderr


# ---------------------------------------------------------------- predictions


def test_prediction_calibration(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = run_json(shared_home, monkeypatch, "predictions", "--log", str(LOG))
    assert isinstance(data, dict)
    rows = [
        (p["predicted"], p["outcome"], p["error"], p["relative_error"], p["kind"], p["held"])
        for p in data["predictions"]
    ]
    assert rows == [  # most off first (relative error)
        ("the lr sweep improves ROUGE-L by +1 pt", "+1.8 pts", 0.8, 0.8, "change", True),
        ("hallucination rate at most 10%", "14%", 4.0, 0.4, "bound", False),
        ("ROUGE-L 40 for the baseline", "37.5", -2.5, 0.0625, "point", None),
        ("faithfulness 0.8 with the new decoder", "0.85", 0.05, 0.0625, "point", None),
    ]
    assert data["predictions"][2]["dates"] == ["2026-03-05", "2026-03-09"]  # made, then checked
    assert [p["predicted"] for p in data["open"]] == ["reviewers ask for a human evaluation"]
    s = data["summary"]
    assert (s["checked"], s["open"], s["with_side"], s["held"], s["held_share"]) == (
        4,
        1,
        2,
        1,
        0.5,
    )
    assert s["mean_absolute_error"] == {
        "none": {"value": 1.275, "count": 2},
        "%": {"value": 4.0, "count": 1},
        "pts": {"value": 0.8, "count": 1},
    }
    assert s["median_relative_error"] == pytest.approx(0.23125, abs=1e-4)
    assert (s["optimistic"], s["pessimistic"]) == (2, 2)


# ---------------------------------------------------------------- focus and sources


def test_focus_shares_by_week(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = run_json(shared_home, monkeypatch, "focus", "--log", str(LOG))
    assert isinstance(data, dict)
    assert [(t["tag"], t["count"]) for t in data["themes"]] == [
        ("data", 7),
        ("writing", 6),
        ("eval", 5),
        ("training", 4),
    ]
    shares = {
        w["week"]: {t["label"].split(":")[0]: (t["count"], t["share"]) for t in w["themes"]}
        for w in data["weeks"]
    }
    assert shares == {
        "2026-W10": {"#data": (6, 0.75), "#eval": (1, 0.125), "#training": (1, 0.125)},
        "2026-W11": {
            "#data": (1, 0.1429),
            "#writing": (1, 0.1429),
            "#eval": (2, 0.2857),
            "#training": (3, 0.4286),
        },
        "2026-W12": {"#writing": (5, 0.7143), "#eval": (2, 0.2857)},
    }
    two = run_json(shared_home, monkeypatch, "focus", "--log", str(LOG), "--weeks", "2")
    assert isinstance(two, dict)
    assert [w["week"] for w in two["weeks"]] == ["2026-W11", "2026-W12"]


def test_focus_without_tags_clusters_by_meaning(tmp_path: Path, vectors: EmbeddedVectors) -> None:
    from rreview.analyze.focus import focus_by_week
    from rreview.analyze.items import weeks_between

    log = tmp_path / "log"
    shutil.copytree(LOG, log)
    for page in log.glob("*.md"):
        page.write_text(re.sub(r" #(data|training|eval|writing)\b", "", page.read_text()))
    facts = load_log(log).facts
    report = focus_by_week(facts, vectors, weeks_between(date(2026, 3, 2), date(2026, 3, 20)))
    assert all(theme.tag is None for theme in report.themes)
    writing = {"outlined", "write the method", "drafted the", "write the related", "proofread"}
    biggest = report.themes[0]
    assert {next(w for w in writing if f.task.startswith(w)) for f in biggest.items} == writing


def test_sources_per_week(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = run_json(shared_home, monkeypatch, "sources", "--log", str(LOG))
    assert isinstance(data, dict)
    assert [(w["week"], w["counts"]) for w in data["weeks"]] == [
        ("2026-W10", {"paper": 1, "chat": 1, "social media": 1}),
        ("2026-W11", {"chat": 1, "talk": 1, "own experiment": 1}),
        ("2026-W12", {"paper": 1, "chat": 1}),
    ]
    assert data["totals"]["chat"] == 3
    assert len(data["unsourced_ideas"]) == 5
    twitter = data["weeks"][0]["items"][1]
    assert (twitter["date"], twitter["source"], twitter["kind"]) == (
        "2026-03-03",
        "twitter",
        "social media",
    )


# ---------------------------------------------------------------- to-dos and ideas


def test_todos(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = run_json(shared_home, monkeypatch, "todos", "--log", str(LOG))
    assert isinstance(data, dict)
    assert [(w["week"], w["planned"], w["done"], w["rate"]) for w in data["weeks"]] == [
        ("2026-W10", 5, 2, 0.4),
        ("2026-W11", 4, 2, 0.5),
        ("2026-W12", 4, 2, 0.5),
    ]
    carried = [(c["task"], c["age_days"], c["status"], c["days_listed"]) for c in data["carried"]]
    assert carried[:3] == [
        ("write the related-work section", 18, "done", 11),
        ("train the baseline summarizer", 4, "done", 2),
        ("write the method section", 2, "done", 2),
    ]
    assert ("try the pointer-generator baseline", 1, "dropped", 2) in carried
    assert data["carried"][0]["open_dates"][:3] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    dropped = [(d["task"], d["last_listed"], d["days_listed"]) for d in data["dropped"]]
    assert dropped == [
        ("email the annotators about the schedule", "2026-03-10", 1),
        ("try the pointer-generator baseline", "2026-03-04", 2),
    ]
    assert [o["task"] for o in data["open"]] == ["polish the figures", "submit the abstract"]


def test_ideas_acted_on_and_waiting(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ideas = run_json(shared_home, monkeypatch, "ideas", "--log", str(LOG))
    assert isinstance(ideas, list)
    truth = {  # idea day -> the day it was acted on (hand-annotated)
        "2026-03-02": "2026-03-06",  # lead-3 baseline
        "2026-03-04": "2026-03-11",  # coverage penalty
        "2026-03-17": "2026-03-19",  # entity-level faithfulness (different words: may be missed)
    }
    acted = {i["date"]: i["acted_on"]["date"] for i in ideas if i["acted_on"]}
    assert acted.items() <= truth.items()  # never a wrong "acted on"
    assert {"2026-03-02", "2026-03-04"} <= set(acted)
    waiting = [i for i in ideas if i["status"] == "waiting"]
    assert [i["date"] for i in waiting] == sorted(i["date"] for i in waiting)  # oldest first
    assert ideas[: len(waiting)] == waiting
    near_miss = next(i for i in ideas if i["date"] == "2026-03-10")  # human faithfulness ratings
    assert near_miss["status"] == "waiting"  # an automatic metric is not acting on it
    assert waiting[0]["text"] == "pretrain on scientific abstracts before the news data"
    assert waiting[0]["waiting_days"] == 15
    lead3 = next(i for i in ideas if i["date"] == "2026-03-02")
    assert lead3["acted_on"]["text"].startswith("lead-3 extractive baseline")


# ---------------------------------------------------------------- every command


@pytest.mark.parametrize(
    "command", ["bugs", "estimates", "predictions", "focus", "sources", "todos", "ideas"]
)
def test_every_printed_line_cites_its_days(
    command: str, shared_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RREVIEW_HOME", str(shared_home))
    result = runner.invoke(app, [command, "--log", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    logged = {p.stem for p in EXAMPLE.glob("*.md")}
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith(("-", "|"))]
    assert lines
    for line in lines:
        if line.startswith(("|---", "| task")) or line.strip().startswith("- **"):
            continue
        found = CITE.findall(line) or re.findall(r"\[[^\]]*\d{4}-\d{2}-\d{2}[^\]]*\]", line)
        assert found, line
        for day in re.findall(r"\d{4}-\d{2}-\d{2}", line.rsplit("[", 1)[1]):
            assert day in logged, line


# ---------------------------------------------------------------- the weekly reflection


def test_weekly_reflection_compares_with_earlier_weeks(
    shared_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = run_json(shared_home, monkeypatch, "week", "--log", str(EXAMPLE), "--week", "2026-W47")
    assert isinstance(report, dict)
    sections = {s["title"]: s["items"] for s in report["sections"]}
    look = [i["text"] for i in sections["In one look"]]
    # W44..W46 completion 83%, 60%, 60%
    assert "4 of 7 planned to-dos done (57%; your median over 3 earlier weeks is 60%)" in look
    assert (
        "Estimates: 7 tasks, 10h30m planned, 17h30m taken (1.67x); "
        "median 2.0x this week against your usual 1.5x"
    ) in look
    bugs = next(t for t in look if "bug mention" in t)
    for family in (
        "NaN/inf, fp16/bf16 (3rd time since 2026-10-27)",
        "hang, fork (3rd time since 2026-10-29)",
        "tokenizer/vocab, assert (2nd time since 2026-11-02)",
    ):
        assert family in bugs
    came_back = [i for i in sections["Bugs"] if i.get("group") == "Came back: NaN/inf, fp16/bf16"]
    assert came_back[0]["dates"] == ["2026-10-27", "2026-11-04", "2026-11-17"]
    assert came_back[0]["text"].startswith("3rd time since 2026-10-27")
    usual = next(i for i in sections["Estimates vs actual"] if i["text"].startswith("Your usual"))
    # the 18 tasks done before 11-16: median 1.5x, quartiles 1.5x and 1.9375x
    assert usual["text"] == (
        "Your usual: median 1.5x over 18 earlier tasks; half of them between 1.5x and 1.94x"
    )
    ideas = next(title for title in sections if title.startswith("Ideas"))
    assert ideas == "Ideas (5 new, 3 acted on)"
    waiting = [i["text"] for i in sections[ideas] if "waiting since" in i["text"]]
    assert waiting[0].endswith("— waiting since 2026-10-28 (23 days)")


def _shape(value: object) -> object:
    """Keys of dicts and the shape of a list's first element; values of free-form maps
    (counts by kind, errors by unit) are not compared."""
    if isinstance(value, dict):
        if set(value) & {"paper", "chat", "none", "pts", "%"}:
            return "map"
        return {key: _shape(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return "value"


def _same_shape(documented: object, actual: object, where: str) -> None:
    if documented == "value" or actual == "value" or [] in (documented, actual):
        return
    if isinstance(documented, dict) and isinstance(actual, dict):
        assert set(documented) == set(actual), (where, set(documented) ^ set(actual))
        for key in documented:
            _same_shape(documented[key], actual[key], f"{where}.{key}")
    elif isinstance(documented, list) and isinstance(actual, list):
        _same_shape(documented[0], actual[0], f"{where}[]")
    else:
        assert documented == actual, (where, documented, actual)


@pytest.mark.parametrize(
    ("command", "log"),
    [
        ("bugs", EXAMPLE),
        ("estimates", LOG),
        ("predictions", LOG),
        ("focus", LOG),
        ("sources", LOG),
        ("todos", LOG),
        ("ideas", LOG),
    ],
)
def test_readme_documents_each_json_shape(
    command: str, log: Path, shared_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split(f"#### `rreview {command} --json`", 1)[1]
    documented = json.loads(block.split("```json", 1)[1].split("```", 1)[0])
    actual = run_json(shared_home, monkeypatch, command, "--log", str(log))
    _same_shape(_shape(documented), _shape(actual), command)


# ---------------------------------------------------------------- at scale, the same answers


def reference_average_linkage(similarity: list[list[float]], threshold: float) -> list[list[int]]:
    """The plain algorithm: scan every pair for the best join, each time."""
    import numpy as np

    sim = np.array(similarity, dtype=float)
    n = len(sim)
    groups = {i: [i] for i in range(n)}
    np.fill_diagonal(sim, -np.inf)
    alive = np.ones(n, dtype=bool)
    while len(groups) > 1:
        masked = np.where(alive[:, None] & alive[None, :], sim, -np.inf)
        a, b = divmod(int(np.argmax(masked)), n)
        if masked[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        merged = (len(groups[a]) * sim[a] + len(groups[b]) * sim[b]) / (
            len(groups[a]) + len(groups[b])
        )
        sim[a, :], sim[:, a] = merged, merged
        sim[a, a] = -np.inf
        alive[b] = False
        sim[b, :], sim[:, b] = -np.inf, -np.inf
        groups[a] = sorted(groups[a] + groups.pop(b))
    return [groups[k] for k in sorted(groups)]


@pytest.mark.parametrize("seed", range(12))
def test_average_linkage_is_the_plain_algorithm(seed: int) -> None:
    import numpy as np

    from rreview.analyze.cluster import average_linkage, linked_groups

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    points = rng.normal(size=(n, 4))
    sim = points @ points.T / 4
    if seed % 2:  # coarse values: many exact ties, broken by the lowest indices
        sim = np.round(sim * 4) / 4
    expected = reference_average_linkage(sim.tolist(), 0.3)
    assert average_linkage(sim, 0.3) == expected
    # clustering each linked part alone gives the same groups
    parts = linked_groups(n, lambda rows: sim[rows], 0.3)
    assert sorted(i for part in parts for i in part) == list(range(n))
    by_part = [
        [part[i] for i in g] for part in parts for g in average_linkage(sim[part][:, part], 0.3)
    ]
    assert sorted(by_part) == expected
    seeds = [int(rng.integers(n))]
    assert linked_groups(n, lambda rows: sim[rows], 0.3, seeds) == [
        p for p in parts if seeds[0] in p
    ]


@pytest.fixture(scope="module")
def synthetic_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight weeks of the benchmark generator's log: recurring bugs, ideas, done work."""
    from benchmarks.synthlog import write_log

    folder = tmp_path_factory.mktemp("synthetic") / "log"
    write_log(folder, days=56, items_per_day=12, seed=3)
    return folder


def test_bug_families_are_those_of_clustering_every_mention(
    synthetic_log: Path, vectors: EmbeddedVectors
) -> None:
    from rreview.analyze.bugs import bug_similarity
    from rreview.analyze.cluster import average_linkage
    from rreview.analyze.terms import vocabulary

    for facts in (load_log(synthetic_log).facts, load_log(EXAMPLE).facts):
        mentions = bug_mentions(facts)
        vocab = vocabulary(f.item.text for f in facts)
        whole = average_linkage(bug_similarity(mentions, vectors, vocab).combined(), BUG_THRESHOLD)
        families = bug_families(facts, vectors)
        assert sorted(by_date(families)) == sorted(
            [[mentions[i].date.isoformat() for i in g] for g in whole]
        )
        assert any(len(f.mentions) > 2 for f in families)  # bugs do recur in both logs
        last = max(m.date for m in mentions)

        def late(m: BugMention, last: date = last) -> bool:
            return (last - m.date).days < 7

        touching = bug_families(facts, vectors, touching=late)
        assert by_date(touching) == by_date([f for f in families if any(map(late, f.mentions))])


def reference_idea_backlog(facts: list, vectors: EmbeddedVectors) -> list[tuple]:  # type: ignore[type-arg]
    """Each idea scored exactly against every later done item (the plain way)."""
    from rreview.analyze.ideas import IDEA_THRESHOLD, idea_scores
    from rreview.analyze.terms import vocabulary

    def after(a: Item, b: Item) -> bool:
        return b.date > a.date or (b.date == a.date and b.file == a.file and b.line > a.line)

    vocab = vocabulary(f.item.text for f in facts)
    ideas = [f for f in facts if f.is_idea]
    done = [f for f in facts if f.done and not f.is_idea and f.task and not f.prediction]
    out = []
    for idea in ideas:
        it = idea.item
        details = [
            f
            for f in facts
            if (f.item.file, f.item.date, f.item.parent_line) == (it.file, it.date, it.line)
        ]
        later = [c for c in done if after(it, c.item) and c not in details]
        scores = idea_scores([idea, *details], later, vectors, vocab)
        hits = [(c, s) for c, s in zip(later, scores, strict=True) if s >= IDEA_THRESHOLD]
        best = max(hits, key=lambda cs: (cs[1], -cs[0].item.date.toordinal()))[0] if hits else None
        out.append((idea.item.key, best.item.key if best else None))
    return out


def test_ideas_judged_as_scoring_every_pair(synthetic_log: Path, vectors: EmbeddedVectors) -> None:
    from rreview.analyze.ideas import idea_backlog, week_backlog
    from rreview.analyze.items import Period, weeks_between

    facts = load_log(synthetic_log).facts
    backlog = idea_backlog(facts, vectors)
    got = {s.idea.item.key: (s.acted_on.item.key if s.acted_on else None) for s in backlog}
    expected = dict(reference_idea_backlog(facts, vectors))
    assert got == expected
    assert 0 < sum(1 for v in got.values() if v) < len(got)  # both verdicts occur
    days = sorted({f.item.date for f in facts})
    for week in weeks_between(days[0], days[-1])[1:]:
        full = idea_backlog(facts, vectors, Period(until=week.end))
        shown = [
            s
            for s in full
            if week.contains(s.idea.item.date)
            or (s.acted_on is not None and week.contains(s.acted_on.item.date))
        ]
        waiting = [s for s in full if s.acted_on is None and s.idea.item.date < week.start][:3]
        assert week_backlog(facts, week.start, week.end, vectors, 3) == (shown, waiting)


@pytest.mark.parametrize("window", [1, 7, 64])
def test_week_backlog_in_small_windows_is_the_filtered_backlog(
    synthetic_log: Path, vectors: EmbeddedVectors, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    """The week asks of older ideas only whether an earlier done item scores as high, a
    window of done items at a time, newest first: windows far smaller than the log (as at
    ten years) give the verdicts of judging each idea against the whole log."""
    from rreview.analyze import ideas
    from rreview.analyze.items import Period, weeks_between

    monkeypatch.setattr(ideas, "HIT_WINDOW", window)
    facts = load_log(synthetic_log).facts
    days = sorted({f.item.date for f in facts})
    shown_older = 0
    for week in weeks_between(days[0], days[-1])[1:]:
        full = ideas.idea_backlog(facts, vectors, Period(until=week.end))
        older = [s for s in full if s.idea.item.date < week.start]
        shown = [s for s in full if week.contains(s.idea.item.date)] + [
            s for s in older if s.acted_on is not None and week.contains(s.acted_on.item.date)
        ]
        waiting = [s for s in older if s.acted_on is None][:3]
        got = ideas.week_backlog(facts, week.start, week.end, vectors, 3)
        assert got == (ideas._ordered(shown), waiting)
        shown_older += len(shown) - sum(1 for s in full if week.contains(s.idea.item.date))
    assert shown_older > 0  # older ideas acted on in a later week do occur
