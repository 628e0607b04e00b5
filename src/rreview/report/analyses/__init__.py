"""The analyses as report sections (every line citing its days) and as stable JSON.

One module per command; the JSON shapes are documented in the README ("Analyses") and
change only with it. Shared helpers here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from rreview.extract.facts import ItemFacts


def iso(days: Sequence[date]) -> list[str]:
    """Dates as sorted ISO strings, each once."""
    return [d.isoformat() for d in sorted(set(days))]


def rounded(value: float | None, digits: int = 4) -> float | None:
    """A number for JSON: rounded, None kept."""
    return None if value is None else round(value, digits)


def plural(count: int, noun: str) -> str:
    """ "1 bug mention", "2 bug mentions"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 3 -> "3rd", 11 -> "11th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def item_json(f: ItemFacts) -> dict[str, Any]:
    """An item as JSON: its date, its words, where it is."""
    return {
        "date": f.item.date.isoformat(),
        "text": f.task or f.item.text,
        "file": f.item.file,
        "line": f.item.line,
    }
