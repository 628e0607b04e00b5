"""Options, output and error handling shared by every command."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from rreview.errors import RreviewError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

LogOption = Annotated[
    Path | None,
    typer.Option("--log", help="Log folder or file (else RREVIEW_LOG, else the config file)."),
]
TodayOption = Annotated[
    str | None,
    typer.Option("--today", help="Take this date (YYYY-MM-DD) as today.", metavar="YYYY-MM-DD"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print structured data (JSON).")]
VerboseOption = Annotated[
    bool, typer.Option("-v", "--verbose", help="Say what was read, skipped and done.")
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Where the vectors live: a Chroma server for team mode (http://host:8000), or "
        "'local' (else RREVIEW_STORE, else store in the config file, else local).",
        metavar="URL",
    ),
]
CollectionOption = Annotated[
    str | None,
    typer.Option(
        "--collection",
        help="Collection on the Chroma server (else RREVIEW_COLLECTION, else collection in "
        "the config file, else rreview-<user>).",
        metavar="NAME",
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="Log format: auto (detected per file), or native, obsidian, logseq, notion, jrnl, "
        "org, blog, chronicle.",
    ),
]


def parse_today(value: str | None) -> date:
    """`--today` as a date, defaulting to the real today."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--today '{value}': expected a date as YYYY-MM-DD") from exc


def warn(message: str) -> None:
    """One line on stderr."""
    print(f"rreview: {message}", file=sys.stderr)


def info(message: str) -> None:
    """A progress or status line on stderr (stdout is kept for the command's output)."""
    print(message, file=sys.stderr)


def print_json(data: Any) -> None:
    """Structured output on stdout."""
    print(json.dumps(data, indent=2, ensure_ascii=False))


def handle_errors(func: F) -> F:
    """Turn domain errors into one line on stderr and their exit code (traceback: RREVIEW_DEBUG)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RreviewError as exc:
            if os.environ.get("RREVIEW_DEBUG"):
                raise
            warn(f"error: {exc.message}")
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]
