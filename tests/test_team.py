"""Team mode: the vectors on a real Chroma server (`chroma run`, started here on 127.0.0.1),
one collection per person, chosen by --store / RREVIEW_STORE / the config file."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_LOG
from rreview.cli.main import app
from rreview.config import StoreSettings, resolve_store
from rreview.errors import UsageError
from rreview.paths import index_dir
from rreview.store.embed import embed_query
from rreview.store.sync import load_log, state_dir, sync_index
from rreview.store.vectors import VectorStore, author

pytestmark = pytest.mark.slow
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on a free local port, for this module."""
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not start ({process.poll()})") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def small_log(tmp_path: Path) -> Path:
    """The week 2026-W47 of the example log (five days): enough to show every behaviour."""
    target = tmp_path / "week-log"
    target.mkdir()
    for day in range(16, 21):
        shutil.copy(EXAMPLE_LOG / f"2026-11-{day}.md", target / f"2026-11-{day}.md")
    return target


def server(url: str, collection: str | None = None) -> VectorStore:
    return VectorStore(store=StoreSettings(url=url, collection=collection))


def log_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_index_writes_the_vectors_to_the_server_only(
    chroma_server: str, small_log: Path, embedder
) -> None:
    result = runner.invoke(
        app,
        ["index", "--log", str(small_log), "--store", chroma_server, "--json"],
        env={"RREVIEW_COLLECTION": "ana-log"},
    )

    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["new"] == 5 and stats["store"] == f"{chroma_server} (collection ana-log)"
    items = len(load_log(small_log).facts)
    assert stats["items_embedded"] == items
    assert not (index_dir(small_log) / "chroma").exists()  # nothing embedded locally
    with server(chroma_server, "ana-log") as store:
        assert store.count() == items
        hits = store.query(embed_query("dataloader hang bus error"), k=3)
    assert any("Bus error" in hit.text for hit in hits)
    assert {hit.metadata["author"] for hit in hits} == {author()}

    again = runner.invoke(
        app,
        ["index", "--log", str(small_log), "--json"],
        env={"RREVIEW_STORE": chroma_server, "RREVIEW_COLLECTION": "ana-log"},
    )
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["items_embedded"] == 0


def test_editing_a_day_re_embeds_that_day_on_the_server(
    chroma_server: str, small_log: Path, embedder
) -> None:
    store = StoreSettings(url=chroma_server, collection="edit-test")
    sync_index(load_log(small_log), index_dir(small_log), embedder, store)
    page = small_log / "2026-11-18.md"
    page.write_text(page.read_text() + "- checked the loader fix on a100-07 #infra\n")
    before = embedder.texts_embedded

    snapshot = load_log(small_log)
    stats = sync_index(snapshot, index_dir(small_log), embedder, store)

    day = len(snapshot.facts_by_entry["2026-11-18.md#2026-11-18"])
    assert (stats.changed, stats.unchanged, stats.items_embedded) == (1, 4, day)
    assert embedder.texts_embedded - before == day
    with server(chroma_server, "edit-test") as vectors:
        assert vectors.count() == len(snapshot.facts)
        stored = vectors.collection.get(
            where={"entry": "2026-11-18.md#2026-11-18"}, include=["documents"]
        )
    assert "checked the loader fix on a100-07 #infra" in stored["documents"]


def test_each_person_has_a_collection_and_logs_never_mix(
    chroma_server: str, small_log: Path, tmp_path: Path, embedder
) -> None:
    other_log = log_copy(small_log, tmp_path / "bob-log")
    (other_log / "2026-11-20.md").unlink()
    alice = StoreSettings(url=chroma_server, collection="alice")
    bob = StoreSettings(url=chroma_server, collection="bob")

    sync_index(load_log(small_log), index_dir(small_log), embedder, alice)
    sync_index(load_log(other_log), index_dir(other_log), embedder, bob)

    with server(chroma_server, "alice") as a, server(chroma_server, "bob") as b:
        assert a.count() == len(load_log(small_log).facts)
        assert b.count() == len(load_log(other_log).facts) < a.count()
    with pytest.raises(UsageError, match="holds the index of another log"):
        sync_index(load_log(other_log), index_dir(other_log), embedder, alice)

    result = runner.invoke(
        app, ["index", "--log", str(other_log), "--store", chroma_server, "--collection", "alice"]
    )
    assert result.exit_code == 2
    assert "collection 'alice'" in result.stderr and "--collection NAME" in result.stderr


def test_a_collection_reset_on_the_server_is_filled_again(
    chroma_server: str, small_log: Path, embedder
) -> None:
    store = StoreSettings(url=chroma_server, collection="reset-test")
    sync_index(load_log(small_log), index_dir(small_log), embedder, store)
    with server(chroma_server, "reset-test") as vectors:
        vectors.client.delete_collection("reset-test")  # an admin wiped it
    page = small_log / "2026-11-19.md"
    page.write_text(page.read_text() + "- one more line\n")

    snapshot = load_log(small_log)
    stats = sync_index(snapshot, index_dir(small_log), embedder, store)

    assert stats.items_embedded == len(snapshot.facts)
    with server(chroma_server, "reset-test") as vectors:
        assert vectors.count() == len(snapshot.facts)


def test_week_and_rebuild_in_team_mode(
    chroma_server: str, small_log: Path, tmp_path: Path, embedder
) -> None:
    config = Path(os.environ["RREVIEW_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'store = "{chroma_server}"\ncollection = "week-test"\n')

    week = runner.invoke(app, ["week", "--log", str(small_log), "--week", "2026-W47"])

    assert week.exit_code == 0, week.stderr
    assert "Week 2026-W47" in week.stdout
    items = len(load_log(small_log).facts)
    with server(chroma_server, "week-test") as vectors:
        assert vectors.count() == items
    settings = resolve_store()
    assert state_dir(index_dir(small_log), settings).is_dir()

    rebuilt = runner.invoke(app, ["index", "--log", str(small_log), "--rebuild", "--json"])

    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["items_embedded"] == items
    with server(chroma_server, "week-test") as vectors:
        assert vectors.count() == items
    other = log_copy(small_log, tmp_path / "someone-else")
    refused = runner.invoke(app, ["index", "--log", str(other), "--rebuild"])
    assert refused.exit_code == 2 and "holds the index of another log" in refused.stderr
    with server(chroma_server, "week-test") as vectors:
        assert vectors.count() == items  # the rebuild of another log wiped nothing


def test_an_unreachable_server_is_an_operation_error(small_log: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    result = runner.invoke(app, ["index", "--log", str(small_log), "--store", url])

    assert result.exit_code == 1
    assert f"cannot reach the Chroma server at {url}" in result.stderr


def test_store_settings_come_from_option_env_or_config(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_store() == StoreSettings()
    config = Path(os.environ["RREVIEW_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('store = "http://chroma.lab:8000/"\ncollection = "lab-ana"\n')
    assert resolve_store() == StoreSettings(url="http://chroma.lab:8000", collection="lab-ana")
    monkeypatch.setenv("RREVIEW_STORE", "https://chroma.example.org")
    monkeypatch.setenv("RREVIEW_STORE_TOKEN", "s3cret")
    from_env = resolve_store()
    assert (from_env.url, from_env.collection, from_env.token) == (
        "https://chroma.example.org",
        "lab-ana",
        "s3cret",
    )
    assert "s3cret" not in repr(from_env)
    assert resolve_store("local") == StoreSettings()
    assert resolve_store("http://10.0.0.5:9000", "x-y").collection == "x-y"
    with pytest.raises(UsageError, match="not a Chroma server URL"):
        resolve_store("chroma.lab:8000")
    with pytest.raises(UsageError, match="collection 'a b'"):
        resolve_store("http://10.0.0.5:9000", "a b")


def test_status_reads_the_team_index_with_store(chroma_server: str, small_log: Path) -> None:
    """`status --store URL` tells what is on that server; the local index stays empty."""
    env = {"RREVIEW_COLLECTION": "status-test"}
    indexed = runner.invoke(
        app, ["index", "--log", str(small_log), "--store", chroma_server], env=env
    )
    assert indexed.exit_code == 0, indexed.stderr

    team = runner.invoke(
        app, ["status", "--log", str(small_log), "--store", chroma_server, "--json"], env=env
    )
    local = runner.invoke(app, ["status", "--log", str(small_log), "--json"], env=env)

    assert team.exit_code == 0 and local.exit_code == 0, team.stderr + local.stderr
    team_totals, local_totals = (
        json.loads(team.stdout)["totals"],
        json.loads(local.stdout)["totals"],
    )
    assert team_totals["indexed"] == 5 and team_totals["indexed_items"] == team_totals["items"]
    assert local_totals["indexed"] == 0 and local_totals["not_indexed"] == 5


def test_ask_searches_the_vectors_on_the_server(
    chroma_server: str, small_log: Path, embedder
) -> None:
    store = ["--store", chroma_server, "--collection", "ask-test"]
    indexed = runner.invoke(app, ["index", "--log", str(small_log), *store])
    assert indexed.exit_code == 0, indexed.stderr

    args = ["--log", str(small_log), "--today", "2026-11-23", *store]
    result = runner.invoke(app, ["ask", "training jobs froze on the fresh machine", *args, "-v"])

    assert result.exit_code == 0, result.stderr
    assert f"vectors: {chroma_server} (collection ask-test)" in result.stderr
    assert result.stdout.startswith("2026-11-18") and "a100-07 hang" in result.stdout
    assert not (index_dir(small_log) / "chroma").exists()  # no local vectors, no local copy
    state = state_dir(index_dir(small_log), StoreSettings(url=chroma_server, collection="ask-test"))
    assert not list(state.glob("retrieval/*/vectors.npy"))
    dated = runner.invoke(app, ["ask", "what broke on the new node last week?", *args, "--json"])
    assert dated.exit_code == 0, dated.stderr
    data = json.loads(dated.stdout)
    assert data["range"]["start"] == "2026-11-16" and data["evidence"]
    assert data["evidence"][0]["date"] == "2026-11-18"
    assert all("2026-11-16" <= e["date"] <= "2026-11-22" for e in data["evidence"])


def test_analyses_read_the_vectors_from_the_server(
    chroma_server: str, small_log: Path, embedder
) -> None:
    def run(command: str, *store: str) -> object:
        result = runner.invoke(
            app,
            [command, "--log", str(small_log), *store, "--json"],
            env={"RREVIEW_COLLECTION": "analyses-test"},
        )
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    commands = ("bugs", "focus", "ideas")
    remote = {command: run(command, "--store", chroma_server) for command in commands}

    assert not (index_dir(small_log) / "chroma").exists()  # nothing embedded locally
    with server(chroma_server, "analyses-test") as store:
        assert store.count() == len(load_log(small_log).facts)
    bugs, focus, ideas = (remote[command] for command in commands)
    assert isinstance(bugs, list) and len(bugs) == 4  # the week's four bug mentions
    assert isinstance(focus, dict) and focus["themes"] and isinstance(ideas, list) and ideas
    # the same vectors, so the same answers as from the embedded store
    assert {command: run(command) for command in commands} == remote
    assert (index_dir(small_log) / "chroma").exists()
