"""`rreview week`: the weekly reflection, to stdout and to a Markdown file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rreview.analyze.weeks import default_week, parse_week
from rreview.cli.common import (
    FormatOption,
    JsonOption,
    LogOption,
    TodayOption,
    VerboseOption,
    handle_errors,
    info,
    parse_today,
    print_json,
)
from rreview.cli.loading import read_log_reporting, refresh_index
from rreview.config import load_config
from rreview.engines.base import get_engine
from rreview.log.capture import atomic_write
from rreview.paths import data_home
from rreview.report.build import build_week_report
from rreview.report.markdown import render_week


@handle_errors
def week(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week, e.g. 2026-W47 (default: this week, or last week "
            "if nothing is logged yet this week).",
            metavar="YYYY-Www",
        ),
    ] = None,
    log: LogOption = None,
    offline: Annotated[bool, typer.Option("--offline", help="Guarantee no network call.")] = False,
    engine: Annotated[
        str | None, typer.Option("--engine", help="Engine for the prose (default: offline).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Markdown file to write (default: reports/ in RREVIEW_HOME)."),
    ] = None,
    today: TodayOption = None,
    fmt: FormatOption = "auto",
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Write the weekly reflection: done, carried to-dos, bugs, estimates, predictions, ideas."""
    config = load_config(log, engine)
    chosen_engine = get_engine(config.engine, offline=offline)
    snapshot = read_log_reporting(config.log, fmt, verbose)
    refresh_index(snapshot, verbose)
    facts = snapshot.facts
    target = (
        parse_week(week) if week else default_week(parse_today(today), {f.item.date for f in facts})
    )
    report, computed = build_week_report(facts, target, chosen_engine)
    if not computed.counts.days:
        logged = sorted({f.item.date for f in facts})
        info(
            f"nothing logged in {target.label}; latest entry {logged[-1].isoformat()}"
            f" (try --week {_label(logged[-1])})"
        )
    markdown = render_week(report)
    path = out or data_home() / "reports" / f"{target.label}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, markdown)
    if as_json:
        print_json(report.to_json())
    else:
        print(markdown, end="")
    info(f"written to {path}")


def _label(day: object) -> str:
    from rreview.analyze.weeks import week_of

    assert hasattr(day, "isocalendar")
    return week_of(day).label  # type: ignore[arg-type]
