"""The weekly run, scheduled: one crontab entry (python-crontab), its next run times
(croniter), and the same schedule as a systemd user timer for machines without cron.

The entry runs `rreview index; rreview email --catch-up` with the environment rreview
needs written into it (never a secret), appending its output to `RREVIEW_HOME/logs/`.
The e-mail runs even if indexing failed: it reads the log itself, and a broken index
must not cost the week's report.
python-crontab and croniter are imported inside the functions that use them.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rreview.errors import OperationError, UsageError

if TYPE_CHECKING:
    from crontab import CronTab

MARKER = "rreview weekly e-mail"  # the entry's comment: how install and remove find it
DEFAULT_CRON = "0 8 * * MON"
UNIT = "rreview-email"
SPECIALS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class WeeklyJob:
    """What the schedule runs: the programs, their environment, where their output goes."""

    index: tuple[str, ...]  # argv of the first step, whose failure does not stop the second
    email: tuple[str, ...]
    env: Mapping[str, str]
    log_file: Path

    def shell(self) -> str:
        """The job as one /bin/sh command line (what goes into the crontab)."""
        exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in self.env.items())
        chain = f"{shlex.join(self.index)}; {shlex.join(self.email)}"
        log = shlex.quote(str(self.log_file))
        prefix = f"export {exports}; " if exports else ""
        return f"{prefix}{{ date; {chain}; }} >> {log} 2>&1"


def check_cron(expression: str) -> str:
    """`expression` normalised, or a UsageError saying what a cron expression looks like."""
    from croniter import croniter

    text = " ".join(expression.split())
    if text.lower() == "@reboot" or not croniter.is_valid(text):
        raise UsageError(
            f"--cron '{expression}': not a cron schedule (five fields: minute hour day month "
            f'weekday, e.g. "{DEFAULT_CRON}", or @daily, @weekly)'
        )
    return text


def next_runs(expression: str, after: datetime, count: int = 5) -> list[datetime]:
    """The next `count` times `expression` fires after `after` (local time if `after` is)."""
    from croniter import croniter

    runs = croniter(expression, after)
    return [runs.get_next(datetime) for _ in range(count)]


def open_crontab(tabfile: Path | None) -> CronTab:
    """The user's crontab, or `tabfile` instead (tests, or a crontab kept in a file)."""
    from crontab import CronTab

    if tabfile is not None:
        tabfile.parent.mkdir(parents=True, exist_ok=True)
        tabfile.touch(exist_ok=True)
        return CronTab(tabfile=str(tabfile))
    try:
        return CronTab(user=True)
    except OSError as exc:
        raise OperationError(
            f"cannot read your crontab ({exc}); on a machine without cron, "
            "`rreview schedule show --systemd` prints a systemd user timer instead"
        ) from None


def _write(tab: CronTab) -> None:
    try:
        tab.write()
    except OSError as exc:
        raise OperationError(f"cannot write the crontab: {exc}") from None


@dataclass(frozen=True)
class Installed:
    """The rreview entry found in a crontab."""

    cron: str
    command: str


def find_entry(tab: CronTab) -> Installed | None:
    """The rreview entry of `tab`, if there is one."""
    for job in tab.find_comment(MARKER):
        return Installed(str(job.slices), str(job.command))
    return None


def install(tab: CronTab, expression: str, command: str) -> int:
    """Put the one rreview entry in `tab` (replacing any there); returns how many it replaced."""
    replaced = remove(tab, write=False)
    job = tab.new(command=command, comment=MARKER)
    job.setall(expression)
    _write(tab)
    return replaced


def remove(tab: CronTab, write: bool = True) -> int:
    """Take the rreview entries out of `tab`; returns how many there were."""
    found = len(list(tab.find_comment(MARKER)))
    if found:
        tab.remove_all(comment=MARKER)
        if write:
            _write(tab)
    return found


# --- systemd -----------------------------------------------------------------------------


def _field(value: str, first: int, names: Sequence[str] = ()) -> str:
    """One cron field (not the weekday) in OnCalendar syntax: `*`, `5`, `1-5` -> `01..05`,
    `*/15` -> `00/15`, lists; ValueError for what has no equivalent (a range with a step)."""
    if value == "*":
        return "*"
    out = []
    for part in value.split(","):
        span, _, step = part.partition("/")
        low, _, high = span.partition("-")
        if step and high:
            raise ValueError(part)
        if step:
            start = first if low == "*" else _number(low, names)
            out.append(f"{start:02d}/{int(step)}")
        elif high:
            out.append(f"{_number(low, names):02d}..{_number(high, names):02d}")
        else:
            out.append(f"{_number(low, names):02d}")
    return ",".join(out)


def _number(text: str, names: Sequence[str]) -> int:
    """A field value: a number, or a month name (JAN is 1)."""
    if text.upper() in names:
        return names.index(text.upper()) + 1
    return int(text)


def _weekday(value: str) -> str:
    if value == "*":
        return ""
    upper = tuple(day.upper() for day in DAYS)

    def day(text: str) -> str:
        if text.upper() in upper:
            return DAYS[upper.index(text.upper())]
        return DAYS[int(text) % 7]  # 0 and 7 are Sunday

    parts = []
    for part in value.split(","):
        if "/" in part:
            raise ValueError(part)
        low, _, high = part.partition("-")
        parts.append(f"{day(low)}..{day(high)}" if high else day(low))
    return ",".join(parts) + " "


def on_calendar(expression: str) -> str:
    """A cron expression as a systemd OnCalendar value (`0 8 * * MON` -> `Mon *-*-* 08:00:00`);
    a UsageError for what OnCalendar cannot say the same way."""
    fields = SPECIALS.get(expression, expression).split()
    minute, hour, dom, month, dow = fields
    if dom != "*" and dow != "*":
        raise UsageError(
            f"'{expression}': cron runs when the day of month OR the weekday matches, "
            "OnCalendar needs both; write the timer's OnCalendar by hand"
        )
    try:
        return (
            f"{_weekday(dow)}*-{_field(month, 1, MONTHS)}-{_field(dom, 1)} "
            f"{_field(hour, 0)}:{_field(minute, 0)}:00"
        )
    except ValueError as exc:
        raise UsageError(
            f"'{expression}': cannot translate '{exc}' into OnCalendar; "
            "write the timer's OnCalendar by hand"
        ) from None


def _systemd_quote(word: str) -> str:
    escaped = word.replace("%", "%%").replace("$", "$$")
    if escaped and not any(c in escaped for c in " \t\"'\\;"):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(job: WeeklyJob, expression: str) -> tuple[str, str]:
    """The service and the timer running `job` on the schedule `expression`."""
    environment = "".join(
        f"Environment={_systemd_quote(f'{name}={value}')}\n" for name, value in job.env.items()
    )
    index = " ".join(_systemd_quote(word) for word in job.index)
    email = " ".join(_systemd_quote(word) for word in job.email)
    steps = f"ExecStart=-{index}\nExecStart={email}\n"  # "-": go on if indexing fails
    log = _systemd_quote(f"append:{job.log_file}")
    service = (
        "[Unit]\n"
        "Description=rreview: index the research log and send the weekly e-mail\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"{environment}{steps}"
        f"StandardOutput={log}\n"
        f"StandardError={log}\n"
    )
    timer = (
        "[Unit]\n"
        "Description=rreview weekly e-mail\n\n"
        "[Timer]\n"
        f"OnCalendar={on_calendar(expression)}\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return service, timer


def systemd_dir() -> Path:
    """Where user units go."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"
