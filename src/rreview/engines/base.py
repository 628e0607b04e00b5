"""The engine interface and registry: every engine, built in or not, is registered the same way.

An engine writes prose from what the analyses and retrieval computed: the "In one look"
summary of a week, and the answer to a question. Built-in engines (offline, openai,
anthropic, openai-compatible) register here exactly as a third-party one would, from a
package's `rreview.engines` entry point. Importing this module or listing the engines
imports no SDK: an engine imports its SDK only when it is asked to write.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from rreview.config import EngineConfig
from rreview.errors import UsageError

if TYPE_CHECKING:  # annotations only: `week` must not pay for retrieval's imports
    from rreview.analyze.week import WeekFacts
    from rreview.report.model import ReportSection
    from rreview.retrieve.hybrid import Evidence
    from rreview.retrieve.when import DateRange

TextSink = Callable[[str], None]
BUILTIN_MODULES = {
    "offline": "rreview.engines.offline",
    "openai": "rreview.engines.openai",
    "anthropic": "rreview.engines.anthropic",
    "openai-compatible": "rreview.engines.compatible",
}
ENTRY_POINT_GROUP = "rreview.engines"


@dataclass(frozen=True)
class AnswerRequest:
    """What an engine answers from: the question, the retrieved evidence (best first) and,
    for an aggregate question, the analysis tables."""

    question: str
    evidence: tuple[Evidence, ...]
    route: str = "lookup"  # lookup | bugs | estimates | predictions | todos
    sections: tuple[ReportSection, ...] = ()
    window: DateRange | None = None
    outside: tuple[Evidence, ...] = ()  # best matches outside `window`, when none inside
    chronological: bool = False  # "when did X first ...": earliest first
    today: date | None = None

    def dates(self) -> set[date]:
        """Every date the answer may cite."""
        days = {e.date for e in self.evidence if e.relevant}
        days |= {d for s in self.sections for line in s.lines for d in line.dates}
        return days


@dataclass(frozen=True)
class Answer:
    """An answer and what was checked about it."""

    text: str
    citations: tuple[date, ...]
    found: bool = True
    engine: str = "offline"
    model: str | None = None
    removed: tuple[str, ...] = ()  # citations dropped: not among the evidence
    uncited: tuple[str, ...] = ()  # sentences left without a valid citation
    notices: tuple[str, ...] = ()
    streamed: bool = False  # the text was already printed as it came


@dataclass(frozen=True)
class Preview:
    """What `--dry-run` shows: the exact text that would be sent, after redaction."""

    engine: str
    model: str
    prompt: str  # "answer v1"
    text: str
    tokens: int  # an estimate
    redacted: str  # "2 e-mail addresses"


class Engine(Protocol):
    """Writes the prose of reports and answers from computed facts and retrieved items.

    Declared facts: `name`; `needs_network` (refused under --offline); `can_stream`;
    `needs_key` and `key_env_var` (the variable `rreview engines` checks, never printing
    its value); `default_model`. `notices` collects what the user should be told
    (a fallback, removed citations) for the command to print.
    """

    notices: list[str]

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def needs_network(self) -> bool: ...
    @property
    def can_stream(self) -> bool: ...
    @property
    def needs_key(self) -> bool: ...
    @property
    def key_env_var(self) -> str | None: ...
    @property
    def default_model(self) -> str | None: ...
    @property
    def model(self) -> str | None: ...

    def week_summary(self, facts: WeekFacts) -> ReportSection:
        """The "In one look" section: the week in a few lines, each citing its dates."""
        ...

    def answer(self, request: AnswerRequest, on_text: TextSink | None = None) -> Answer:
        """Answer `request.question` from its evidence; stream text to `on_text` if given."""
        ...

    def preview_week(self, facts: WeekFacts) -> Preview | None:
        """What `week --dry-run` would send (None: this engine sends nothing)."""
        ...

    def preview_answer(self, request: AnswerRequest) -> Preview | None:
        """What `ask --dry-run` would send (None: this engine sends nothing)."""
        ...


EngineFactory = Callable[[EngineConfig], Engine]


@dataclass
class Registry:
    """Engine factories by name, with the facts `rreview engines` lists."""

    factories: dict[str, EngineFactory] = field(default_factory=dict)
    loaded: bool = False


REGISTRY = Registry()


def register(name: str) -> Callable[[EngineFactory], EngineFactory]:
    """Register an engine factory under `name` (a function of the engine settings)."""

    def wrap(factory: EngineFactory) -> EngineFactory:
        REGISTRY.factories[name] = factory
        return factory

    return wrap


def load_engines() -> dict[str, EngineFactory]:
    """Every registered engine: the built-in modules, then installed plugins."""
    if not REGISTRY.loaded:
        for module in BUILTIN_MODULES.values():
            importlib.import_module(module)
        from importlib.metadata import entry_points

        for point in entry_points(group=ENTRY_POINT_GROUP):
            point.load()  # a plugin module registers itself on import
        REGISTRY.loaded = True
    return REGISTRY.factories


def get_engine(config: EngineConfig | str, offline: bool = False) -> Engine:
    """The engine `config.name`, set up; under --offline a network engine is refused
    when named on the command line, and replaced by the offline engine (with a notice)
    when it came from the environment or the config file."""
    if isinstance(config, str):  # a name already resolved by the caller (env, config file)
        from dataclasses import replace

        from rreview.config import load_engine_config

        config = replace(load_engine_config(None, offline=offline), name=config)
    if config.name in BUILTIN_MODULES:  # only the module asked for: start-up stays cheap
        importlib.import_module(BUILTIN_MODULES[config.name])
        importlib.import_module(BUILTIN_MODULES["offline"])
    factories = REGISTRY.factories if config.name in REGISTRY.factories else load_engines()
    if config.name not in factories:
        raise UsageError(
            f"unknown engine '{config.name}' (available: {', '.join(sorted(factories))})"
        )
    engine = factories[config.name](config)
    if (config.offline or offline) and engine.needs_network:
        if config.explicit:
            raise UsageError(f"engine '{config.name}' needs the network, but --offline was given")
        fallback = factories["offline"](config)
        fallback.notices.append(
            f"offline: the '{config.name}' engine (from RREVIEW_ENGINE or the config file) "
            "needs the network; using the offline engine"
        )
        return fallback
    return engine
