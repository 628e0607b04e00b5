"""`rreview email`: the weekly reflection by e-mail, through the outbox, never sent twice."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rreview.analyze.weeks import Week, parse_week, week_of
from rreview.cli.common import (
    FormatOption,
    LogOption,
    TodayOption,
    VerboseOption,
    handle_errors,
    info,
    parse_today,
    warn,
)
from rreview.cli.loading import read_log_reporting, refresh_index
from rreview.config import MailSettings, load_config, load_mail_settings
from rreview.errors import OperationError, UsageError
from rreview.paths import data_home

if TYPE_CHECKING:
    from rreview.analyze.vectors import LogVectors
    from rreview.deliver.outbox import Outbox
    from rreview.engines.base import Engine
    from rreview.store.sync import LogSnapshot

MAX_CATCH_UP = 8  # weeks; older missed weeks are named, not sent
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@handle_errors
def email(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week to send, e.g. 2026-W47 (default: last week, the last full week "
            "before today).",
            metavar="YYYY-Www",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Recipient(s), comma-separated (else RREVIEW_EMAIL_TO, else `to` in the "
            "config file's email table).",
            metavar="ADDR",
        ),
    ] = None,
    dry_run: Annotated[
        Path | None,
        typer.Option(
            "--dry-run",
            help="Write the message to this .eml file instead of sending it (no SMTP "
            "settings needed; nothing recorded).",
            metavar="FILE.eml",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Send even if the week was sent already.")
    ] = False,
    catch_up: Annotated[
        bool,
        typer.Option(
            "--catch-up",
            help=f"Send every week missed since the last one sent (at most {MAX_CATCH_UP}), "
            "oldest first; weeks with nothing logged are skipped.",
        ),
    ] = False,
    log: LogOption = None,
    offline: Annotated[bool, typer.Option("--offline", help="Guarantee no model call.")] = False,
    engine: Annotated[
        str | None, typer.Option("--engine", help="Engine for the prose (default: offline).")
    ] = None,
    today: TodayOption = None,
    fmt: FormatOption = "auto",
    verbose: VerboseOption = False,
) -> None:
    """Send the weekly reflection by e-mail: text and HTML with charts, the Markdown attached.

    Each message is written to the outbox in RREVIEW_HOME before it is sent. A week that
    was sent is not sent again without --force; a failed send stays in the outbox and the
    next run sends it first. Settings: the smtp and email tables of the config file, or
    RREVIEW_SMTP_* and RREVIEW_EMAIL_* (see the README). Exit 1 if the server cannot be
    reached or refuses; exit 2 for a missing or wrong setting.
    """
    if catch_up and (week or dry_run):
        raise UsageError("--catch-up picks the weeks itself: drop --week and --dry-run")
    settings = load_mail_settings(to, need_smtp=dry_run is None)
    config = load_config(log, engine)
    from rreview.engines.base import get_engine

    chosen_engine = get_engine(config.engine, offline=offline)
    target = parse_week(week) if week else week_of(parse_today(today)).previous()
    if dry_run is not None:
        _write_dry_run(dry_run, target, settings, chosen_engine, config.log, fmt, verbose)
        return
    _send(
        target,
        settings,
        chosen_engine,
        config.log,
        fmt,
        verbose,
        force=force,
        catch_up=catch_up,
        explicit=week is not None,
    )


def _write_dry_run(
    path: Path,
    target: Week,
    settings: MailSettings,
    engine: Engine,
    log: Path,
    fmt: str,
    verbose: bool,
) -> None:
    from rreview.deliver.mail import as_text, weekly_message
    from rreview.log.capture import atomic_write

    path = path.expanduser()
    if not path.parent.is_dir():
        raise UsageError(f"--dry-run {path}: folder {path.parent} does not exist")
    snapshot = read_log_reporting(log, fmt, verbose)
    with _vectors(snapshot, verbose) as vectors:
        message, _ = weekly_message(snapshot.facts, target, engine, settings, log, vectors)
    atomic_write(path, as_text(message))
    info(f"{target.label}: written to {path}, not sent (subject: {message['Subject']})")


def _vectors(snapshot: LogSnapshot, verbose: bool) -> LogVectors:
    """The index brought up to date and its item vectors, as `week` reads them (the store of
    RREVIEW_STORE or the config file; locally, the question corpus' copy): the model embeds
    only what the index lacks."""
    from rreview.analyze.vectors import LogVectors
    from rreview.config import resolve_store
    from rreview.paths import index_dir

    store = resolve_store()
    refresh_index(snapshot, verbose, store)
    return LogVectors(snapshot, index_dir(snapshot.root), store)


def _weeks(outbox: Outbox, target: Week, catch_up: bool) -> list[Week]:
    """`target`, or with `catch_up` the weeks since the last one sent (the latest few)."""
    from rreview.deliver.outbox import missed_weeks

    if not catch_up:
        return [target]
    weeks = missed_weeks(outbox.last_sent(), target)
    if len(weeks) > MAX_CATCH_UP:
        skipped = weeks[:-MAX_CATCH_UP]
        info(
            f"{len(skipped)} older missed weeks not sent ({skipped[0].label} to "
            f"{skipped[-1].label}); send one with --week"
        )
    return weeks[-MAX_CATCH_UP:]


def _send(
    target: Week,
    settings: MailSettings,
    engine: Engine,
    log: Path,
    fmt: str,
    verbose: bool,
    *,
    force: bool,
    catch_up: bool,
    explicit: bool,
) -> None:
    from rreview.deliver.mail import as_text, weekly_message
    from rreview.deliver.outbox import Outbox, send_queued

    smtp = settings.smtp
    if smtp is None:  # load_mail_settings(need_smtp=True) always sets it
        raise UsageError("no SMTP settings")
    if smtp.security == "none" and smtp.user and smtp.host not in LOOPBACK:
        warn("warning: security = none: the SMTP password crosses the network unencrypted")
    outbox = Outbox(data_home() / "email")
    with outbox.locked():
        for path in outbox.queued():
            info(f"{path.stem}: kept in the outbox by an earlier run; retrying")
        snapshot: LogSnapshot | None = None
        vectors: LogVectors | None = None
        for week in _weeks(outbox, target, catch_up):
            sent = outbox.sent(week.label)
            if sent and not force:
                info(
                    f"{week.label}: already sent {sent.sent_at} to {', '.join(sent.recipients)}"
                    " (--force sends it again)"
                )
                continue
            if outbox.queued_path(week.label).exists() and not force:
                continue  # a send that failed earlier: sent below, as it was written
            if snapshot is None:
                snapshot = read_log_reporting(log, fmt, verbose)
            facts = snapshot.facts
            if not explicit and not any(week.contains(f.item.date) for f in facts):
                info(f"{week.label}: nothing logged, nothing sent (--week {week.label} sends it)")
                continue
            vectors = vectors or _vectors(snapshot, verbose)
            message, _ = weekly_message(facts, week, engine, settings, log, vectors)
            path = outbox.queue(week.label, as_text(message))
            if verbose:
                info(f"{week.label}: written to {path}")
        if vectors is not None:
            vectors.close()
        if not outbox.queued():
            return
        try:
            send_queued(
                outbox,
                smtp,
                on_sent=lambda e: info(f"{e.week}: sent to {', '.join(e.recipients)}"),
            )
        except OperationError as exc:
            waiting = outbox.queued()
            raise OperationError(
                f"{exc.message}; {len(waiting)} message{'s' if len(waiting) != 1 else ''} "
                f"kept in {outbox.queue_dir} for the next run"
            ) from None
