"""The analyses' results kept on disk between processes (`analyze/cache.py`): a second `ask`
in a new process reads them instead of computing, and they are never stale: an edit, other
analysis code or a damaged file means computing again, to the answer a fresh run gives."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from indexed_log import EXAMPLE_LOG, prebuilt_index  # noqa: F401
from rreview.analyze import bugs, cache
from rreview.cli.main import app
from rreview.paths import index_dir
from rreview.retrieve.session import forget

runner = CliRunner()
QUESTION = "what bugs recur?"


@pytest.fixture
def grouped(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the calls of `bug_families` (the seconds-long grouping at ten years)."""
    return count_calls(monkeypatch, bugs, "bug_families")


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    """Replace `owner.name` by itself, counted: one element in the list per call."""
    calls: list[int] = []
    real: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def _ask(log: Path, question: str = QUESTION) -> dict[str, Any]:
    """`ask` as a new process would: no session kept from the question before."""
    forget()
    args = ["ask", question, "--log", str(log), "--json", "--today", "2026-11-23", "--offline"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def _files(log: Path) -> list[Path]:
    return sorted((index_dir(log) / cache.FOLDER).glob(f"*{cache.SUFFIX}"))


def _fresh(log: Path, question: str = QUESTION) -> dict[str, Any]:
    """The answer computed with no result on disk."""
    shutil.rmtree(index_dir(log) / cache.FOLDER, ignore_errors=True)
    return _ask(log, question)


def test_a_second_ask_reads_the_families_from_disk(own_log: Path, grouped: list[int]) -> None:
    first = _ask(own_log)
    assert len(grouped) == 1
    names = {p.name.split(".")[1] for p in _files(own_log)}
    assert {"bug-mentions", "vocabulary", "bug-families", "bug-report"} <= names
    second = _ask(own_log)
    assert len(grouped) == 1  # read back, not grouped again
    assert second == first
    assert first["sections"][0]["items"]  # the example log has recurring bugs


def test_an_edited_entry_changes_the_answer(own_log: Path, grouped: list[int]) -> None:
    before = _ask(own_log)
    page = own_log / "2026-11-20.md"
    line = "- zygomorphic flux capacitor overheated again (took 2h) #bug\n"
    page.write_text(page.read_text() + line)
    (own_log / "2026-11-21.md").write_text(
        "# 2026-11-21\n## What was done\n- zygomorphic flux capacitor overheated #bug\n"
    )
    edited = _ask(own_log)
    assert len(grouped) == 2  # the new state is grouped again
    assert edited != before
    assert "zygomorphic" in json.dumps(edited["sections"])
    assert _ask(own_log) == edited == _fresh(own_log)


def test_other_analysis_code_is_not_trusted(
    own_log: Path, grouped: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _ask(own_log)
    monkeypatch.setattr(cache, "analysis_stamp", lambda *code: f"analyses-0|other code{code}")
    assert _ask(own_log) == first
    assert len(grouped) == 2  # the stored results carried the other stamp
    assert _ask(own_log) == first
    assert len(grouped) == 2  # and were rewritten with this one


def test_a_damaged_file_is_ignored(own_log: Path, grouped: list[int]) -> None:
    first = _ask(own_log)
    for path in _files(own_log):
        path.write_bytes(path.read_bytes()[:10])  # cut short
    assert _ask(own_log) == first
    assert len(grouped) == 2
    assert _ask(own_log) == first
    assert len(grouped) == 2
    assert not list((index_dir(own_log) / cache.FOLDER).glob("*.tmp"))


def test_positions_written_for_other_mentions_are_computed_again(
    own_log: Path, grouped: list[int]
) -> None:
    first = _ask(own_log)
    (families,) = [p for p in _files(own_log) if ".bug-families." in p.name]
    cache.write_stamped(families, [((0, 10**6), 0, ("nonsense",))])  # no such mention
    for report in [p for p in _files(own_log) if ".bug-report." in p.name]:
        report.unlink()  # else read back before the families are needed
    assert _ask(own_log) == first
    assert len(grouped) == 2


def test_only_the_newest_states_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "analyses"
    for n, state in enumerate(["a", "b", "c", "d"]):
        cache.AnalysisCache(folder, state).write("x", n)
        cache.AnalysisCache(folder, state).write("y", -n)
        for path in folder.glob(f"{state}.*"):  # written in order, whatever the clock's grain
            os.utime(path, (1000 + n, 1000 + n))
    assert cache.AnalysisCache(folder, "d").read("x") == 3
    assert cache.AnalysisCache(folder, "b").read("y") is cache.MISSING  # pruned
    assert {p.name.split(".")[0] for p in folder.iterdir()} == {"c", "d"}
    made: list[int] = []
    assert cache.AnalysisCache(folder, "d").get("x", lambda: made.append(1) or 7) == 3
    assert cache.AnalysisCache(folder, "e").get("x", lambda: made.append(1) or 7) == 7
    assert made == [1]


def test_tasks_linked_across_days_are_read_back(
    own_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rreview.extract import tasks

    calls = count_calls(monkeypatch, tasks, "link_tasks")
    question = "how far off are my estimates?"
    first = _ask(own_log, question)
    assert len(calls) == 1 and first["sections"][0]["items"]
    assert _ask(own_log, question) == first
    assert len(calls) == 1  # read back, not linked again
    page = own_log / "2026-11-20.md"
    page.write_text(page.read_text() + "- wrote the zygomorphic appendix (est 1h, took 5h)\n")
    edited = _ask(own_log, question)
    assert len(calls) == 2 and "zygomorphic" in json.dumps(edited["sections"])
    assert edited == _fresh(own_log, question)


def test_the_vocabulary_counts_only_edited_entries_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rreview.analyze import terms
    from rreview.store.sync import load_log

    log = tmp_path / "log"
    shutil.copytree(EXAMPLE_LOG, log)
    folder = tmp_path / "analyses"
    counted: list[int] = []
    real = terms.word_counts

    def counting(texts: Any) -> terms.WordCounts:
        counted.append(1)
        return real(texts)

    monkeypatch.setattr(terms, "word_counts", counting)

    def check() -> terms.Vocabulary:
        snapshot = load_log(log)
        found = cache.log_vocabulary(snapshot, folder)
        whole = terms.vocabulary(f.item.text for f in snapshot.facts)  # one count of all
        assert found == whole and list(found.surface.items()) == list(whole.surface.items())
        return found

    entries = len(load_log(log).entries)
    first = check()
    assert len(counted) == entries + 1
    page = log / "2026-11-20.md"
    page.write_text(page.read_text() + "- zygomorphic flux capacitor, zygomorphic again\n")
    edited = check()
    assert len(counted) == entries + 1 + 1 + 1  # the edited day, then the whole check
    assert "zygomorphic" in edited.idf and "zygomorphic" not in first.idf
    assert edited.documents == first.documents + 1


def test_clustering_all_at_once_gives_the_families_of_the_parts(
    tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to WHOLE_AT_MOST mentions the families come from one matrix of every pair; past
    it, from the screen and the linked parts: the same families, representatives, terms."""
    from benchmarks.synthlog import write_log

    from rreview.analyze.vectors import EmbeddedVectors
    from rreview.store.sync import load_log

    write_log(tmp_path / "synthetic", days=56, items_per_day=12, seed=5)
    vectors = EmbeddedVectors(embedder)
    for log in (tmp_path / "synthetic", EXAMPLE_LOG):
        facts = load_log(log).facts
        mentions = bugs.bug_mentions(facts)
        whole = bugs.bug_families(facts, vectors, mentions=mentions)
        monkeypatch.setattr(bugs, "WHOLE_AT_MOST", 0)
        parts = bugs.bug_families(facts, vectors, mentions=mentions)
        monkeypatch.undo()
        assert bugs.plain_families(whole, mentions) == bugs.plain_families(parts, mentions)
        assert sum(len(f.mentions) > 2 for f in whole) >= 2


@pytest.mark.parametrize("seed", range(8))
def test_average_linkage_compacted_is_the_plain_algorithm(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compacting the matrix as groups close (several times here) changes no join: ties
    still go to the lowest indices."""
    import numpy as np

    from rreview.analyze import cluster
    from test_analyses import reference_average_linkage

    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 160))
    points = rng.normal(size=(n, 3))
    sim = points @ points.T / 3
    if seed % 2:  # coarse values: many exact ties
        sim = np.round(sim * 4) / 4
    expected = reference_average_linkage(sim.tolist(), 0.05)
    monkeypatch.setattr(cluster, "COMPACT_FROM", 4)
    compacted: list[int] = []
    real = cluster._compacted

    def counted(*args: Any) -> Any:
        compacted.append(1)
        return real(*args)

    monkeypatch.setattr(cluster, "_compacted", counted)
    assert cluster.average_linkage(sim, 0.05) == expected
    assert len(compacted) >= 2


def test_a_repeated_question_reads_no_facts_and_new_wording_is_shown(
    own_log: Path, grouped: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rreview.report.analyses import bugs as report
    from rreview.retrieve.session import Session

    read = count_calls(monkeypatch, Session, "facts")
    first = _ask(own_log)
    assert read and len(grouped) == 1
    read.clear()
    assert _ask(own_log) == first
    assert not read  # the sections themselves were read back
    # other report code: the sections are made again, from the families kept
    stamp = cache.analysis_stamp
    monkeypatch.setattr(
        cache, "analysis_stamp", lambda *code: stamp(*code) + ("new" if code else "")
    )
    monkeypatch.setattr(
        report, "bugs_sections", lambda families: [report.ReportSection("Reworded", ())]
    )
    reworded = _ask(own_log)
    assert reworded["sections"][0]["title"] == "Reworded"
    assert len(grouped) == 1


def test_the_vocabulary_up_to_a_day_is_a_count_of_the_items_up_to_it(tmp_path: Path) -> None:
    import dataclasses
    from datetime import date, timedelta
    from types import SimpleNamespace

    from rreview.analyze import terms
    from rreview.store.sync import load_log

    log = tmp_path / "log"
    shutil.copytree(EXAMPLE_LOG, log)
    snapshot = load_log(log)
    # one entry whose later items are dated the next day (as a range entry's may be)
    key = next(k for k in snapshot.entries if k.startswith("2026-11-18"))
    facts = dict(snapshot.facts_by_entry)
    half = len(facts[key]) // 2
    facts[key] = [
        f
        if n < half
        else dataclasses.replace(
            f, item=dataclasses.replace(f.item, date=f.item.date + timedelta(days=1))
        )
        for n, f in enumerate(facts[key])
    ]
    shaped = SimpleNamespace(entries=snapshot.entries, heads=snapshot.heads, facts_by_entry=facts)
    every = [f for k in snapshot.entries for f in facts[k]]
    for until in (date(2026, 11, 18), date(2026, 11, 19), date(2026, 10, 30), date(2000, 1, 1)):
        found = cache.log_vocabulary(shaped, tmp_path / "analyses", until=until)  # type: ignore[arg-type]
        expected = terms.vocabulary(f.item.text for f in every if f.item.date <= until)
        assert found == expected, until
        assert list(found.surface.items()) == list(expected.surface.items())
    assert found.documents == 0  # nothing before 2000
    whole = cache.log_vocabulary(shaped, tmp_path / "analyses")  # type: ignore[arg-type]
    assert whole.documents == len(every)
