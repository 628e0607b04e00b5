"""`rreview status`: per source file, whether it made it into the index, when, in which
format, how many days and items, and why it was skipped. No model, no vector store."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

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
    warn,
)
from rreview.config import resolve_log, resolve_store
from rreview.paths import index_dir

if TYPE_CHECKING:
    from rreview.store.status import IndexStatus


def _when(stamp: str | None) -> str:
    return stamp.replace("T", " ")[:16] if stamp else "-"


def _day_label(day: str, line: int, until: str | None = None) -> str:
    return f"  {day}{'..' + until if until else ''} (line {line})"


def _dash(value: object, show: bool) -> str:
    return str(value) if show else "-"


def print_status(status: IndexStatus, verbose: bool) -> None:
    """The status as a table, one line per file (per day too with `-v`), then the totals."""
    last = f"last indexed {_when(status.indexed_at)} UTC" if status.indexed_at else "not built yet"
    print(f"log    {status.log} (format: {status.format}, confidence {status.confidence:.2f})")
    print(f"index  {status.index} ({last})")
    print()
    labels = [_day_label(d.date, d.line, d.until) for f in status.files for d in f.days]
    labels = labels if verbose else []
    width = max([len(f.file) for f in status.files] + [len(x) for x in labels] + [4])
    fw = max([len(f.format or "") for f in status.files] + [6])
    print(
        f"{'FILE':<{width}}  {'FORMAT':<{fw}}  {'STATUS':<11}  DAYS  ITEMS  INDEXED AT        WHY"
    )
    for f in status.files:
        read = f.state not in ("skipped", "ignored")
        why = f.reason or ("; ".join(f.problems) if f.problems else "")
        counts = f"{_dash(f.entries, read):>4}  {_dash(f.items, read):>5}"
        print(
            f"{f.file:<{width}}  {f.format or '-':<{fw}}  {f.state:<11}  {counts}  "
            f"{_when(f.indexed_at):<16}  {why}"
        )
        if verbose and len(f.days) > 1:
            for day in f.days:
                print(
                    f"{_day_label(day.date, day.line, day.until):<{width}}  {'':<{fw}}  "
                    f"{day.state:<11}  {'':>4}  {day.items:>5}  {_when(day.indexed_at)}"
                )
    t = status.totals
    print()
    print(
        f"{t.files} files: {t.indexed} indexed, {t.changed} changed since, {t.not_indexed} not "
        f"indexed, {t.skipped} skipped, {t.ignored} ignored"
        + (f", {t.removed} removed from the log" if t.removed else "")
    )
    print(
        f"{t.entries} days/entries with {t.items} items; in the index as they are now: "
        f"{t.indexed_entries} entries, {t.indexed_items} items"
    )
    if t.changed or t.not_indexed or t.removed:
        info("run `rreview index` to bring the index up to date")


def status_json(status: IndexStatus) -> dict[str, object]:
    """The documented JSON shape of `rreview status --json`."""
    return {
        "log": status.log,
        "format": status.format,
        "confidence": status.confidence,
        "index": status.index,
        "index_exists": status.exists,
        "indexed_at": status.indexed_at,
        "files": [asdict(f) for f in status.files],
        "totals": asdict(status.totals),
    }


@handle_errors
def status(
    log: LogOption = None,
    fmt: FormatOption = "auto",
    store: StoreOption = None,
    collection: CollectionOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show, per file of the log, whether it is indexed, when, in which format, how many
    days and items it holds, and why it was skipped; then totals and the index location.

    With --store (team mode) the state is that of the index on that Chroma server.
    """
    from rreview.store.status import index_status
    from rreview.store.sync import load_log, state_dir

    log_path = resolve_log(log)
    settings = resolve_store(store, collection)
    snapshot = load_log(log_path, fmt)
    for problem in snapshot.read.problems:
        warn(f"warning: {problem}")
    result = index_status(snapshot, state_dir(index_dir(log_path), settings))
    if as_json:
        print_json(status_json(result))
    else:
        print_status(result, verbose)
