"""`rreview bugs|estimates|predictions|focus|sources|todos|ideas`: the analyses on their own.

Wiring only: read the log, pick the period, run one analysis, print it (Markdown-like lines
that cite their days, or `--json`). Commands that compare meaning (bugs, focus, ideas)
refresh the index and read the item vectors it holds (`analyze.vectors.LogVectors`: the
question corpus' copy for the embedded store, a team's Chroma server with --store), as `week`
and `ask` do; numpy and the model load inside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from rreview.cli.loading import read_log_reporting, refresh_index
from rreview.errors import UsageError

if TYPE_CHECKING:
    from rreview.analyze.items import Period
    from rreview.analyze.vectors import LogVectors
    from rreview.report.model import ReportSection
    from rreview.store.sync import LogSnapshot

SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Only days from this date (YYYY-MM-DD).", metavar="YYYY-MM-DD"),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", help="Only days up to this date (YYYY-MM-DD).", metavar="YYYY-MM-DD"),
]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option} '{value}': expected a date as YYYY-MM-DD") from exc


def _period(since: str | None, until: str | None) -> Period:
    from rreview.analyze.items import Period

    period = Period(_date(since, "--since"), _date(until, "--until"))
    if period.since and period.until and period.since > period.until:
        raise UsageError(f"--since {since} is after --until {until}")
    return period


def _write_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file renamed over `path` (never a half-written PNG)."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _print(title: str, sections: list[ReportSection], days: Sequence[date]) -> None:
    """Print the sections; a section with nothing to list says so, citing the days read."""
    from dataclasses import replace

    from rreview.report.markdown import render_section
    from rreview.report.model import ReportLine

    out = [f"# {title}"]
    for section in sections:
        if not section.lines:
            note = ReportLine.citing(section.note or "Nothing logged.", days)
            section = replace(section, lines=(note,), table=())
        out += ["", *render_section(section)]
    print("\n".join(out))


def _vectors(
    snapshot: LogSnapshot, verbose: bool, store: str | None, collection: str | None
) -> LogVectors:
    """The index brought up to date, and its item vectors (close them when done): the
    question corpus' copy for the embedded store, else from the Chroma server of --store /
    RREVIEW_STORE / the config file."""
    from rreview.analyze.vectors import LogVectors
    from rreview.config import resolve_store
    from rreview.paths import index_dir

    settings = resolve_store(store, collection)
    refresh_index(snapshot, verbose, settings)
    return LogVectors(snapshot, index_dir(snapshot.root), settings)


def _logged(snapshot: LogSnapshot, period: Period) -> list[date]:
    """The logged days in the period, sorted."""
    return sorted({f.item.date for f in period.select(snapshot.facts)})


def _days(snapshot: LogSnapshot, period: Period) -> tuple[date, date]:
    days = [f.item.date for f in period.select(snapshot.facts)]
    if not days:
        raise UsageError(f"nothing logged {period.describe()}")
    return min(days), max(days)


@handle_errors
def bugs(
    log: LogOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = "auto",
    store: StoreOption = None,
    collection: CollectionOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Recurring bugs: bug mentions grouped into families across days, however worded.

    Families that came back on two or more days first, largest first, then the one-offs;
    each mention with its date, file:line and the time logged on it.
    """
    from rreview.analyze.bugs import bug_families, bug_mentions
    from rreview.report.analyses.bugs import bugs_json, bugs_sections

    snapshot = read_log_reporting(log, fmt, verbose)
    period = _period(since, until)
    mentions = [m for m in bug_mentions(snapshot.facts) if period.contains(m.date)]
    families = []
    if mentions:
        with _vectors(snapshot, verbose, store, collection) as vectors:
            families = bug_families(snapshot.facts, vectors, mentions=mentions)
    if as_json:
        print_json(bugs_json(families))
        return
    _print(
        f"Bugs, {period.describe()}: {len(mentions)} mentions",
        bugs_sections(families),
        _logged(snapshot, period),
    )


@handle_errors
def estimates(
    log: LogOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write a PNG chart of estimate against actual (log axes)."),
    ] = None,
    fmt: FormatOption = "auto",
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Estimate against actual: your planning multiplier, overruns and the trend by week.

    Every task with an estimate and an actual, its ratio; the median and spread of the
    ratio; by tag; the ten worst overruns; multi-day tasks by span; the trend by week.
    """
    from rreview.analyze.estimates import estimate_report
    from rreview.extract.tasks import link_tasks
    from rreview.report.analyses.calibration import estimates_json, estimates_sections

    snapshot = read_log_reporting(log, fmt, verbose)
    period = _period(since, until)
    report = estimate_report(link_tasks(snapshot.facts), period)
    if plot is not None:
        from rreview.report.charts import estimate_chart_png

        if not report.summary.tasks:
            raise UsageError("--plot: no task has both an estimate and an actual")
        _write_bytes(plot, estimate_chart_png(report.summary.tasks))
        info(f"chart written to {plot}")
    if as_json:
        print_json(estimates_json(report))
        return
    count = len(report.summary.tasks)
    _print(
        f"Estimates, {period.describe()}: {count} tasks",
        estimates_sections(report),
        _logged(snapshot, period),
    )


@handle_errors
def predictions(
    log: LogOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = "auto",
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Predictions against outcomes: the errors, most off first, and your calibration.

    Calibration: how often the outcome fell on the predicted side (for predictions that
    state a direction or a bound), mean absolute error per unit, and optimism.
    """
    from rreview.analyze.predictions import calibration
    from rreview.report.analyses.calibration import predictions_json, predictions_sections

    snapshot = read_log_reporting(log, fmt, verbose)
    period = _period(since, until)
    result = calibration(snapshot.facts, period)
    if as_json:
        print_json(predictions_json(result))
        return
    _print(
        f"Predictions, {period.describe()}", predictions_sections(result), _logged(snapshot, period)
    )


@handle_errors
def focus(
    log: LogOption = None,
    weeks: Annotated[
        int, typer.Option("--weeks", min=1, help="How many weeks, ending with the last one.")
    ] = 8,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = "auto",
    store: StoreOption = None,
    collection: CollectionOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Focus by week: the themes of your done work and each theme's share of every week.

    Themes are clusters of done items named by their key terms, seeded by your topic tags
    where most items have one.
    """
    from rreview.analyze.focus import focus_by_week
    from rreview.analyze.items import weeks_between
    from rreview.report.analyses.themes import focus_json, focus_sections

    snapshot = read_log_reporting(log, fmt, verbose)
    period = _period(since, until)
    first, last = _days(snapshot, period)
    chosen = weeks_between(first, last)
    if since is None:
        chosen = chosen[-weeks:]
    shown = [
        f for f in period.select(snapshot.facts) if any(w.contains(f.item.date) for w in chosen)
    ]
    with _vectors(snapshot, verbose, store, collection) as vectors:
        report = focus_by_week(shown, vectors, chosen)
    if as_json:
        print_json(focus_json(report))
        return
    span = f"{chosen[0].label}..{chosen[-1].label}"
    days = [d for d in _logged(snapshot, period) if any(w.contains(d) for w in chosen)]
    _print(f"Focus, {span}", focus_sections(report), days)


@handle_errors
def sources(
    log: LogOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = "auto",
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Where ideas and findings came from (paper, chat, talk, ...), counted per week."""
    from rreview.analyze.items import weeks_between
    from rreview.analyze.sources import sources_by_week, unsourced_ideas
    from rreview.report.analyses.themes import sources_json, sources_sections

    snapshot = read_log_reporting(log, fmt, verbose)
    period = _period(since, until)
    first, last = _days(snapshot, period)
    facts = period.select(snapshot.facts)
    weeks = sources_by_week(facts, weeks_between(first, last))
    unsourced = unsourced_ideas(facts)
    if as_json:
        print_json(sources_json(weeks, unsourced))
        return
    _print(
        f"Sources, {period.describe()}",
        sources_sections(weeks, unsourced),
        _logged(snapshot, period),
    )


@handle_errors
def todos(
    log: LogOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = "auto",
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Plan against done: completion per week, to-dos carried longest, to-dos dropped.

    A to-do is dropped when it stops being listed without ever being marked done.
    """
    from rreview.analyze.items import weeks_between
    from rreview.analyze.todos import completion_by_week, dropped_todos, still_open, todo_ages
    from rreview.extract.tasks import link_tasks
    from rreview.report.analyses.backlog import todos_json, todos_sections

    snapshot = read_log_reporting(log, fmt, verbose)
    period = _period(since, until)
    first, last = _days(snapshot, period)
    # to-dos are linked over the whole log up to `until`, then kept if they touch the period
    upto = [f for f in snapshot.facts if f.item.date <= last]
    tasks = [t for t in link_tasks(upto) if any(period.contains(d) for d in t.dates)]
    weeks = completion_by_week(tasks, weeks_between(first, last))
    ages = todo_ages(tasks, last)
    dropped, still = dropped_todos(tasks, last), still_open(tasks, last)
    if as_json:
        print_json(todos_json(weeks, ages, dropped, still))
        return
    _print(
        f"To-dos, {period.describe()}",
        todos_sections(weeks, ages, dropped, still),
        _logged(snapshot, period),
    )


@handle_errors
def ideas(
    log: LogOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = "auto",
    store: StoreOption = None,
    collection: CollectionOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """The idea backlog: ideas still waiting (oldest first) and those acted on later.

    An idea is acted on when a later done item is close to it (embeddings and words); the
    item and its day are shown.
    """
    from rreview.analyze.ideas import idea_backlog
    from rreview.report.analyses.backlog import ideas_json, ideas_sections

    snapshot = read_log_reporting(log, fmt, verbose)
    period = _period(since, until)
    with _vectors(snapshot, verbose, store, collection) as vectors:
        statuses = idea_backlog(snapshot.facts, vectors, period)
    if as_json:
        print_json(ideas_json(statuses))
        return
    _print(
        f"Ideas, {period.describe()}: {len(statuses)}",
        ideas_sections(statuses),
        _logged(snapshot, period),
    )
