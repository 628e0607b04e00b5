"""Where `week`, `bugs`, `focus`, `ideas` and `email` get item vectors: from the question
corpus' copy of the index (memory-mapped, no chromadb) for the embedded store, from the Chroma
server in team mode. Checked: the vectors are the index's, an edit made since the last
`rreview index` is seen, and chromadb is never imported on these commands' path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from indexed_log import EXAMPLE_LOG, prebuilt_index  # noqa: F401
from rreview.analyze.vectors import (
    IndexedVectors,
    LogVectors,
    snapshot_item_ids,
    snapshot_vectors,
)
from rreview.cli.main import app
from rreview.config import StoreSettings
from rreview.paths import index_dir
from rreview.retrieve.corpus import FOLDER, CorpusVectors, corpus_state
from rreview.store.sync import load_log
from rreview.store.vectors import open_vectors

runner = CliRunner()
WEEK = ["--week", "2026-W47", "--offline"]


def test_the_vectors_are_the_index_s_read_from_the_corpus(own_log: Path) -> None:
    snapshot = load_log(own_log)
    facts = snapshot.facts
    ids = snapshot_item_ids(snapshot)
    with open_vectors(index_dir(own_log)) as store:
        stored = store.get_embeddings([ids[f.item.key] for f in facts])
    expected = np.array([stored[ids[f.item.key]][0] for f in facts], dtype=np.float32)
    with LogVectors(snapshot, index_dir(own_log)) as vectors:
        got = vectors.matrix(facts)
        assert isinstance(vectors.source, CorpusVectors)
    assert got.shape == expected.shape == (len(facts), expected.shape[1])
    assert np.allclose(got, expected, atol=1e-6)
    # the corpus of this state of the log was built (it holds the rows just read)
    assert (index_dir(own_log) / FOLDER / corpus_state(snapshot) / "done").exists()


def test_team_mode_reads_the_server_not_a_corpus(own_log: Path) -> None:
    def no_corpus() -> None:
        raise AssertionError("team mode opened a corpus")

    snapshot = load_log(own_log)
    team = StoreSettings(url="http://127.0.0.1:9")  # never contacted: nothing is read here
    source = snapshot_vectors(snapshot, index_dir(own_log), team, no_corpus)  # type: ignore[arg-type]
    assert isinstance(source, IndexedVectors)


def test_nothing_is_opened_until_a_vector_is_asked_for(own_log: Path) -> None:
    with LogVectors(load_log(own_log), index_dir(own_log)) as vectors:
        assert vectors.matrix([]).shape[0] == 0
    assert not (index_dir(own_log) / FOLDER).exists()


def test_week_sees_an_item_added_since_the_last_index(own_log: Path) -> None:
    """No `rreview index` in between: week refreshes the index and reads the vectors from
    the corpus of the log as it is now (built then), not from a stale one."""
    page = own_log / "2026-11-20.md"
    page.write_text(
        page.read_text() + "- Fixed NaN in loss again: fp16 overflow in the softmax #bug\n"
    )
    result = runner.invoke(app, ["week", "--log", str(own_log), *WEEK, "--json"])
    assert result.exit_code == 0, result.output
    snapshot = load_log(own_log)
    assert (index_dir(own_log) / FOLDER / corpus_state(snapshot) / "done").exists()
    assert "fp16 overflow in the softmax" in result.stdout


def test_the_analyses_import_no_chromadb(own_log: Path, tmp_path: Path) -> None:
    """week, bugs, focus, ideas and email in one process, after a first run built the
    corpus: none imports chromadb (~1.3 s) or the model."""
    first = runner.invoke(app, ["week", "--log", str(own_log), *WEEK])
    assert first.exit_code == 0, first.output
    log, mail = str(own_log), str(tmp_path / "week.eml")
    code = (
        "import sys\n"
        "from rreview.cli.main import app\n"
        "heavy = ('chromadb', 'torch', 'sentence_transformers')\n"
        f"for args in (['week', '--log', {log!r}, *{WEEK!r}], ['bugs', '--log', {log!r}],\n"
        f"             ['focus', '--log', {log!r}], ['ideas', '--log', {log!r}],\n"
        f"             ['email', '--log', {log!r}, '--week', '2026-W47', '--dry-run', {mail!r}]):\n"
        "    try:\n"
        "        app(args)\n"
        "    except SystemExit as stop:\n"
        "        assert stop.code in (0, None), (args, stop.code)\n"
        "    print(f'{args[0]} HEAVY=' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "RREVIEW_EMAIL_FROM": "me@example.org",
        "RREVIEW_EMAIL_TO": "me@example.org",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    lines = [line for line in out.splitlines() if " HEAVY=" in line]
    commands = ("week", "bugs", "focus", "ideas", "email")
    assert lines == [f"{c} HEAVY=" for c in commands], out[-2000:]
    assert "Bugs" in out and "run-0467" in out  # the commands did their work
    assert "run-0467" in (tmp_path / "week.eml").read_text()
