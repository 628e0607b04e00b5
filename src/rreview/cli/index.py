"""`rreview index`: embed new or changed entries into the local store."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from rreview.cli.common import (
    CollectionOption,
    FormatOption,
    JsonOption,
    LogOption,
    StoreOption,
    VerboseOption,
    handle_errors,
    info,
    print_json,
)
from rreview.cli.loading import describe, read_log_reporting
from rreview.config import StoreSettings, resolve_log, resolve_store
from rreview.paths import index_dir


@handle_errors
def index(
    log: LogOption = None,
    fmt: FormatOption = "auto",
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Delete the index first and embed everything.")
    ] = False,
    store: StoreOption = None,
    collection: CollectionOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Embed new or changed entries into the index (incremental; the index is a cache).

    With --store http://host:port the vectors go to a Chroma server a lab shares, in this
    person's own collection; the hashes that make it incremental stay on this machine.
    """
    from rreview.store.sync import sync_index

    settings = resolve_store(store, collection)
    if rebuild:  # first: the log is then read afresh, and its parse cache kept for next time
        root = resolve_log(log)
        _forget(index_dir(root), settings, root)
    snapshot = read_log_reporting(log, fmt, verbose)
    target = index_dir(snapshot.root)
    stats = sync_index(snapshot, target, store=settings)
    if stats.touched:  # the questions' corpus too, so that the next `ask` finds it ready
        from rreview.retrieve.corpus import open_corpus
        from rreview.store.sync import state_dir

        open_corpus(snapshot, state_dir(target, settings), target, settings).close()
    where = f"{settings.url} (collection {_collection(settings)})" if settings.remote else None
    if as_json:
        print_json(
            {
                **asdict(stats),
                "index": str(target),
                "store": where or "local",
                "reader": snapshot.reader,
            }
        )
    else:
        info(describe(stats))
        if verbose:
            info(f"index at {target}" + (f"; vectors on {where}" if where else ""))
            if stats.waiting:
                info(
                    f"{stats.waiting} vector writes wait in facts.sqlite for the Chroma store, "
                    "which receives them when next opened"
                )


def _collection(settings: StoreSettings) -> str:
    from rreview.store.vectors import collection_name

    return collection_name(settings)


def _forget(target: Path, settings: StoreSettings, log: Path) -> None:
    """--rebuild: delete the local index, or in team mode this log's state and collection
    (only if the collection is this log's: another person's is refused)."""
    if not settings.remote:
        if target.exists():
            shutil.rmtree(target)
        return
    from rreview.paths import log_key
    from rreview.store.sync import state_dir
    from rreview.store.vectors import Owner, VectorStore, author

    with VectorStore(store=settings, owner=Owner(log_key(log), author())) as vectors:
        vectors.clear()
    shutil.rmtree(state_dir(target, settings), ignore_errors=True)
