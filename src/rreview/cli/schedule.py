"""`rreview schedule install | remove | show`: the weekly e-mail in cron (or systemd)."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rreview.cli.common import JsonOption, LogOption, handle_errors, info, print_json, warn
from rreview.config import load_mail_settings, resolve_log
from rreview.errors import OperationError, UsageError
from rreview.paths import config_file, data_home

if TYPE_CHECKING:
    from rreview.deliver.schedule import WeeklyJob

app = typer.Typer(
    name="schedule",
    help="Run `rreview index; rreview email --catch-up` every week, from cron (or systemd).",
    no_args_is_help=True,
)

CRONTAB_FILE_ENV = "RREVIEW_CRONTAB_FILE"  # a crontab kept in a file instead of the user's
CARRIED = (  # settings from this shell the scheduled run needs too (never a secret)
    "RREVIEW_LOG",
    "RREVIEW_ENGINE",
    "RREVIEW_MODEL",
    "RREVIEW_SMTP_HOST",
    "RREVIEW_SMTP_PORT",
    "RREVIEW_SMTP_SECURITY",
    "RREVIEW_SMTP_USER",
    "RREVIEW_EMAIL_FROM",
    "RREVIEW_EMAIL_TO",
)
SECRETS = ("RREVIEW_SMTP_PASSWORD", "OPENAI_API_KEY", "ANTHROPIC_API_KEY")

CronOption = Annotated[
    str | None,
    typer.Option(
        "--cron",
        help='When to run, as a cron schedule (default "0 8 * * MON": Mondays at 08:00).',
        metavar="EXPR",
    ),
]


def _crontab_file() -> Path | None:
    value = os.environ.get(CRONTAB_FILE_ENV)
    return Path(value).expanduser() if value else None


def _where() -> str:
    tabfile = _crontab_file()
    return f"crontab file {tabfile}" if tabfile else "your crontab"


def _rreview_program() -> str:
    beside = Path(sys.executable).parent / "rreview"
    if beside.exists():
        return str(beside.absolute())
    found = shutil.which("rreview")
    if not found:
        raise UsageError("cannot find the `rreview` program to schedule (is it installed?)")
    return str(Path(found).absolute())


def _weekly_job(log: Path | None) -> WeeklyJob:
    from rreview.deliver.schedule import WeeklyJob

    program = _rreview_program()
    env = {"RREVIEW_HOME": str(data_home().absolute()), "RREVIEW_CONFIG": str(config_file())}
    env |= {name: os.environ[name] for name in CARRIED if os.environ.get(name)}
    if log is not None:
        env["RREVIEW_LOG"] = str(log.absolute())
    return WeeklyJob(
        index=(program, "index"),
        email=(program, "email", "--catch-up"),
        env=env,
        log_file=data_home().absolute() / "logs" / "schedule.log",
    )


@app.command()
@handle_errors
def install(cron: CronOption = None, log: LogOption = None) -> None:
    """Install the one crontab entry (replacing an earlier one): index, then send the week's
    e-mail, catching up missed weeks; output appended to RREVIEW_HOME/logs/schedule.log."""
    from rreview.deliver.schedule import DEFAULT_CRON, check_cron, install, open_crontab

    expression = check_cron(cron or DEFAULT_CRON)
    resolved_log = resolve_log(log)  # the run must find the log: checked now, not at 8 am
    load_mail_settings(need_smtp=True)  # likewise every e-mail setting
    job = _weekly_job(log and resolved_log)
    for name in SECRETS:
        if os.environ.get(name):
            warn(
                f"warning: {name} is set in this shell but is not written into the crontab "
                "(a secret); the scheduled run will not have it: put it in the config file "
                "(for SMTP, password_command)"
            )
    job.log_file.parent.mkdir(parents=True, exist_ok=True)
    tab = open_crontab(_crontab_file())
    replaced = install(tab, expression, job.shell())
    verb = "replaced the rreview entry in" if replaced else "added one entry to"
    info(f"{verb} {_where()}: {expression}, output to {job.log_file}")
    _print_runs(_next_runs(expression))


@app.command()
@handle_errors
def remove() -> None:
    """Remove the rreview entry from the crontab (other entries are left alone)."""
    from rreview.deliver.schedule import open_crontab, remove

    removed = remove(open_crontab(_crontab_file()))
    if removed:
        info(f"removed the rreview entry from {_where()}")
    else:
        info(f"no rreview entry in {_where()}: nothing to remove")


@app.command()
@handle_errors
def show(
    systemd: Annotated[
        bool,
        typer.Option(
            "--systemd",
            help="Print the same schedule as a systemd user service and timer instead.",
        ),
    ] = False,
    cron: CronOption = None,
    log: LogOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the installed entry and its next five run times (or, with --systemd, the
    equivalent systemd user timer, for machines without cron)."""
    from rreview.deliver.schedule import DEFAULT_CRON, check_cron, find_entry, open_crontab

    if systemd:
        expression = check_cron(cron or _installed_cron() or DEFAULT_CRON)
        _print_systemd(expression, log)
        return
    entry = None if cron else find_entry(open_crontab(_crontab_file()))
    shown: str | None = check_cron(cron) if cron else entry.cron if entry else None
    runs = _next_runs(shown) if shown else []
    if as_json:
        print_json(
            {
                "installed": entry is not None,
                "crontab": str(_crontab_file() or "user"),
                "cron": shown,
                "command": entry.command if entry else None,
                "next_runs": [when.isoformat() for when in runs],
            }
        )
        return
    if entry is not None:
        print(f"installed in {_where()}: {entry.cron}")
        print(f"runs: {entry.command}")
    elif not cron:
        print(f"not installed: no rreview entry in {_where()} (`rreview schedule install`)")
    _print_runs(runs)


def _installed_cron() -> str | None:
    """The installed entry's schedule, if a crontab can be read at all."""
    from rreview.deliver.schedule import find_entry, open_crontab

    try:
        entry = find_entry(open_crontab(_crontab_file()))
    except OperationError:
        return None
    return entry.cron if entry else None


def _next_runs(expression: str) -> list[datetime]:
    from rreview.deliver.schedule import next_runs

    return next_runs(expression, datetime.now().astimezone())


def _print_runs(runs: list[datetime]) -> None:
    if runs:
        print("next runs:")
    for when in runs:
        print(f"  {when:%a %Y-%m-%d %H:%M %Z}")


def _print_systemd(expression: str, log: Path | None) -> None:
    from rreview.deliver.schedule import UNIT, systemd_dir, systemd_units

    job = _weekly_job(log and resolve_log(log))
    service, timer = systemd_units(job, expression)
    folder = systemd_dir()
    print(f"# {folder / f'{UNIT}.service'}\n{service}")
    print(f"# {folder / f'{UNIT}.timer'}\n{timer}")
    print(
        "# then: mkdir -p "
        f"{job.log_file.parent} && systemctl --user daemon-reload && "
        f"systemctl --user enable --now {UNIT}.timer"
    )
    print("# Persistent=true runs a missed week when the machine is next on.")
