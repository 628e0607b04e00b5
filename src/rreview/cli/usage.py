"""`rreview usage`: the tokens each engine call used, per day, model and prompt."""

from __future__ import annotations

from typing import Annotated

import typer

from rreview.cli.common import JsonOption, handle_errors, print_json
from rreview.errors import UsageError


@handle_errors
def usage(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only calls from this date on.", metavar="YYYY-MM-DD"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show token usage of the model engines (cache hits cost nothing and are counted apart)."""
    from datetime import date

    from rreview.engines.cache import EngineCache

    try:
        start = date.fromisoformat(since) if since else None
    except ValueError as exc:
        raise UsageError(f"--since '{since}': expected a date as YYYY-MM-DD") from exc
    cache = EngineCache()
    try:
        rows = cache.usage(start)
    finally:
        cache.close()
    total_in = sum(r.input_tokens for r in rows)
    total_out = sum(r.output_tokens for r in rows)
    calls = sum(r.calls for r in rows)
    cached = sum(r.cached for r in rows)
    if as_json:
        print_json(
            {
                "rows": [
                    {
                        "day": r.day.isoformat(),
                        "engine": r.engine,
                        "model": r.model,
                        "prompt": r.prompt,
                        "calls": r.calls,
                        "cached": r.cached,
                        "input_tokens": r.input_tokens,
                        "output_tokens": r.output_tokens,
                    }
                    for r in rows
                ],
                "total": {
                    "calls": calls,
                    "cached": cached,
                    "input_tokens": total_in,
                    "output_tokens": total_out,
                },
            }
        )
        return
    if not rows:
        print("No model engine has been called yet (the offline engine uses no tokens).")
        return
    print("| day | engine | model | prompt | calls | cached | input tokens | output tokens |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.day.isoformat()} | {r.engine} | {r.model} | {r.prompt} | {r.calls} | "
            f"{r.cached} | {r.input_tokens} | {r.output_tokens} |"
        )
    print(
        f"\nTotal: {calls} calls ({cached} from the cache), {total_in} input and "
        f"{total_out} output tokens."
    )
