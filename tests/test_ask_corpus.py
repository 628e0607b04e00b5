"""`ask` at speed: the retrieval corpus kept beside the index (word index, item table, a copy
of the vectors) and the session a process keeps between questions, checked for what could go
wrong with them: stale answers after an edit, vectors that differ from the index's, scores
that differ from bm25s, heavy imports on the question path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from indexed_log import EXAMPLE_LOG, prebuilt_index  # noqa: F401
from rreview.cli.main import app
from rreview.paths import index_dir
from rreview.retrieve.corpus import (
    BASE,
    FOLDER,
    Corpus,
    LayeredCorpus,
    load_corpus,
    open_corpus,
    take_rows,
)
from rreview.retrieve.hybrid import tokenize
from rreview.retrieve.lexical import LexicalIndex
from rreview.store.sync import load_log
from rreview.store.vectors import open_vectors

runner = CliRunner()
QUESTION = "when did run-0467 crash?"


def _ask(log: Path, question: str, *extra: str) -> dict:  # type: ignore[type-arg]
    args = ["ask", question, "--log", str(log), "--json", "--today", "2026-11-23", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _corpora(log: Path) -> list[Path]:
    return sorted(p for p in (index_dir(log) / FOLDER).iterdir() if (p / "done").exists())


def _newest(log: Path) -> Path:
    return max(_corpora(log), key=lambda p: p.stat().st_mtime)


def _live_rows(corpus: Corpus) -> list[tuple[int, str]]:
    """(position, id) of every row a search may return, in position order."""
    rows = list(corpus.db.execute("select pos, id from items"))
    if isinstance(corpus, LayeredCorpus):
        rows = [r for r in rows if r[0] not in corpus.dead_rows]
        rows += list(corpus.layer_db.execute("select pos, id from items"))
    return sorted(rows)


def test_a_second_question_reuses_the_session_and_an_edit_is_seen(own_log: Path) -> None:
    first = _ask(own_log, QUESTION)
    kept = runner.invoke(
        app, ["ask", QUESTION, "--log", str(own_log), "--json", "--today", "2026-11-23", "-v"]
    )
    assert kept.exit_code == 0
    assert "unchanged since the last question" in kept.stderr
    assert json.loads(kept.stdout)["evidence"] == first["evidence"]

    page = own_log / "2026-11-20.md"
    page.write_text(page.read_text() + "- zygomorphic flux capacitor failed again #bug\n")
    edited = _ask(own_log, "zygomorphic flux capacitor")
    assert edited["evidence"][0]["date"] == "2026-11-20"
    assert "zygomorphic" in edited["evidence"][0]["text"]
    # the edit is an overlay on the full build (nothing of the earlier state but that)
    full, overlay = sorted(_corpora(own_log), key=lambda p: (p / BASE).exists())
    assert (overlay / BASE).read_text() == full.name and not (full / BASE).exists()


def test_the_vector_copy_is_the_index_s_vectors_row_for_row(own_log: Path) -> None:
    _ask(own_log, QUESTION)
    page = own_log / "2026-11-18.md"  # one day edited: the others' vectors are copied over
    page.write_text(page.read_text() + "- a new line about tokenizer padding\n")
    _ask(own_log, QUESTION)
    corpus = load_corpus(_newest(own_log))
    assert isinstance(corpus, LayeredCorpus)  # the edited day is an overlay
    rows = _live_rows(corpus)
    ids = [item_id for _, item_id in rows]
    assert corpus.vectors is not None and len(corpus.vectors) == corpus.size
    assert len(ids) == int(corpus.alive.sum()) < corpus.size  # the edited day's old rows died
    with open_vectors(index_dir(own_log)) as store:
        stored = store.get_embeddings(ids)
    assert set(stored) == set(ids)
    expected = np.array([stored[i][0] for i in ids], dtype=np.float32)
    copied = np.array([corpus.vectors[pos] for pos, _ in rows], dtype=np.float32)
    assert np.allclose(copied, expected, atol=1e-6)
    positions = [pos for pos, _ in rows][::-1]  # both layers, out of order, in one read
    assert np.array_equal(
        take_rows(corpus.vectors, positions), np.array([corpus.vectors[p] for p in positions])
    )
    corpus.close()


def test_an_overlay_answers_as_a_full_build_of_the_same_log(own_log: Path) -> None:
    """Edited, deleted and new days after a full build: the overlay's answers are those of a
    corpus built in full from the same log (its best items), and a deleted day's items are
    never returned."""
    from rreview.retrieve.session import forget

    questions = [
        QUESTION,
        "zygomorphic flux capacitor",
        "dataloader hang bus error",
        "what did I do last week?",
        '"Bus error"',
        "reran with sdpa off",
    ]
    _ask(own_log, QUESTION)  # the full build
    page = own_log / "2026-11-20.md"
    page.write_text(page.read_text() + "- zygomorphic flux capacitor failed again #bug\n")
    deleted = own_log / "2026-11-18.md"
    gone = deleted.read_text()
    deleted.unlink()
    (own_log / "2026-11-21.md").write_text(
        "# 2026-11-21\n## What was done\n- reran run-0467 with sdpa off: no NaN #training\n"
    )
    layered = [_ask(own_log, q)["evidence"] for q in questions]
    assert (_newest(own_log) / BASE).exists()

    forget()
    shutil.rmtree(index_dir(own_log) / FOLDER)
    full = [_ask(own_log, q)["evidence"] for q in questions]
    assert not any((p / BASE).exists() for p in _corpora(own_log))

    def shown(evidence: list[dict]) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [(e["date"], e["text"]) for e in evidence]

    for question, a, b in zip(questions, layered, full, strict=True):
        # the same best items; further down, the word statistics the overlay keeps from the
        # full build (three of twenty days changed here: far more than a day of ten years)
        # may swap neighbours
        assert shown(a)[:5] == shown(b)[:5], question
        assert len(set(shown(a)) & set(shown(b))) >= len(b) - 2, question
        assert all(e["date"] != "2026-11-18" for e in a), question
    assert "Bus error" in gone  # the deleted day held the answer to the exact question
    assert shown(layered[1])[0] == ("2026-11-20", "zygomorphic flux capacitor failed again #bug")
    assert shown(layered[5])[0][0] == "2026-11-21"


def test_too_many_changed_items_make_a_full_build(
    own_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rreview.retrieve.corpus as corpus_module

    _ask(own_log, QUESTION)
    monkeypatch.setattr(corpus_module, "OVERLAY_MAX_ITEMS", 5)
    page = own_log / "2026-11-20.md"
    page.write_text(page.read_text() + "- zygomorphic flux capacitor failed again #bug\n")
    assert _ask(own_log, "zygomorphic flux capacitor")["evidence"][0]["date"] == "2026-11-20"
    (only,) = _corpora(own_log)
    assert not (only / BASE).exists()


def test_word_scores_are_bm25s_scores(prebuilt_index: Path) -> None:  # noqa: F811
    import bm25s

    snapshot = load_log(EXAMPLE_LOG, cache=False)
    corpus = open_corpus(snapshot, prebuilt_index, prebuilt_index)
    texts = [row[0] for row in corpus.db.execute("select low from items order by pos")]
    reference = bm25s.BM25()
    reference.index([tokenize(t) or ["<empty>"] for t in texts], show_progress=False)
    for question in ("NaN loss fp16 overflow", "h5py workers fork", "run-0467 sdpa", "loss loss"):
        tokens = [t for t in tokenize(question) if t in reference.vocab_dict]
        assert tokens
        ours = corpus.lexical.scores(tokens)
        assert np.allclose(ours, reference.get_scores(tokens), atol=1e-6)
        assert (ours > 0).any()
    assert corpus.lexical.doc_freq("nan") == sum("nan" in tokenize(t) for t in texts) > 0
    corpus.close()


def test_lexical_index_round_trips_through_its_files(tmp_path: Path) -> None:
    built = LexicalIndex.build([["a", "b", "b"], ["b", "c"], ["<empty>"]])
    built.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, 3)
    assert np.array_equal(loaded.scores(["b", "c", "zzz"]), built.scores(["b", "c", "zzz"]))
    assert loaded.doc_freq("b") == 2 and loaded.doc_freq("zzz") == 0 and "zzz" not in loaded


def test_a_question_imports_no_chromadb_bm25s_or_torch(own_log: Path) -> None:
    _ask(own_log, QUESTION)  # builds the corpus (that may import them)
    code = (
        "import sys\n"
        "from rreview.cli.main import app\n"
        "try:\n"
        f"    app(['ask', {QUESTION!r}, '--log', {str(own_log)!r}, '--offline'])\n"
        "except SystemExit as stop:\n"
        "    assert stop.code in (0, None), stop.code\n"
        "heavy = ('chromadb', 'bm25s', 'scipy', 'torch', 'sentence_transformers')\n"
        "print('HEAVY=' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True
    ).stdout
    assert "run-0467" in out
    assert out.strip().splitlines()[-1] == "HEAVY="


def test_a_deleted_corpus_is_built_again(own_log: Path) -> None:
    first = _ask(own_log, "which sweep used the wrong hydra config path?")
    from rreview.retrieve.session import forget

    forget()
    shutil.rmtree(index_dir(own_log) / FOLDER)
    again = _ask(own_log, "which sweep used the wrong hydra config path?")
    assert again["evidence"] == first["evidence"]
    assert len(_corpora(own_log)) == 1


@pytest.mark.parametrize(
    "question",
    [
        "what broke in W46?",
        "what did I run two weeks ago",
        "three days ago",
        "errors on Friday",
        "what did I read in Sept",
        "what did I do in 2025",
        "notes from the 3rd of March",
        "since 2026-09-01",
        "what happened this year",
        "between Oct 1 and Oct 5",
        "yesterday's runs",
        "in December",
        "the last 2 months",
    ],
)
def test_questions_naming_a_date_pass_the_quick_check(question: str) -> None:
    """Questions without a date skip the date rules; every phrase they read must pass."""
    from datetime import date

    from rreview.retrieve.when import parse_when

    assert parse_when(question, date(2026, 11, 23)).range is not None, question


def test_index_builds_the_corpus_the_next_question_uses(own_log: Path) -> None:
    """`rreview index` leaves the questions' corpus of the new state ready."""
    from rreview.retrieve.corpus import corpus_state

    page = own_log / "2026-11-19.md"
    page.write_text(page.read_text() + "- zygomorphic flux capacitor failed again #bug\n")
    result = runner.invoke(app, ["index", "--log", str(own_log)])
    assert result.exit_code == 0, result.stderr

    state = corpus_state(load_log(own_log))
    assert (index_dir(own_log) / FOLDER / state / "done").exists()
    built = {p: p.stat().st_mtime_ns for p in _corpora(own_log)}
    assert _ask(own_log, "zygomorphic flux capacitor")["evidence"][0]["date"] == "2026-11-19"
    assert {p: p.stat().st_mtime_ns for p in _corpora(own_log)} == built  # nothing rebuilt
