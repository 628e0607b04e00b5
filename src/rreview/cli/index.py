"""`rreview index`: embed new or changed entries into the local store."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from typing import Annotated

import typer

from rreview.cli.common import (
    FormatOption,
    JsonOption,
    LogOption,
    VerboseOption,
    handle_errors,
    info,
    print_json,
)
from rreview.cli.loading import describe, read_log_reporting
from rreview.paths import index_dir
from rreview.store.sync import sync_index


@handle_errors
def index(
    log: LogOption = None,
    fmt: FormatOption = "auto",
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Delete the index first and embed everything.")
    ] = False,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Embed new or changed entries into the index (incremental; the index is a cache)."""
    snapshot = read_log_reporting(log, fmt, verbose)
    target = index_dir(snapshot.root)
    if rebuild and target.exists():
        shutil.rmtree(target)
    stats = sync_index(snapshot, target)
    if as_json:
        print_json({**asdict(stats), "index": str(target), "reader": snapshot.reader})
    else:
        info(describe(stats))
        if verbose:
            info(f"index at {target}")
