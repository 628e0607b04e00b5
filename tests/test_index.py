"""The incremental index: SQLite facts + Chroma vectors, kept in step by content hash."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rreview.cli.main import app
from rreview.paths import index_dir
from rreview.store.facts import FactStore, item_ids
from rreview.store.sync import LogSnapshot, SyncStats, load_log, sync_index
from rreview.store.vectors import VectorStore, open_vectors


def sync(log: Path, embedder) -> tuple[LogSnapshot, SyncStats]:
    snapshot = load_log(log)
    return snapshot, sync_index(snapshot, index_dir(log), embedder)


def vector_count(log: Path) -> int:
    with open_vectors(index_dir(log)) as store:
        return store.count()


def sqlite_rows(log: Path, query: str, *params: object) -> list[tuple]:
    db = sqlite3.connect(index_dir(log) / "facts.sqlite")
    try:
        return db.execute(query, params).fetchall()
    finally:
        db.close()


def sqlite_count(log: Path, table: str) -> int:
    store = FactStore(index_dir(log) / "facts.sqlite")
    try:
        return store.count(table)
    finally:
        store.close()


def vector_entry(log: Path, key: str) -> dict:
    """Chroma's ids, documents and metadata of one entry, found by the `entry` metadata."""
    with open_vectors(index_dir(log)) as store:
        return store.collection.get(where={"entry": key}, include=["metadatas", "documents"])


NEW_LINE = "reran the eval on the fixed node #eval"


def edit_one_day(log: Path, day: str = "2026-11-18") -> None:
    """Add a line to one day's page (how every edit in these tests is made)."""
    page = log / f"{day}.md"
    page.write_text(page.read_text() + f"- {NEW_LINE}\n")


def entry_key(snapshot: LogSnapshot, day: str) -> str:
    (key,) = [k for k, e in snapshot.entries.items() if e.date.isoformat() == day]
    return key


def single_file_log(example_log: Path) -> Path:
    """The example log as one file of `# YYYY-MM-DD` days."""
    target = example_log.parent / "single.md"
    pages = sorted(example_log.glob("*.md"))
    target.write_text("\n".join(p.read_text(encoding="utf-8") for p in pages))
    return target


def assert_in_step(log: Path, snapshot: LogSnapshot) -> None:
    """SQLite and Chroma hold exactly the snapshot's items."""
    assert sqlite_count(log, "entries") == len(snapshot.entries)
    assert sqlite_count(log, "items") == len(snapshot.facts)
    assert vector_count(log) == len(snapshot.facts)


def test_first_run_embeds_every_entry(example_log: Path, embedder) -> None:
    before = embedder.texts_embedded

    snapshot, stats = sync(example_log, embedder)

    assert len(snapshot.entries) == 20
    assert stats.entries == stats.new == 20
    assert (stats.changed, stats.moved, stats.removed, stats.unchanged) == (0, 0, 0, 0)
    assert stats.items_embedded == len(snapshot.facts) > 100
    assert embedder.texts_embedded - before == len(snapshot.facts)
    assert_in_step(example_log, snapshot)


def test_second_run_embeds_nothing(example_log: Path, embedder) -> None:
    sync(example_log, embedder)
    before = embedder.texts_embedded

    snapshot, stats = sync(example_log, embedder)

    assert stats.unchanged == stats.entries == 20
    assert not stats.touched and stats.items_embedded == 0
    assert embedder.texts_embedded == before
    assert_in_step(example_log, snapshot)


def test_editing_one_day_re_embeds_only_that_day(example_log: Path, embedder) -> None:
    sync(example_log, embedder)
    edit_one_day(example_log)
    before = embedder.texts_embedded

    snapshot, stats = sync(example_log, embedder)

    key = entry_key(snapshot, "2026-11-18")
    day_items = len(snapshot.facts_by_entry[key])
    assert (stats.changed, stats.new, stats.removed, stats.unchanged) == (1, 0, 0, 19)
    assert stats.items_embedded == day_items
    assert embedder.texts_embedded - before == day_items
    stored = vector_entry(example_log, key)
    assert len(stored["ids"]) == day_items
    assert NEW_LINE in stored["documents"]
    assert_in_step(example_log, snapshot)


def test_an_edited_day_gets_the_vectors_of_its_own_items(example_log: Path, embedder) -> None:
    """Each stored vector is its own item's, in the order of the entry's items."""
    sync(example_log, embedder)
    edit_one_day(example_log)

    snapshot, _ = sync(example_log, embedder)

    key = entry_key(snapshot, "2026-11-18")
    texts = [f.item.text for f in snapshot.facts_by_entry[key]]
    ids = item_ids(key, len(texts))
    with open_vectors(index_dir(example_log)) as store:
        got = store.collection.get(ids=ids, include=["embeddings", "documents"])
    row = {item_id: n for n, item_id in enumerate(got["ids"])}
    stored = np.array([got["embeddings"][row[i]] for i in ids])
    assert [got["documents"][row[i]] for i in ids] == texts
    expected = embedder.encode_array(texts)
    assert float((stored * expected).sum(axis=1).min()) >= 0.9999


def test_removing_items_from_a_day_drops_their_vectors(example_log: Path, embedder) -> None:
    sync(example_log, embedder)
    page = example_log / "2026-11-18.md"
    page.write_text("# 2026-11-18\n## What was done\n- only this is left\n")

    snapshot, stats = sync(example_log, embedder)

    key = entry_key(snapshot, "2026-11-18")
    assert stats.changed == 1 and stats.items_embedded == 1
    assert vector_entry(example_log, key)["documents"] == ["only this is left"]
    assert_in_step(example_log, snapshot)


def test_deleting_a_day_removes_it_from_both_stores(example_log: Path, embedder) -> None:
    first, _ = sync(example_log, embedder)
    key = entry_key(first, "2026-11-18")
    assert vector_entry(example_log, key)["ids"]
    (example_log / "2026-11-18.md").unlink()
    before = embedder.texts_embedded

    snapshot, stats = sync(example_log, embedder)

    assert (stats.removed, stats.unchanged, stats.new, stats.changed) == (1, 19, 0, 0)
    assert embedder.texts_embedded == before
    assert vector_entry(example_log, key)["ids"] == []
    assert sqlite_rows(example_log, "select * from entries where key = ?", key) == []
    assert sqlite_rows(example_log, "select * from items where entry_key = ?", key) == []
    assert sqlite_rows(example_log, "select count(*) from items where date = ?", "2026-11-18") == [
        (0,)
    ]
    assert_in_step(example_log, snapshot)


def test_a_line_inserted_in_a_single_file_log_moves_later_days(example_log: Path, embedder) -> None:
    log = single_file_log(example_log)
    first, _ = sync(log, embedder)
    assert len(first.entries) == 20
    lines = log.read_text().split("\n")
    heading = lines.index("# 2026-10-28")
    lines.insert(heading + 1, "Slept badly; short day.")
    log.write_text("\n".join(lines))
    before = embedder.texts_embedded

    snapshot, stats = sync(log, embedder)

    edited = entry_key(snapshot, "2026-10-28")
    later = [k for k, e in snapshot.entries.items() if e.date.isoformat() > "2026-10-28"]
    assert (stats.changed, stats.moved, stats.unchanged) == (1, len(later), 2)
    assert stats.new == stats.removed == 0
    assert stats.items_embedded == len(snapshot.facts_by_entry[edited])
    assert embedder.texts_embedded - before == stats.items_embedded
    for key in later:
        entry = snapshot.entries[key]
        assert entry.line == first.entries[key].line + 1
        rows = sqlite_rows(log, "select line from entries where key = ?", key)
        assert rows == [(entry.line,)]
        expected = {f"{key}#{i}": f.item.line for i, f in enumerate(snapshot.facts_by_entry[key])}
        rows = sqlite_rows(log, "select id, line from items where entry_key = ?", key)
        assert dict(rows) == expected
        chroma = vector_entry(log, key)
        lines_in_chroma = {
            i: m["line"] for i, m in zip(chroma["ids"], chroma["metadatas"], strict=True)
        }
        assert lines_in_chroma == expected
    assert_in_step(log, snapshot)


def test_deleting_the_index_rebuilds_it(example_log: Path, embedder) -> None:
    sync(example_log, embedder)
    shutil.rmtree(index_dir(example_log))

    snapshot, stats = sync(example_log, embedder)

    assert stats.new == stats.entries == 20
    assert stats.items_embedded == len(snapshot.facts)
    assert_in_step(example_log, snapshot)


@pytest.mark.parametrize("lost", ["chroma", "facts.sqlite"])
def test_losing_half_of_the_index_rebuilds_it(example_log: Path, embedder, lost: str) -> None:
    sync(example_log, embedder)
    (example_log / "2026-11-18.md").unlink()  # a day that leaves while half the index is gone
    target = index_dir(example_log) / lost
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()

    snapshot, stats = sync(example_log, embedder)

    assert stats.new == stats.entries == 19
    assert stats.items_embedded == len(snapshot.facts)
    assert_in_step(example_log, snapshot)


def test_vector_query_finds_the_item_with_its_place(example_log: Path, embedder) -> None:
    sync(example_log, embedder)
    (query,) = embedder.encode(["dataloader hang bus error"])

    with open_vectors(index_dir(example_log)) as store:
        hits = store.query(query, k=3)

    found = [h for h in hits if "Bus error" in h.text]
    assert found, [h.text for h in hits]
    meta = found[0].metadata
    assert meta["date"] == "2026-11-18"
    assert meta["file"] == str(example_log / "2026-11-18.md")
    assert meta["line"] == 10
    assert meta["entry"] == "2026-11-18.md#2026-11-18"
    assert (example_log / "2026-11-18.md").read_text().split("\n")[9].endswith(found[0].text)


def test_index_command_verbose(example_log: Path, embedder) -> None:
    result = CliRunner().invoke(app, ["index", "-v", "--log", str(example_log)])

    assert result.exit_code == 0, result.stderr
    assert f"read {example_log} as 'native'" in result.stderr
    assert "index: 20 entries (20 new, 0 changed, 0 moved, 0 removed, 0 unchanged)" in (
        result.stderr
    )
    assert f"index at {index_dir(example_log)}" in result.stderr

    assert "wait in facts.sqlite" not in result.stderr  # a first run writes Chroma itself

    again = CliRunner().invoke(app, ["index", "--log", str(example_log), "--json"])

    assert again.exit_code == 0, again.stderr
    assert '"unchanged": 20' in again.stdout and '"items_embedded": 0' in again.stdout

    edit_one_day(example_log)
    edited = CliRunner().invoke(app, ["index", "-v", "--log", str(example_log)])

    assert edited.exit_code == 0, edited.stderr
    waiting = journal_rows(example_log)
    assert waiting > 0
    assert f"{waiting} vector writes wait in facts.sqlite for the Chroma store" in edited.stderr


def test_index_command_without_log_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["index"])
    assert result.exit_code == 2 and "no log set" in result.stderr


def test_rebuild_reads_the_log_afresh_and_keeps_its_parse_cache(
    example_log: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rreview.log.parse_cache.RACY_NS", 0)  # the copied pages are settled
    sync(example_log, embedder)
    assert load_log(example_log).files_parsed == 0  # the first read was cached

    result = CliRunner().invoke(app, ["index", "--rebuild", "--log", str(example_log), "--json"])

    assert result.exit_code == 0, result.stderr
    assert '"new": 20' in result.stdout
    assert (index_dir(example_log) / "parse-cache.pickle").exists()
    assert load_log(example_log).files_parsed == 0


# The journal: a small update leaves Chroma alone; its vectors wait in the facts database
# until the embedded store is next opened (store/journal.py).


def journal_rows(log: Path) -> int:
    return sum(
        sqlite_rows(log, f"select count(*) from {table}")[0][0]
        for table in ("pending_entries", "pending_items", "pending_moves")
    )


def stored_documents(log: Path, key: str) -> list[str]:
    """What Chroma itself holds for an entry, read without writing the journal first."""
    with VectorStore(index_dir(log) / "chroma") as store:
        found = store.collection.get(where={"entry": key}, include=["documents"])
    return sorted(found["documents"])


def indexed_then_edited(log: Path, embedder) -> tuple[str, list[str]]:
    """Index the log, then edit one day: that day's key and what Chroma held for it."""
    first, _ = sync(log, embedder)
    key = entry_key(first, "2026-11-18")
    before = stored_documents(log, key)
    edit_one_day(log)
    return key, before


def test_a_small_update_waits_in_the_journal_until_the_store_is_read(
    example_log: Path, embedder
) -> None:
    key, before = indexed_then_edited(example_log, embedder)

    snapshot, stats = sync(example_log, embedder)

    assert stats.changed == 1 and stats.items_embedded == len(snapshot.facts_by_entry[key])
    assert stats.waiting == journal_rows(example_log) > 0
    assert stored_documents(example_log, key) == before  # Chroma not touched yet
    assert sqlite_count(example_log, "items") == len(snapshot.facts)  # the facts are

    after = vector_entry(example_log, key)  # opening the store writes the journal first

    assert NEW_LINE in after["documents"]
    assert len(after["ids"]) == len(snapshot.facts_by_entry[key])
    assert journal_rows(example_log) == 0
    assert_in_step(example_log, snapshot)


def test_an_update_of_one_day_imports_no_chromadb(example_log: Path, embedder) -> None:
    first = CliRunner().invoke(app, ["index", "--log", str(example_log)])
    assert first.exit_code == 0, first.stderr
    edit_one_day(example_log)
    code = (
        "import json, sys\n"
        "from rreview.cli.main import run\n"
        f"sys.argv = ['rreview', 'index', '--json', '--log', {str(example_log)!r}]\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m for m in ('chromadb', 'torch') if m in sys.modules)))\n"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    *report, imported = done.stdout.strip().split("\n")
    assert '"changed": 1' in "\n".join(report)
    assert json.loads(imported) == []


def test_a_full_journal_is_written_into_the_store_before_the_update(
    example_log: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = sync(example_log, embedder)
    edit_one_day(example_log)
    sync(example_log, embedder)
    assert journal_rows(example_log) > 0
    monkeypatch.setattr("rreview.store.sync.JOURNAL_AT_MOST", 1)  # it is full now
    (example_log / "2026-11-17.md").unlink()

    snapshot, stats = sync(example_log, embedder)

    assert stats.removed == 1 and stats.waiting == 0 == journal_rows(example_log)
    key = entry_key(snapshot, "2026-11-18")
    assert NEW_LINE in stored_documents(example_log, key)
    gone = entry_key(first, "2026-11-17")
    assert stored_documents(example_log, gone) == []
    assert_in_step(example_log, snapshot)


def test_a_reader_does_not_wait_for_an_index_run_holding_the_lock(
    example_log: Path, embedder
) -> None:
    from filelock import FileLock

    key, before = indexed_then_edited(example_log, embedder)
    sync(example_log, embedder)

    with FileLock(str(index_dir(example_log) / "index.lock")):
        assert sorted(vector_entry(example_log, key)["documents"]) == before
    assert journal_rows(example_log) > 0  # left for the next reader

    assert NEW_LINE in vector_entry(example_log, key)["documents"]
    assert journal_rows(example_log) == 0


def test_a_deleted_store_takes_the_journal_with_it(example_log: Path, embedder) -> None:
    sync(example_log, embedder)
    edit_one_day(example_log)
    sync(example_log, embedder)
    shutil.rmtree(index_dir(example_log) / "chroma")

    snapshot, stats = sync(example_log, embedder)

    assert stats.new == stats.entries == 20 and stats.waiting == 0
    assert journal_rows(example_log) == 0
    assert_in_step(example_log, snapshot)


def test_the_question_corpus_takes_a_new_day_s_vectors_from_the_journal(
    example_log: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rreview.retrieve.corpus import corpus_home, corpus_state, load_corpus
    from rreview.store.embed import Embedder

    first = CliRunner().invoke(app, ["index", "--log", str(example_log)])
    assert first.exit_code == 0, first.stderr
    edit_one_day(example_log)
    embedded: list[str] = []
    encode_array = Embedder.encode_array

    def counting(self: Embedder, texts: list[str]) -> object:
        embedded.extend(texts)
        return encode_array(self, texts)

    monkeypatch.setattr(Embedder, "encode_array", counting)

    again = CliRunner().invoke(app, ["index", "--log", str(example_log), "--json"])

    assert again.exit_code == 0, again.stderr
    snapshot = load_log(example_log)
    key = entry_key(snapshot, "2026-11-18")
    texts = [f.item.text for f in snapshot.facts_by_entry[key]]
    assert sorted(embedded) == sorted(texts)  # once, by the index run; not again by the corpus
    corpus = load_corpus(corpus_home(index_dir(example_log)) / corpus_state(snapshot))
    try:
        ids = item_ids(key, len(texts))
        positions = corpus.positions(ids)
        assert corpus.vectors is not None and set(positions) == set(ids)
        copied = np.array([corpus.vectors[positions[i]] for i in ids], dtype=np.float32)
    finally:
        corpus.close()
    assert float((copied * embedder.encode_array(texts)).sum(axis=1).min()) >= 0.9999
