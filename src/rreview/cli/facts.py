"""`rreview facts`: every fact extracted from the log, so a user sees what the tool understood."""

from __future__ import annotations

import contextlib
import os
from datetime import date
from pathlib import Path
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
from rreview.cli.loading import read_log_reporting
from rreview.errors import UsageError
from rreview.extract.records import KINDS, FactRecord, fact_records

DateOption = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option} '{value}': expected a date as YYYY-MM-DD") from exc


def _hours(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.2f}".rstrip("0").rstrip(".") + "h"


def summary(record: FactRecord) -> str:
    """The fact's values in a few words: "1h -> 3h (3.0x)", "open since ...", "72% -> 68%"."""
    if record.kind == "estimate":
        ratio = f" ({record.ratio:.1f}x)" if record.ratio is not None else ""
        return f"{_hours(record.estimate_hours)} -> {_hours(record.actual_hours)}{ratio}"
    if record.kind == "todo":
        span = record.span_days
        if record.done and record.done_date:
            days = f", {span} day{'s' if span != 1 else ''}" if span else ""
            return f"done {record.done_date.isoformat()}{days}"
        return f"open, seen {len(record.dates)} day{'s' if len(record.dates) != 1 else ''}"
    if record.kind == "prediction":
        return f"{record.predicted} -> {record.actual or '(open)'}"
    if record.kind == "source":
        return f"{record.source_kind}: {record.source}"
    return ""


def _where(record: FactRecord, root: Path) -> str:
    file = record.file
    if root.is_dir():
        with contextlib.suppress(ValueError):  # another drive (Windows): keep it whole
            file = os.path.relpath(file, root)
    return f"{file}:{record.line}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(records: list[FactRecord], root: Path) -> None:
    """One line per fact; `*` marks what the prose heuristics read (the rest is notation)."""
    for record in records:
        mark = "*" if record.origin != "notation" else " "
        what = _clip(summary(record), 34)
        print(
            f"{record.date.isoformat()}  {record.kind:<10}{mark} {what:<34}  "
            f"{_clip(record.text, 60):<60}  {_where(record, root)}"
        )


@handle_errors
def facts(
    log: LogOption = None,
    fmt: FormatOption = "auto",
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only facts on or after this date.", metavar="YYYY-MM-DD"),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Only facts on or before this date.", metavar="YYYY-MM-DD"),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help=f"Only this kind ({', '.join(KINDS)}); repeat for several.",
            metavar="KIND",
        ),
    ] = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List every fact extracted from the log (to-dos, estimates, bugs, predictions, sources,
    ideas) with its file and line, and whether notation or the prose heuristics found it."""
    start, end = _date(since, "--since"), _date(until, "--until")
    kinds = set(kind or KINDS)
    unknown = sorted(kinds - set(KINDS))
    if unknown:
        raise UsageError(f"--kind {unknown[0]}: expected one of {', '.join(KINDS)}")
    snapshot = read_log_reporting(log, fmt, verbose)
    records = [
        r for r in fact_records(snapshot.facts) if r.kind in kinds and r.in_range(start, end)
    ]
    if as_json:
        print_json([r.to_json() for r in records])
        return
    print_table(records, snapshot.root)
    heuristic = sum(r.origin != "notation" for r in records)
    counts = ", ".join(f"{n} {k}" for k in KINDS if (n := sum(r.kind == k for r in records)))
    info(
        f"{len(records)} facts ({counts or 'none'}); * = read from prose by the heuristics "
        f"({heuristic}), the rest from notation"
    )
