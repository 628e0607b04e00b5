"""Reading the log and refreshing the index, with what was read and skipped told on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rreview.cli.common import info, warn
from rreview.config import StoreSettings, resolve_log
from rreview.errors import UsageError
from rreview.paths import index_dir

if TYPE_CHECKING:  # reading the log is imported by the commands that read it, not by --help
    from rreview.store.sync import LogSnapshot, SyncStats


def read_log_reporting(log: Path | None, fmt: str, verbose: bool) -> LogSnapshot:
    """Read the log; every problem is one warning line; no entry at all is an error."""
    from rreview.store.sync import load_log

    log_path = resolve_log(log)
    snapshot = load_log(log_path, fmt)
    for problem in snapshot.read.problems:
        warn(f"warning: {problem}")
    if verbose:
        read = snapshot.read
        counts = read.format_counts()
        mixed = ", ".join(f"{n} as '{name}'" for name, n in counts.most_common())
        info(
            f"read {log_path} as '{snapshot.reader}' (confidence {read.confidence:.2f}): "
            f"{len(read.files_read)} files"
            + (f" ({mixed})" if len(counts) > 1 else "")
            + f", {len(snapshot.entries)} entries, {len(snapshot.facts)} items"
        )
        for ignored in read.files_ignored:
            info(f"ignored {ignored}")
    if not snapshot.entries:
        raise UsageError(f"{log_path}: no dated entries found (see the warnings above)")
    return snapshot


def refresh_index(
    snapshot: LogSnapshot, verbose: bool, store: StoreSettings | None = None
) -> SyncStats:
    """Bring the index up to date (on the Chroma server of `store` in team mode); cheap (no
    model, no Chroma) when nothing changed."""
    from rreview.store.sync import sync_index

    stats = sync_index(snapshot, index_dir(snapshot.root), store=store)
    if verbose or stats.items_embedded:
        info(describe(stats))
    return stats


def describe(stats: SyncStats) -> str:
    """One line on what an index run did."""
    return (
        f"index: {stats.entries} entries ({stats.new} new, {stats.changed} changed, "
        f"{stats.moved} moved, {stats.removed} removed, {stats.unchanged} unchanged); "
        f"{stats.items_embedded} items embedded in {stats.seconds:.1f}s"
    )
