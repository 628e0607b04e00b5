"""Fixtures for tests that query the example log: its index is built once per module and
copied into each test's own RREVIEW_HOME (so `ask` finds it and embeds nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_LOG = ROOT / "examples" / "research-log"


def build_index(log: Path, target: Path, embedder: object) -> Path:
    """Index `log` into `target` with the session's embedder."""
    from rreview.store.sync import load_log, sync_index

    sync_index(load_log(log), target, embedder)  # type: ignore[arg-type]
    return target


@pytest.fixture(scope="module")
def prebuilt_index(tmp_path_factory: pytest.TempPathFactory, embedder: object) -> Path:
    """The example log's index, built once per module."""
    return build_index(EXAMPLE_LOG, tmp_path_factory.mktemp("index") / "example", embedder)


@pytest.fixture
def indexed_log(prebuilt_index: Path, isolated_home: Path) -> Path:
    """The example log, with its index already in this test's RREVIEW_HOME."""
    from rreview.paths import index_dir

    shutil.copytree(prebuilt_index, index_dir(EXAMPLE_LOG))
    return EXAMPLE_LOG


@pytest.fixture
def own_log(tmp_path: Path, prebuilt_index: Path) -> Path:
    """A private copy of the example log (tests may edit it) with its index in this test's
    RREVIEW_HOME, and no question session kept from another test."""
    from rreview.paths import index_dir
    from rreview.retrieve.session import forget

    log = tmp_path / "log"
    shutil.copytree(EXAMPLE_LOG, log)
    shutil.copytree(prebuilt_index, index_dir(log))
    forget()
    return log
