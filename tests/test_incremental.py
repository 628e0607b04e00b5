"""Incremental indexing at scale: after editing one day of a year of log, only that day is
extracted and embedded, and the vector store is written for that day alone. Counts only:
the timings live in benchmarks/run.py."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks.synthlog import write_log

from rreview.paths import index_dir
from rreview.store.embed import Embedder
from rreview.store.sync import FACTS_CACHE, LazyFacts, load_log, sync_index
from rreview.store.vectors import open_vectors


class HashEmbedder(Embedder):
    """Deterministic unit vectors from a hash of each text: the counting is what is tested
    here, and a year of log through the real model would take a minute."""

    def __init__(self) -> None:
        super().__init__(backend="torch")
        self.calls: list[int] = []

    def encode_array(self, texts: Sequence[str]) -> Any:
        self.calls.append(len(texts))
        self.texts_embedded += len(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            row = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
            rows.append(row / np.linalg.norm(row))
        return np.stack(rows) if rows else np.zeros((0, 384), dtype=np.float32)


def test_editing_one_day_of_a_year_embeds_only_that_day(tmp_path: Path) -> None:
    log = tmp_path / "year"
    size = write_log(log, days=365, items_per_day=9, seed=3)
    embedder = HashEmbedder()

    first = sync_index(load_log(log), index_dir(log), embedder)

    assert first.new == 365 and first.items_embedded == size.items == 365 * 9
    assert sum(embedder.calls) == size.items and len(embedder.calls) == 2  # chunks, not days
    untouched = load_log(log)
    nothing = sync_index(untouched, index_dir(log), embedder)
    assert (nothing.unchanged, nothing.items_embedded) == (365, 0)
    assert isinstance(untouched.facts_by_entry, LazyFacts)
    assert untouched.facts_by_entry.extracted == 0  # hashes alone decided

    page = log / "2026-06-01.md"
    page.write_text(page.read_text() + "- reran the sweep after the node fix #training\n")
    embedder.calls.clear()
    snapshot = load_log(log)
    again = sync_index(snapshot, index_dir(log), embedder)

    key = "2026-06-01.md#2026-06-01"
    assert (again.changed, again.unchanged, again.new, again.removed) == (1, 364, 0, 0)
    assert again.items_embedded == len(snapshot.facts_by_entry[key]) == 10
    assert embedder.calls == [10]
    assert isinstance(snapshot.facts_by_entry, LazyFacts)
    assert snapshot.facts_by_entry.extracted == 1
    with open_vectors(index_dir(log)) as store:
        assert store.count() == size.items + 1
        stored = store.collection.get(where={"entry": key}, include=["documents"])
    assert len(stored["ids"]) == 10
    assert "reran the sweep after the node fix #training" in stored["documents"]


def test_the_generator_is_deterministic_and_varied(tmp_path: Path) -> None:
    one = write_log(tmp_path / "a", days=30, items_per_day=19, seed=11)
    two = write_log(tmp_path / "b", days=30, items_per_day=19, seed=11)
    other = write_log(tmp_path / "c", days=30, items_per_day=19, seed=12)

    pages = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(pages) == 30 == one.days and one == two
    assert all(
        (tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in pages
    )
    assert any(
        (tmp_path / "a" / p).read_bytes() != (tmp_path / "c" / p).read_bytes() for p in pages
    )
    assert other.items == one.items == 30 * 19
    facts = load_log(tmp_path / "a").facts
    assert len(facts) == one.items
    assert sum(f.is_bug for f in facts) >= 10
    assert sum(f.estimate_hours is not None and f.actual_hours is not None for f in facts) >= 50
    assert sum(f.prediction is not None for f in facts) >= 10
    assert sum(f.is_todo for f in facts) >= 90
    assert len({f.item.text for f in facts}) > 0.7 * len(facts)  # varied, with carried to-dos


def test_facts_are_read_back_from_the_cache_for_unchanged_days(
    example_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_log(example_log)
    extracted = first.facts
    assert first.facts_by_entry.extracted_anew == 20
    cache = index_dir(example_log) / FACTS_CACHE
    assert cache.is_file()

    again = load_log(example_log)
    assert again.facts == extracted
    assert again.facts_by_entry.extracted_anew == 0

    page = example_log / "2026-11-18.md"
    key = "2026-11-18.md#2026-11-18"
    page.write_text(page.read_text() + "- checked the loader fix (took 1h) #infra\n")
    edited = load_log(example_log)
    facts = edited.facts
    assert edited.facts_by_entry.extracted_anew == 1
    assert any(
        f.item.text == "checked the loader fix (took 1h) #infra" and f.actual_hours == 1.0
        for f in facts
    )

    monkeypatch.setattr("rreview.store.sync._code_stamp", lambda: "another rreview")
    newer_code = load_log(example_log)
    assert newer_code.facts == facts
    assert newer_code.facts_by_entry.extracted_anew == 20

    sync_index(load_log(example_log), index_dir(example_log), HashEmbedder())
    page.write_text(page.read_text() + "- and once more\n")
    reindexed = load_log(example_log)
    stats = sync_index(reindexed, index_dir(example_log), HashEmbedder())
    assert (stats.changed, stats.items_embedded) == (1, len(reindexed.facts_by_entry.fresh(key)))
    assert not reindexed.facts_by_entry.cache_loaded  # re-embedding an edited day needs no cache


def test_a_damaged_cache_is_ignored(example_log: Path) -> None:
    expected = load_log(example_log).facts
    cache = index_dir(example_log) / FACTS_CACHE
    cache.write_bytes(b"not a pickle")

    snapshot = load_log(example_log)

    assert snapshot.facts == expected
    assert snapshot.facts_by_entry.extracted_anew == 20


def _cached_blobs(cache: Path) -> dict[str, bytes]:
    with cache.open("rb") as fh:
        _, blobs = pickle.load(fh)
    return blobs


def test_after_an_edit_the_facts_cache_is_rewritten_with_that_day_alone_pickled_again(
    example_log: Path,
) -> None:
    load_log(example_log).facts  # noqa: B018 - every entry asked for: the cache is written
    cache = index_dir(example_log) / FACTS_CACHE
    before = _cached_blobs(cache)

    page = example_log / "2026-11-18.md"
    page.write_text(page.read_text() + "- checked the loader fix (took 1h) #infra\n")
    edited = load_log(example_log)
    facts = edited.facts
    after = _cached_blobs(cache)

    assert edited.facts_by_entry.extracted_anew == 1
    assert len(after) == len(before) == 20
    new = [key for key in after if key not in before]
    assert len(new) == 1 and new[0].startswith("2026-11-18.md#2026-11-18|")
    assert all(after[key] == before[key] for key in after if key in before)
    assert load_log(example_log).facts == facts


def test_a_facts_cache_of_the_former_layout_is_ignored(example_log: Path) -> None:
    expected = load_log(example_log).facts
    cache = index_dir(example_log) / FACTS_CACHE
    with cache.open("rb") as fh:
        stamp, blobs = pickle.load(fh)
    old_layout = {key: pickle.loads(blob) for key, blob in blobs.items()}  # lists, not bytes
    with cache.open("wb") as fh:
        pickle.dump((stamp.split("|", 1)[1], old_layout), fh)

    snapshot = load_log(example_log)

    assert snapshot.facts == expected
    assert snapshot.facts_by_entry.extracted_anew == 20


def test_facts_cache_of_a_log_copied_elsewhere_points_at_the_copy(tmp_path: Path) -> None:
    """An index copied beside a copy of its log: the facts read back name the copy's files."""
    import shutil

    from conftest import EXAMPLE_LOG
    from rreview.paths import index_dir
    from rreview.store.sync import load_log

    first = tmp_path / "first"
    shutil.copytree(EXAMPLE_LOG, first)
    assert load_log(first).facts  # extracts everything and writes the facts cache
    second = tmp_path / "second"
    shutil.copytree(first, second)
    shutil.copytree(index_dir(first), index_dir(second))

    files = {f.item.file for f in load_log(second).facts}
    assert files and all(Path(f).is_relative_to(second) for f in files)
