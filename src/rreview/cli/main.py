"""The `rreview` command: one Typer app whose commands are imported only when run.

`rreview add` is typed many times a day, so start-up must cost only what the command needs:
the command table below names each command's module, and the module is imported when (and
only when) that command is run or its own help is asked for. `rreview --help` imports no
command module at all: it prints the one-line help kept in the table (a test checks that it
matches each command's docstring). Help is plain text: Typer's rich help costs ~0.1 s more.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:  # typer vendors its own click: the annotations name that one
    from typer import _click as click

# name -> (module under rreview.cli, attribute: a command function or a Typer app, short help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "today": (
        "capture",
        "today",
        "Open today's page, creating it with yesterday's unfinished to-dos carried over.",
    ),
    "add": (
        "capture",
        "add",
        "Append one bullet to today's \"What was done\" (creating today's page if needed).",
    ),
    "index": (
        "index",
        "index",
        "Embed new or changed entries into the index (incremental; the index is a cache).",
    ),
    "status": (
        "status",
        "status",
        "Show, per file of the log, whether it is indexed, when, in which format, how many "
        "days and items it holds, and why it was skipped; then totals and the index location.",
    ),
    "facts": (
        "facts",
        "facts",
        "List every fact extracted from the log (to-dos, estimates, bugs, predictions, "
        "sources, ideas) with its file and line, and whether notation or the prose "
        "heuristics found it.",
    ),
    "week": (
        "week",
        "week",
        "Write the weekly reflection: done, carried to-dos, bugs, estimates, predictions, ideas.",
    ),
    "ask": ("ask", "ask", "Answer a question from the log, citing entry dates."),
    "engines": (
        "engines",
        "engines",
        "List the engines: the one in use, its model, whether its key is set (never the key).",
    ),
    "usage": (
        "usage",
        "usage",
        "Show token usage of the model engines (cache hits cost nothing and are counted apart).",
    ),
    "email": (
        "email",
        "email",
        "Send the weekly reflection by e-mail: text and HTML with charts, the Markdown attached.",
    ),
    "eval": (
        "evaluate",
        "evaluate",
        "Score extraction, bug families, retrieval, answers and weekly reports against gold; "
        "exit 1 when a metric is under its threshold in evals/thresholds.json.",
    ),
    "bugs": (
        "analyses",
        "bugs",
        "Recurring bugs: bug mentions grouped into families across days, however worded.",
    ),
    "estimates": (
        "analyses",
        "estimates",
        "Estimate against actual: your planning multiplier, overruns and the trend by week.",
    ),
    "predictions": (
        "analyses",
        "predictions",
        "Predictions against outcomes: the errors, most off first, and your calibration.",
    ),
    "focus": (
        "analyses",
        "focus",
        "Focus by week: the themes of your done work and each theme's share of every week.",
    ),
    "sources": (
        "analyses",
        "sources",
        "Where ideas and findings came from (paper, chat, talk, ...), counted per week.",
    ),
    "todos": (
        "analyses",
        "todos",
        "Plan against done: completion per week, to-dos carried longest, to-dos dropped.",
    ),
    "ideas": (
        "analyses",
        "ideas",
        "The idea backlog: ideas still waiting (oldest first) and those acted on later.",
    ),
    "schedule": (
        "schedule",
        "app",
        "Run `rreview index; rreview email --catch-up` every week, from cron (or systemd).",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the module of command `name` and build its click command."""
    module, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(f"rreview.cli.{module}"), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(
        add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None
    )
    single.command(name=name)(target)
    return typer.main.get_command(single)


class LazyGroup(TyperGroup):
    """A group that lists commands from `COMMANDS` and imports one only to run it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="rreview",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def main() -> None:
    """Feedback from your research log: weekly reflection, recurring bugs, estimates."""


def run() -> None:
    """Console-script entry point."""
    app()
