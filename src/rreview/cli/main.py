"""The `rreview` command: one Typer app, commands registered from their modules."""

from __future__ import annotations

import typer

from rreview.cli import (
    analyses,
    ask,
    capture,
    email,
    engines,
    evaluate,
    facts,
    index,
    schedule,
    status,
    usage,
    week,
)

app = typer.Typer(
    name="rreview",
    help="Feedback from your research log: weekly reflection, recurring bugs, estimates.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(capture.today)
app.command()(capture.add)
app.command()(index.index)
app.command()(status.status)
app.command()(facts.facts)
app.command()(week.week)
app.command()(ask.ask)
app.command()(engines.engines)
app.command()(usage.usage)
app.command()(email.email)
app.add_typer(schedule.app, name="schedule")
app.command(name="eval")(evaluate.evaluate)
app.command()(analyses.bugs)
app.command()(analyses.estimates)
app.command()(analyses.predictions)
app.command()(analyses.focus)
app.command()(analyses.sources)
app.command()(analyses.todos)
app.command()(analyses.ideas)


def run() -> None:
    """Console-script entry point."""
    app()
