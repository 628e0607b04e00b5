"""`rreview facts` and `rreview status` as a user runs them, on the format fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from rreview.cli.main import app
from rreview.paths import index_dir
from rreview.store.sync import load_log, sync_index

runner = CliRunner()
ORG = FIXTURES / "org"
COMMON = {"date", "kind", "text", "file", "line", "origin"}


def _facts(*args: str) -> list[dict]:
    result = runner.invoke(app, ["facts", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _status(log: Path, *args: str) -> dict:
    result = runner.invoke(app, ["status", "--log", str(log), "--json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- facts ---------------------------------------------------------------------------------------


def test_facts_json_schema_per_kind() -> None:
    facts = _facts("--log", str(ORG))
    kinds = {f["kind"] for f in facts}
    assert kinds == {"todo", "estimate", "bug", "prediction", "source", "idea"}
    for fact in facts:
        assert fact.keys() >= COMMON
        assert fact["origin"] in ("notation", "heuristic", "llm")
        line = Path(fact["file"]).read_text(encoding="utf-8").split("\n")[fact["line"] - 1]
        assert fact["text"].split()[0].strip("*") in line
    estimate = next(f for f in facts if f["kind"] == "estimate" and f["line"] == 17)
    assert estimate == {
        "date": "2026-12-07",
        "kind": "estimate",
        "text": "I planned 1h for the verifier change, took 3 hours because the pass manager "
        "API changed.",
        "file": str(ORG / "journal" / "20261207"),
        "line": 17,
        "origin": "heuristic",
        "task": "I planned 1h for the verifier change, because the pass manager API changed.",
        "estimate_hours": 1.0,
        "actual_hours": 3.0,
        "ratio": 3.0,
    }
    prediction = next(f for f in facts if f["kind"] == "prediction")
    assert (prediction["predicted"], prediction["actual"]) == (
        "the new alias analysis to cut compile time by 20%",
        "7%",
    )
    assert (prediction["predicted_value"], prediction["actual_value"]) == (20.0, 7.0)
    source = next(f for f in facts if f["kind"] == "source")
    assert (source["source"], source["source_kind"]) == ("chat with Maya", "chat")


def test_facts_todo_is_one_task_across_days() -> None:
    todos = _facts("--log", str(ORG), "--kind", "todo")
    port = next(t for t in todos if t["task"] == "Port the alias analysis pass to the new IR")
    assert (port["date"], port["line"], port["done"]) == ("2026-12-07", 2, True)
    assert (port["first_date"], port["done_date"], port["span_days"]) == (
        "2026-12-07",
        "2026-12-09",
        2,
    )
    assert port["dates"] == ["2026-12-07", "2026-12-08", "2026-12-09"]
    assert (port["estimate_hours"], port["actual_hours"]) == (3.0, 6.0)  # clocks add up
    rebase = next(t for t in todos if t["task"].startswith("rebase onto upstream main"))
    assert (rebase["done_date"], rebase["actual_hours"]) == ("2026-12-15", 3.0)
    open_ones = [t["task"] for t in todos if not t["done"]]
    assert "rerun with -O3 on the cluster" in open_ones
    assert all(t["done_date"] is None for t in todos if not t["done"])


def test_facts_filters_by_date_and_kind() -> None:
    dated = _facts("--log", str(ORG), "--since", "2026-12-14", "--until", "2026-12-15")
    assert {f["date"] for f in dated} == {"2026-12-14", "2026-12-15"}
    bugs = _facts("--log", str(ORG), "--kind", "bug", "--kind", "idea")
    assert {f["kind"] for f in bugs} == {"bug", "idea"}
    assert len([f for f in bugs if f["kind"] == "bug"]) == 7
    # a to-do is in range when any of its days is
    todos = _facts("--log", str(ORG), "--kind", "todo", "--since", "2026-12-09")
    assert any(t["first_date"] == "2026-12-07" for t in todos)


def test_facts_table_on_every_fixture_marks_heuristics() -> None:
    for log in ("obsidian/vault", "logseq/graph", "notion/export", "jrnl", "org"):
        result = runner.invoke(app, ["facts", "--log", str(FIXTURES / log)])
        assert result.exit_code == 0, result.stderr
        rows = result.stdout.strip().split("\n")
        assert len(rows) >= 10
        assert any("*" in row[:25] for row in rows)  # heuristic facts are marked
        assert "facts (" in result.stderr and "* = read from prose" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "bugs"], "--kind bugs: expected one of todo, estimate"),
        (["--since", "last week"], "--since 'last week': expected a date"),
        (["--until", "2026-13-01"], "--until '2026-13-01'"),
    ],
)
def test_facts_bad_options_are_usage_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["facts", "--log", str(ORG), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_facts_warns_about_bad_input_and_goes_on() -> None:
    result = runner.invoke(app, ["facts", "--log", str(ORG / "yearly.org"), "--json"])
    assert result.exit_code == 0
    assert "yearly.org:16: heading '* Wednesday, 2026-02-30' is not a real date" in result.stderr
    assert {f["date"] for f in json.loads(result.stdout)} == {
        "2026-12-14",
        "2026-12-15",
        "2026-12-17",
    }


# --- status --------------------------------------------------------------------------------------


@pytest.fixture
def jrnl_log(tmp_path: Path) -> Path:
    log = tmp_path / "jrnl"
    shutil.copytree(FIXTURES / "jrnl", log)
    (log / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (log / "2026-13-01.md").write_text("- no such month\n")
    return log


def test_status_before_and_after_indexing(jrnl_log: Path, embedder) -> None:
    before = _status(jrnl_log)
    assert before["index_exists"] is False and before["indexed_at"] is None
    assert before["format"] == "jrnl"
    assert before["index"] == str(index_dir(jrnl_log))
    by_file = {f["file"]: f for f in before["files"]}
    assert by_file["journal.json"]["state"] == "not indexed"
    assert (by_file["journal.json"]["entries"], by_file["journal.json"]["items"]) == (5, 9)
    assert by_file["cover.png"] == {
        "file": "cover.png",
        "state": "ignored",
        "format": None,
        "indexed_at": None,
        "entries": 0,
        "items": 0,
        "reason": "not a log file (.png)",
        "problems": [],
        "days": [],
    }
    assert by_file["2026-13-01.md"]["state"] == "skipped"
    assert "not a real date" in by_file["2026-13-01.md"]["reason"]

    sync_index(load_log(jrnl_log), index_dir(jrnl_log), embedder)
    after = _status(jrnl_log)
    assert after["index_exists"] is True and after["indexed_at"]
    json_file = next(f for f in after["files"] if f["file"] == "journal.json")
    assert (json_file["state"], json_file["format"]) == ("indexed", "jrnl")
    assert json_file["indexed_at"] == after["indexed_at"]
    assert [(d["date"], d["line"], d["state"]) for d in json_file["days"]] == [
        ("2026-10-05", 9, "indexed"),
        ("2026-10-05", 19, "indexed"),
        ("2026-10-06", 29, "indexed"),
        ("2026-10-07", 40, "indexed"),
        ("2026-10-08", 48, "indexed"),
    ]
    assert after["totals"] == {
        "files": 4,
        "indexed": 2,
        "changed": 0,
        "not_indexed": 0,
        "skipped": 1,
        "ignored": 1,
        "removed": 0,
        "entries": 8,
        "items": 14,
        "indexed_entries": 8,
        "indexed_items": 14,
    }

    text = (jrnl_log / "journal.txt").read_text()
    (jrnl_log / "journal.txt").write_text(text.replace("Slept badly", "Slept well"))
    (jrnl_log / "journal.json").unlink()
    changed = {f["file"]: f for f in _status(jrnl_log)["files"]}
    assert changed["journal.txt"]["state"] == "changed"
    assert [d["state"] for d in changed["journal.txt"]["days"]] == [
        "changed",
        "indexed",
        "indexed",
    ]
    assert changed["journal.json"]["state"] == "removed"
    assert changed["journal.json"]["entries"] == 5


def test_status_table_reads_as_a_report(jrnl_log: Path) -> None:
    result = runner.invoke(app, ["status", "--log", str(jrnl_log), "-v"])
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(f"log    {jrnl_log} (format: jrnl, confidence 0.60)")  # 2 of 3 files
    assert "not built yet" in out
    assert "cover.png" in out and "not a log file (.png)" in out
    assert "  2026-10-05 (line 19)" in out  # -v lists each entry of a multi-entry file
    assert "4 files: 0 indexed, 0 changed since, 2 not indexed, 1 skipped, 1 ignored" in out
    assert "run `rreview index`" in result.stderr
    assert "2026-13-01.md: '2026-13-01' is not a real date" in result.stderr
    assert "mixed folder" not in result.stderr  # the skipped page was not read as anything


def test_index_verbose_names_the_reader(tmp_path: Path) -> None:
    log = tmp_path / "org"
    shutil.copytree(ORG, log)
    result = runner.invoke(app, ["facts", "--log", str(log), "-v"])
    assert result.exit_code == 0
    assert f"read {log} as 'org' (confidence 0.90): 4 files, 6 entries" in result.stderr
