"""The weekly reflection: exact numbers on a small hand-made log, citations on the example log."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rreview.analyze.week import week_facts
from rreview.analyze.weeks import Week, default_week, parse_week
from rreview.cli.main import app
from rreview.errors import UsageError
from rreview.store.sync import load_log

FIXTURES = Path(__file__).parent / "fixtures"

TWO_WEEKS = FIXTURES / "two-weeks"
runner = CliRunner()


def week_json(log: Path, week: str, *extra: str) -> dict:
    result = runner.invoke(app, ["week", "--log", str(log), "--week", week, "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def section(report: dict, title: str) -> list[dict]:
    found = [s for s in report["sections"] if s["title"].startswith(title)]
    assert found, f"no section {title!r} in {[s['title'] for s in report['sections']]}"
    return found[0]["items"]


@pytest.fixture(scope="module")
def w12(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RREVIEW_HOME", str(home))
        return week_json(TWO_WEEKS, "2026-W12")


def test_shape_and_dates(w12: dict) -> None:
    assert (w12["week"], w12["start"], w12["end"]) == ("2026-W12", "2026-03-16", "2026-03-22")
    assert w12["sections"][0]["title"] == "In one look"
    for sec in w12["sections"]:
        for item in sec["items"]:
            assert item["dates"], f"uncited line: {item['text']}"
            assert set(item) <= {"text", "dates", "group", "data"}


def test_estimates_are_computed_exactly(w12: dict) -> None:
    rows = {i["data"]["task"]: i for i in section(w12, "Estimates vs actual") if "data" in i}
    assert set(rows) == {
        "rebuild the manifest",
        "tokenizer vocab mismatch between train and decode",
    }
    manifest = rows["rebuild the manifest"]
    # estimate on the 03-09 to-do, actual on the 03-16 done item: one task across days
    assert manifest["data"]["estimate_hours"] == 2.0
    assert manifest["data"]["actual_hours"] == 6.0
    assert manifest["data"]["ratio"] == "3.0x"
    assert manifest["dates"] == ["2026-03-09", "2026-03-16"]
    totals = [i["text"] for i in section(w12, "Estimates vs actual") if "data" not in i]
    assert totals[0].startswith("Total: 2h30m planned, 7h30m taken (3.0x)")


def test_carried_todos_and_how_long(w12: dict) -> None:
    carried = {i["text"].split('"')[1]: i for i in section(w12, "Carried over")}
    assert set(carried) == {
        "rebuild the manifest",
        "write related-work section",
        "email Ana about the GPU quota",
    }
    related = carried["write related-work section"]
    assert "still open on 2026-03-19, 10 days later (listed open on 4 days)" in related["text"]
    assert related["dates"] == ["2026-03-09", "2026-03-16", "2026-03-17", "2026-03-19"]
    email = carried["email Ana about the GPU quota"]
    assert "done 2026-03-19, 3 days later" in email["text"]


def test_bugs_predictions_ideas_sources(w12: dict) -> None:
    bugs = section(w12, "Bugs")
    assert [b["dates"] for b in bugs[:2]] == [["2026-03-16"], ["2026-03-17"]]
    assert "Time logged on bugs: 2h30m over 2 of 2 mentions" in bugs[2]["text"]
    predictions = section(w12, "Predictions")
    assert len(predictions) == 2
    # WER 12% -> 14.8% (W11, 23% off), CER 5% -> 6.5% (30% off): both worse than predicted
    assert predictions[1]["text"] == (
        "Your predictions: 2 checked so far; median error 27% of the predicted value; "
        "2 of 2 outcomes worse than predicted"
    )
    assert predictions[1]["dates"] == ["2026-03-09", "2026-03-16", "2026-03-19"]
    assert predictions[0]["text"] == 'Predicted "CER 5% at 40k steps", got "6.5%" (+1.5%)'
    assert predictions[0]["dates"] == ["2026-03-16", "2026-03-19"]
    assert [i["text"] for i in section(w12, "Ideas")] == [
        "silence trimming before training",
        # an earlier idea never acted on resurfaces (days counted to the week's last entry)
        "curriculum by utterance length — waiting since 2026-03-09 (10 days)",
    ]
    assert section(w12, "Sources")[0]["text"].startswith("paper: 1")


def test_summary_and_comparison_counts(w12: dict) -> None:
    summary = [i["text"] for i in section(w12, "In one look")]
    # this week against the weeks before: W11 had 2 to-dos planned, none done by its Sunday
    assert "2 of 3 planned to-dos done (67%; 0% in 2026-W11)" in summary
    assert "2 bug mentions" in summary  # neither bug family came back from an earlier week
    assert '1 prediction checked: "CER 5% at 40k steps" → "6.5%", error +1.5%' in summary
    compare = [i["text"] for i in section(w12, "Compared with last week")]
    assert "Days logged: 3 vs 1 (2026-W12 vs 2026-W11)" in compare
    assert "Bug mentions: 2 vs 0 (2026-W12 vs 2026-W11)" in compare
    assert "Estimate overrun (taken/planned): 3.0x vs 2.0x (2026-W12 vs 2026-W11)" in compare


def test_done_items_are_grouped_and_not_repeated(w12: dict) -> None:
    done = section(w12, "What was done")
    texts = [i["text"] for i in done]
    assert texts.count("rebuild the manifest") == 1  # "[x]" to-do and done bullet: one item
    assert {i.get("group") for i in done} == {"data", "other"}


def test_example_log_citations_point_to_real_entries(example_log: Path) -> None:
    report = week_json(example_log, "2026-W47")
    logged = {p.stem for p in example_log.glob("*.md")}
    cited = {d for s in report["sections"] for i in s["items"] for d in i["dates"]}
    assert cited and cited <= logged
    week_days = {d for d in logged if "2026-11-16" <= d <= "2026-11-22"}
    # lines quoting one item quote words that are on the cited day's page
    for title in ("What was done", "Bugs", "Ideas"):
        for item in section(report, title):
            if len(item["dates"]) == 1 and not item["text"].startswith("Time logged"):
                page = (example_log / f"{item['dates'][0]}.md").read_text()
                words = item["text"].rstrip("…").split(" (took")[0].split(" (source")[0]
                assert words[:40] in page, (title, item)
                # an older idea still waiting resurfaces, citing the day it was logged
                if "waiting since" not in item["text"]:
                    assert item["dates"][0] in week_days


def test_markdown_lines_all_cite(example_log: Path, isolated_home: Path) -> None:
    result = runner.invoke(app, ["week", "--log", str(example_log), "--week", "2026-W47"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith(("-", "|"))]
    cite = re.compile(r"\[\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2}|(, \d{4}-\d{2}-\d{2})*)\]")
    for line in lines:
        if line.startswith("|---") or line.startswith("| task"):
            continue
        assert cite.search(line) or line.strip().startswith("- **"), line
    saved = isolated_home / "reports" / "2026-W47.md"
    assert saved.read_text() == result.stdout


def test_empty_week_says_where_the_log_is(tmp_path: Path) -> None:
    result = runner.invoke(app, ["week", "--log", str(TWO_WEEKS), "--week", "2026-W30"])
    assert result.exit_code == 0
    assert "nothing logged in 2026-W30; latest entry 2026-03-19" in result.stderr
    assert "0 days logged" in result.stdout


@pytest.mark.parametrize("bad", ["2026-47", "2026-W54", "last week", "W47"])
def test_bad_week_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_week(bad)
    result = runner.invoke(app, ["week", "--log", str(TWO_WEEKS), "--week", bad])
    assert result.exit_code == 2
    assert f"--week '{bad}'" in result.stderr


def test_default_week_is_this_week_or_last() -> None:
    days = {date(2026, 3, 16), date(2026, 3, 19)}
    assert default_week(date(2026, 3, 20), days) == Week(2026, 12)
    assert default_week(date(2026, 3, 23), days) == Week(2026, 12)  # Monday morning review
    assert default_week(date(2026, 3, 24), days | {date(2026, 3, 24)}) == Week(2026, 13)


def test_default_week_from_today_option() -> None:
    report = week_json(TWO_WEEKS, "2026-W12")
    args = ["week", "--log", str(TWO_WEEKS), "--today", "2026-03-23", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["week"] == report["week"]


def test_bad_files_warn_and_the_rest_is_reported(tmp_path: Path) -> None:
    log = tmp_path / "log"
    shutil.copytree(TWO_WEEKS, log)
    (log / "2026-03-31.md").write_text("# 2026-03-31\n- fine\n")
    (log / "2026-02-30.md").write_text("# bad date\n- lost?\n")
    (log / "2026-03-18.md").write_bytes("- caf\xe9 au lait\n".encode("latin-1"))
    (log / "2026-03-20.md").write_bytes(b"")
    (log / "2026-03-21.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = runner.invoke(app, ["week", "--log", str(log), "--week", "2026-W12", "--json"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 4, warnings
    for name in ("2026-02-30.md", "2026-03-18.md:1", "2026-03-20.md", "2026-03-21.md"):
        assert sum(name in w for w in warnings) == 1, (name, warnings)
    assert json.loads(result.stdout)["title"].endswith("3 days logged, 15 items")


def test_missing_log_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["week", "--log", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "nope: log not found" in result.stderr
    result = runner.invoke(app, ["week"])
    assert result.exit_code == 2
    assert "no log set" in result.stderr


def test_week_facts_ignore_later_weeks() -> None:
    snapshot = load_log(TWO_WEEKS)
    w11 = week_facts(snapshot.facts, Week(2026, 11))
    assert w11.counts.days == (date(2026, 3, 9),)
    assert not w11.carried  # nothing known after W11 may leak into it
    assert [t.key for t in w11.estimates.tasks] == ["conformer baseline to 10k steps"]
