"""`rreview week`: the weekly reflection, to stdout and to a Markdown file."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rreview.analyze.weeks import default_week, parse_week
from rreview.cli.common import (
    CollectionOption,
    FormatOption,
    JsonOption,
    LogOption,
    StoreOption,
    TodayOption,
    VerboseOption,
    handle_errors,
    info,
    parse_today,
    print_json,
    warn,
)
from rreview.cli.engine_options import (
    BaseUrlOption,
    DryRunOption,
    EngineOption,
    ModelOption,
    OfflineOption,
    show_preview,
)
from rreview.cli.loading import read_log_reporting, refresh_index
from rreview.config import (
    EngineConfig,
    StoreSettings,
    load_config,
    load_engine_config,
    resolve_store,
)
from rreview.log.capture import atomic_write
from rreview.paths import data_home, index_dir

if TYPE_CHECKING:
    from rreview.analyze.terms import Vocabulary
    from rreview.analyze.weeks import Week
    from rreview.store.sync import LogSnapshot


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
    offline: OfflineOption = False,
    engine: EngineOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    dry_run: DryRunOption = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Markdown file to write (default: reports/ in RREVIEW_HOME)."),
    ] = None,
    today: TodayOption = None,
    fmt: FormatOption = "auto",
    store: StoreOption = None,
    collection: CollectionOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Write the weekly reflection: done, carried to-dos, bugs, estimates, predictions, ideas.

    With --engine openai|anthropic|openai-compatible the model writes "In one look" from the
    computed facts (its citations and numbers checked); the tables stay computed. If the
    model fails, the offline engine writes it instead, with a notice.
    """
    config = load_config(log, engine)
    engine_config = load_engine_config(engine, model, base_url, offline)
    store_settings = resolve_store(store, collection)
    guard: AbstractContextManager[None] = nullcontext()
    if engine_config.offline:
        from rreview.engines.guard import no_network

        guard = no_network()
    with guard:
        _week(
            week,
            config.log,
            engine_config,
            dry_run,
            out,
            today,
            fmt,
            as_json,
            verbose,
            store=store_settings,
        )


def _week(
    week: str | None,
    log: Path,
    engine_config: EngineConfig,
    dry_run: bool,
    out: Path | None,
    today: str | None,
    fmt: str,
    as_json: bool,
    verbose: bool,
    store: StoreSettings | None = None,
) -> None:
    from rreview.analyze.vectors import LogVectors
    from rreview.analyze.week import week_facts
    from rreview.engines.base import get_engine
    from rreview.report.build import build_week_report
    from rreview.report.markdown import render_week

    chosen_engine = get_engine(engine_config)
    for notice in chosen_engine.notices:
        warn(notice)
    shown = len(chosen_engine.notices)
    snapshot = read_log_reporting(log, fmt, verbose)
    refresh_index(snapshot, verbose, store)
    facts = snapshot.facts
    target = (
        parse_week(week) if week else default_week(parse_today(today), {f.item.date for f in facts})
    )
    vocab = _vocabulary(snapshot, store, target)
    with LogVectors(snapshot, index_dir(snapshot.root), store) as vectors:
        if dry_run:
            preview = chosen_engine.preview_week(week_facts(facts, target, vectors, vocab))
            show_preview(preview, chosen_engine.name)
            return
        report, computed = build_week_report(facts, target, chosen_engine, vectors, vocab)
    for notice in chosen_engine.notices[shown:]:  # a fallback to the offline engine
        warn(notice)
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


def _vocabulary(snapshot: LogSnapshot, store: StoreSettings | None, week: Week) -> Vocabulary:
    """The vocabulary of the items up to the week's end, from each entry's word counts kept
    beside the index (`ask` keeps the same ones): only entries edited since are counted
    (~3 s at ten years, counted afresh)."""
    from rreview.analyze.cache import FOLDER, log_vocabulary
    from rreview.store.sync import state_dir

    folder = state_dir(index_dir(snapshot.root), store) / FOLDER
    return log_vocabulary(snapshot, folder, until=week.end)
