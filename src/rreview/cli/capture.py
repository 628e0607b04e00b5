"""`rreview today` and `rreview add`: fast, no model, no store."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from rreview.cli.common import LogOption, TodayOption, handle_errors, info, parse_today
from rreview.config import resolve_log
from rreview.log.capture import add_done, start_day


@handle_errors
def today(log: LogOption = None, today: TodayOption = None) -> None:
    """Open today's page, creating it with yesterday's unfinished to-dos carried over."""
    log_path = resolve_log(log)
    day = parse_today(today)
    previous: list[date | None] = [None]

    def carried() -> list[str]:
        from rreview.analyze.todos import carry_over  # reads the last day: only for a new page

        previous[0], todos = carry_over(log_path, day)
        return todos

    result = start_day(log_path, day, carried)
    if result.created:
        origin = f" from {previous[0].isoformat()}" if previous[0] else ""
        info(f"created {result.path}: {result.carried} to-dos carried over{origin}")
    else:
        info(f"{result.path} already has {day.isoformat()}; left as it is")
    print(result.path)


@handle_errors
def add(
    text: Annotated[str, typer.Argument(help='What was done, e.g. "fixed NaN #bug (took 3h)".')],
    log: LogOption = None,
    today: TodayOption = None,
) -> None:
    """Append one bullet to today's "What was done" (creating today's page if needed)."""
    log_path = resolve_log(log)
    day = parse_today(today)

    def carried() -> list[str]:
        from rreview.analyze.todos import carry_over  # reads the last day: only for a new page

        return carry_over(log_path, day)[1]

    result = add_done(log_path, day, text, carried)
    where = f"{result.path}:{result.line}"
    info(
        f"added to {where}"
        + (f" (new page, {result.carried} to-dos carried)" if result.created else "")
    )
