"""Shared fixtures: every test gets its own RREVIEW_HOME and no user config or keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ("indexed_log",)  # the example log's index built once per module, copied per test

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_LOG = ROOT / "examples" / "research-log"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def models_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of exported models (the ONNX copy of MiniLM) for the whole session: made
    once, by the first test that loads sentence-transformers, instead of once per test."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models_home: Path) -> Path:
    """Point all rreview data and config at a temporary folder; drop keys and log settings."""
    home = tmp_path / "rreview-home"
    monkeypatch.setenv("RREVIEW_HOME", str(home))
    monkeypatch.setenv("RREVIEW_MODELS", str(models_home))
    monkeypatch.setenv("RREVIEW_CONFIG", str(tmp_path / "config" / "config.toml"))
    for name in (
        "RREVIEW_LOG",
        "RREVIEW_ENGINE",
        "RREVIEW_MODEL",
        "RREVIEW_DEBUG",
        "RREVIEW_STORE",
        "RREVIEW_COLLECTION",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def example_log(tmp_path: Path) -> Path:
    """A private copy of the bundled example log (tests may edit it)."""
    target = tmp_path / "research-log"
    shutil.copytree(EXAMPLE_LOG, target)
    return target


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2 embedder; the model itself loads once per test session."""
    from rreview.store.embed import Embedder

    return Embedder()
