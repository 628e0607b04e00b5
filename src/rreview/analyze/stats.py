"""Small numeric helpers shared by the analyses."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def fmt_hours(hours: float) -> str:
    """2.0 -> "2h", 0.5 -> "30m", 1.25 -> "1h15m", 12.0 -> "12h"."""
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h}h{m:02d}m"
    return f"{h}h" if h else f"{m}m"


def fmt_ratio(ratio: float) -> str:
    """2.0 -> "2.0x", 1.25 -> "1.25x", 0.75 -> "0.75x", 1.6667 -> "1.67x": two decimals,
    trailing zeros dropped down to one."""
    text = f"{ratio:.2f}"
    return (text[:-1] if text.endswith("0") else text) + "x"
