"""`rreview ask`: an answer from the log, every claim citing the entry dates it rests on."""

from __future__ import annotations

import sys
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

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
from rreview.config import (
    EngineConfig,
    StoreSettings,
    load_engine_config,
    resolve_log,
    resolve_store,
)
from rreview.errors import UsageError

if TYPE_CHECKING:
    from rreview.report.model import ReportSection
    from rreview.retrieve.session import Session
    from rreview.retrieve.when import DateRange
    from rreview.store.sync import LogSnapshot


@handle_errors
def ask(
    question: Annotated[str, typer.Argument(help='The question, e.g. "what bugs recur?".')],
    k: Annotated[int, typer.Option("--k", help="How many items to retrieve.", min=1)] = 8,
    log: LogOption = None,
    engine: EngineOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    offline: OfflineOption = False,
    dry_run: DryRunOption = False,
    today: TodayOption = None,
    fmt: FormatOption = "auto",
    store: StoreOption = None,
    collection: CollectionOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Answer a question from the log, citing entry dates.

    Dates in the question ("last week", "in October", "since Nov 10", "the week of
    2026-11-09", "yesterday") filter the entries, relative to today or --today. Questions
    about patterns (recurring bugs, estimates, predictions, carried to-dos) are answered by
    the analyses; the rest by hybrid search (meaning, words, exact strings). Offline, the
    answer is the log's own words; with a model, short prose whose citations are checked.
    With --store, the vectors are searched on the lab's Chroma server (team mode).
    """
    if not question.strip():
        raise UsageError("the question is empty")
    config = load_engine_config(engine, model, base_url, offline)
    settings = resolve_store(store, collection)
    guard: AbstractContextManager[None] = nullcontext()
    if config.offline:
        from rreview.engines.guard import no_network

        guard = no_network()
    with guard:
        _ask(question, k, log, config, settings, dry_run, today, fmt, as_json, verbose)


def _ask(
    question: str,
    k: int,
    log: Path | None,
    config: EngineConfig,
    store: StoreSettings,
    dry_run: bool,
    today: str | None,
    fmt: str,
    as_json: bool,
    verbose: bool,
) -> None:
    from rreview.engines.base import AnswerRequest, get_engine
    from rreview.report.answer import aggregate_sections, answer_json, cited_evidence, render_answer
    from rreview.retrieve.hybrid import Evidence, exact_strings, is_open_question
    from rreview.retrieve.route import LOOKUP, is_chronological, route_question
    from rreview.retrieve.when import parse_when

    started = time.perf_counter()
    chosen = get_engine(config)
    for notice in chosen.notices:
        warn(notice)
    session = _session(log, fmt, store, verbose)
    when = parse_when(question, parse_today(today))
    query = when.rest or question
    route = route_question(query)
    exact = exact_strings(query)
    sections: tuple[ReportSection, ...] = ()
    if route == "bugs":  # families across days, however worded (analyze/bugs.py)
        sections = _bug_family_sections(session, when.range)
    elif route != LOOKUP:
        sections = aggregate_sections(route, session.facts(), when.range, query, session.remember)
    outside: tuple[Evidence, ...] = ()
    if sections:
        evidence = cited_evidence(sections, session.corpus())
    elif when.range and is_open_question(query) and not exact:
        evidence = tuple(session.retriever().listing(when.range, max(k, 30)))
    else:
        retriever = session.retriever()
        evidence = tuple(retriever.search(query, k, when.range, exact=exact))
        if when.range and not any(e.relevant for e in evidence):
            outside = tuple(retriever.search(query, 3, None, exact=exact))
    request = AnswerRequest(
        question=question,
        evidence=evidence,
        route=route,
        sections=sections,
        window=when.range,
        outside=outside,
        chronological=is_chronological(query),
        today=parse_today(today),
    )
    if verbose:
        window = when.range.describe() if when.range else "any date"
        searched = f"; vectors: {session.retriever().vectors_source()}" if not sections else ""
        info(
            f"route: {route}; dates: {window}; exact: {', '.join(exact) or 'none'}{searched}; "
            f"{len(evidence)} items retrieved in {time.perf_counter() - started:.2f}s"
        )
    if dry_run:
        show_preview(chosen.preview_answer(request), chosen.name)
        return
    stream = chosen.can_stream and not as_json

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    answer = chosen.answer(request, write if stream else None)
    if answer.streamed:
        write("\n")
    for notice in [*chosen.notices, *answer.notices]:
        warn(notice)
    if as_json:
        print_json(answer_json(answer, request))
        return
    rendered = render_answer(answer, request)
    if rendered:
        print(rendered)


def _session(log: Path | None, fmt: str, store: StoreSettings, verbose: bool) -> Session:
    """The log read and indexed: kept from the last question of this process when neither
    the log nor its index changed since (its warnings said again), else read now."""
    from rreview.cli.loading import read_log_reporting, refresh_index
    from rreview.paths import index_dir
    from rreview.retrieve.session import session_for
    from rreview.store.sync import state_dir

    root = resolve_log(log)
    index = index_dir(root)

    def read() -> LogSnapshot:
        snapshot = read_log_reporting(root, fmt, verbose)
        refresh_index(snapshot, verbose, store)
        return snapshot

    session, kept = session_for(root, fmt, index, state_dir(index, store), store, read)
    if kept:
        for problem in session.snapshot.read.problems:
            warn(f"warning: {problem}")
        if verbose:
            info(f"{root} and its index unchanged since the last question: reusing them")
    return session


def _bug_family_sections(session: Session, window: DateRange | None) -> tuple[ReportSection, ...]:
    """The bug families of the mentions in `window`, recurring ones first, as report
    sections. Kept on disk per state of the log (and the mentions, the log's vocabulary and
    the families they come from: seconds each at ten years): asked again, in another
    process, the question reads the sections back without reading the log's facts."""
    name = "bug-report" if window is None else f"bug-report-{window.start}-{window.end}"
    code = ("rreview.report", "rreview.cli.ask")  # the sections' wording
    return session.persist(name, lambda: _bug_report(session, window), code=code)


def _bug_report(session: Session, window: DateRange | None) -> tuple[ReportSection, ...]:
    """The sections of `_bug_family_sections`, computed (from what is on disk, if kept)."""
    from rreview.analyze import bugs
    from rreview.report.analyses.bugs import bugs_sections

    facts = session.facts()
    every = session.persist(
        "bug-mentions",
        lambda: bugs.bug_mentions(facts),
        lambda found: bugs.plain_mentions(found, facts),
        lambda plain: bugs.mentions_from_plain(plain, facts),
    )
    mentions = [m for m in every if window is None or window.contains(m.date)]
    if not mentions:
        from rreview.report.model import ReportSection as Section

        return (Section("Bugs", (), note="No bug logged in that time."),)

    def group() -> list[bugs.BugFamily]:
        vectors = session.remember("item vectors", session.item_vectors)
        return bugs.bug_families(facts, vectors, mentions=mentions, vocab=session.vocabulary())

    name = "bug-families" if window is None else f"bug-families-{window.start}-{window.end}"
    families = session.persist(
        name,
        group,
        lambda found: bugs.plain_families(found, mentions),
        lambda plain: bugs.families_from_plain(plain, mentions),
    )
    return tuple(bugs_sections(families))
