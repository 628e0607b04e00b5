"""The engine interface and registry: every engine, built in or not, is registered the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from rreview.analyze.week import WeekFacts
from rreview.errors import UsageError
from rreview.report.model import ReportSection


class Engine(Protocol):
    """Writes the summary prose of a report from facts computed by the analyses."""

    name: str
    needs_network: bool

    def week_summary(self, facts: WeekFacts) -> ReportSection:
        """The "In one look" section: the week in a few lines, each citing its dates."""
        ...


ENGINES: dict[str, Callable[[], Engine]] = {}


def register(name: str) -> Callable[[Callable[[], Engine]], Callable[[], Engine]]:
    """Register an engine factory under `name`."""

    def wrap(factory: Callable[[], Engine]) -> Callable[[], Engine]:
        ENGINES[name] = factory
        return factory

    return wrap


def get_engine(name: str, offline: bool = False) -> Engine:
    """The engine called `name`; `offline=True` refuses any engine that uses the network."""
    from rreview.engines import offline as _offline  # noqa: F401  (registers "offline")

    if name not in ENGINES:
        raise UsageError(f"unknown engine '{name}' (available: {', '.join(sorted(ENGINES))})")
    engine = ENGINES[name]()
    if offline and engine.needs_network:
        raise UsageError(f"engine '{name}' needs the network, but --offline was given")
    return engine
