"""What every model engine shares: prompts, redaction, the cache, usage, checking the reply.

A model engine (openai, anthropic, openai-compatible, or a plugin) implements one method,
`_call`, which sends a rendered prompt and yields text; everything else is here, so every
engine redacts, caches, counts and checks the same way.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rreview.analyze.week import WeekFacts
from rreview.config import EngineConfig
from rreview.engines.base import Answer, AnswerRequest, Preview, TextSink
from rreview.engines.cache import EngineCache, Usage, cache_key
from rreview.engines.citations import CITE_RE, StreamChecker, check_line
from rreview.engines.extractive import extractive_answer
from rreview.engines.prompts import RenderedPrompt, data_block, estimate_tokens, load_prompt
from rreview.engines.redact import describe, redact
from rreview.errors import OperationError, RreviewError, UsageError
from rreview.report.model import ReportLine, ReportSection
from rreview.report.week import computed_sections

NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
NO_CITATION = "(No valid citation: this answer is not supported by the log entries found.)"


@dataclass(frozen=True)
class SummaryCheck:
    """What checking one week's model summary did, kept for `rreview eval` to count: the
    lines dropped, the citations removed, and why the offline summary was used instead
    (None when the model's summary was kept)."""

    week: str
    dropped: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    fallback: str | None = None


class ModelEngine:
    """The shared part of the engines that call a model; subclasses implement `_call`."""

    name = "model"
    description = "a language model"
    needs_network = True
    can_stream = True
    needs_key = True
    key_env_var: str | None = None
    default_model: str | None = None

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.model: str | None = config.model or self.default_model
        self.notices: list[str] = []
        self.summary_checks: list[SummaryCheck] = []

    # --- what a subclass provides

    def _call(self, prompt: RenderedPrompt, on_text: TextSink | None) -> tuple[str, Usage]:
        """Send `prompt`, pass text chunks to `on_text` as they come; the text and usage."""
        raise NotImplementedError

    def endpoint(self) -> str:
        """Where requests go, for messages (no credentials)."""
        return self.config.base_url or "the default endpoint"

    def api_key(self) -> str | None:
        """The key, from the environment or the config file."""
        return self.config.api_key(self.key_env_var) if self.key_env_var else None

    # --- shared

    def check_ready(self) -> None:
        """Raise the usage error a call would raise (offline, no model, no key), so a caller
        that would otherwise fall back to the offline engine (`eval`) can stop first."""
        self._check_ready()

    def _check_ready(self) -> None:
        if self.config.offline:
            raise UsageError(f"engine '{self.name}' needs the network, but rreview is offline")
        if not self.model:
            raise UsageError(
                f"engine '{self.name}' needs a model: pass --model or set RREVIEW_MODEL"
            )
        if self.needs_key and not self.api_key():
            raise UsageError(
                f"engine '{self.name}' needs an API key: set {self.key_env_var} "
                f"(or {str(self.key_env_var).lower()} in the config file)"
            )

    def _redacted(self, prompt: RenderedPrompt) -> tuple[RenderedPrompt, str]:
        secrets = (self.api_key() or "",)
        system, user = redact(prompt.system, secrets), redact(prompt.user, secrets)
        sent = RenderedPrompt(prompt.id, prompt.version, prompt.max_tokens, system.text, user.text)
        return sent, describe(system.found + user.found)

    def preview(self, prompt: RenderedPrompt) -> Preview:
        """The prompt as it would be sent."""
        sent, found = self._redacted(prompt)
        return Preview(
            engine=self.name,
            model=self.model or "(no model set)",
            prompt=sent.label,
            text=sent.text(),
            tokens=estimate_tokens(sent.text()),
            redacted=found,
        )

    def complete(
        self,
        prompt: RenderedPrompt,
        on_text: TextSink | None = None,
        validate: Callable[[str], object] | None = None,
    ) -> str:
        """The model's reply to `prompt` (redacted first), from the cache when the same
        prompt version, model and input were sent before. `validate` raises on a reply not
        worth keeping, which is then not cached."""
        self._check_ready()
        sent, _ = self._redacted(prompt)
        model = str(self.model)
        key = cache_key(self.name, model, sent.id, sent.version, [self.endpoint(), sent.messages()])
        cache = EngineCache()
        try:
            hit = cache.get(key)
            if hit is not None:
                cache.record(self.name, model, sent.id, sent.version, hit[1], True, 0.0)
                if on_text:
                    on_text(hit[0])
                return hit[0]
            started = time.perf_counter()
            text, usage = self._call(sent, on_text)
            cache.record(
                self.name, model, sent.id, sent.version, usage, False, time.perf_counter() - started
            )
            if not text.strip():
                raise OperationError(f"{self.name}: the model ({model}) returned an empty reply")
            if validate:
                validate(text)
            cache.put(key, self.name, model, sent.id, sent.version, text, usage)
            return text
        finally:
            cache.close()

    # --- the weekly summary

    def _week_prompt(self, facts: WeekFacts) -> tuple[RenderedPrompt, set[date], str]:
        from rreview.engines.offline import OfflineEngine

        sections = [OfflineEngine().week_summary(facts), *computed_sections(facts)]
        records = [
            {
                "section": section.title,
                "text": line.text,
                "dates": [d.isoformat() for d in line.dates],
            }
            for section in sections
            for line in section.lines
        ]
        block = data_block("facts", records)
        values = {
            "week": facts.week.label,
            "start": facts.week.start.isoformat(),
            "end": facts.week.end.isoformat(),
            "facts": block,
        }
        allowed = {d for section in sections for line in section.lines for d in line.dates}
        return load_prompt("week").render(values), allowed, block

    def preview_week(self, facts: WeekFacts) -> Preview | None:
        """What `week --dry-run` would send."""
        return self.preview(self._week_prompt(facts)[0])

    def week_summary(self, facts: WeekFacts) -> ReportSection:
        """The model's "In one look"; on any failure the offline one, with a notice."""
        dropped: list[str] = []
        removed: list[str] = []
        try:
            prompt, allowed, block = self._week_prompt(facts)
            known = _numbers(block)
            lines: list[ReportLine] = []

            def parse(text: str) -> None:
                dropped.clear()
                removed.clear()
                lines[:] = summary_lines(text, allowed, known, dropped, removed)
                if not lines:
                    raise OperationError(
                        f"{self.name}: malformed reply: no line with a valid date citation"
                    )

            text = self.complete(prompt, validate=parse)
            if not lines:  # from the cache: parse it again
                parse(text)
            if dropped:
                self.notices.append(
                    f"{self.name}: {len(dropped)} line(s) of the summary dropped: "
                    + "; ".join(dropped[:3])
                )
            if removed:
                self.notices.append(
                    f"{self.name}: removed citation(s) to dates not in the facts: "
                    + ", ".join(removed)
                )
            self.summary_checks.append(
                SummaryCheck(facts.week.label, tuple(dropped), tuple(removed))
            )
            return ReportSection("In one look", tuple(lines))
        except RreviewError as exc:
            from rreview.engines.offline import OfflineEngine

            self.summary_checks.append(
                SummaryCheck(facts.week.label, tuple(dropped), tuple(removed), exc.message)
            )
            self.notices.append(
                f"{exc.message}; the summary was written by the offline engine instead"
            )
            return OfflineEngine().week_summary(facts)

    # --- answers

    def _answer_prompt(self, request: AnswerRequest) -> RenderedPrompt:
        evidence = [
            {
                "date": e.date.isoformat(),
                "text": e.text,
                **({"under": e.context} if e.context else {}),
            }
            for e in request.evidence
            if e.relevant
        ]
        tables = [
            {
                "table": section.title,
                "text": line.text,
                "dates": [d.isoformat() for d in line.dates],
                **({"data": line.data} if line.data else {}),
            }
            for section in request.sections
            for line in section.lines
        ]
        window = (
            f"The question is about {request.window.describe()} ({request.window.phrase!r})."
            if request.window
            else "The question names no dates."
        )
        values = {
            "question": data_block("question", [{"question": request.question}]),
            "window": window,
            "evidence": data_block("evidence", evidence),
            "tables": data_block("tables", tables),
        }
        return load_prompt("answer").render(values)

    def preview_answer(self, request: AnswerRequest) -> Preview | None:
        """What `ask --dry-run` would send."""
        return self.preview(self._answer_prompt(request))

    def answer(self, request: AnswerRequest, on_text: TextSink | None = None) -> Answer:
        """A short answer in prose, every sentence citing dates; citations checked as it
        streams: a date not among the evidence is removed and reported."""
        if not request.sections and not any(e.relevant for e in request.evidence):
            found = extractive_answer(request)  # nothing to ask the model about
            return Answer(found.text, found.citations, False, self.name, self.model)
        prompt = self._answer_prompt(request)
        checker = StreamChecker(request.dates())
        printed: list[str] = []

        def forward(chunk: str) -> None:
            out = checker.feed(chunk)
            if out and on_text:
                on_text(out)
            printed.append(out)

        try:
            self.complete(prompt, forward)
        except RreviewError:
            raise
        tail = checker.finish()
        if tail and on_text:
            on_text(tail)
        text = ("".join(printed) + tail).strip()
        report = checker.report
        notices = []
        if report.removed:
            notices.append(
                f"removed {len(report.removed)} citation(s) to dates not among the evidence: "
                + ", ".join(report.removed)
            )
        if report.stray_dates:
            notices.append(
                "the answer mentions dates not in the evidence: " + ", ".join(report.stray_dates)
            )
        if not report.ok:
            notices.append("the answer cites no date of the evidence")
            text = f"{text}\n{NO_CITATION}"
            if on_text:
                on_text("\n" + NO_CITATION)
        elif report.uncited:
            notices.append(f"{len(report.uncited)} sentence(s) cite no date")
        return Answer(
            text=text,
            citations=tuple(sorted(report.cited)),
            found=True,
            engine=self.name,
            model=self.model,
            removed=tuple(report.removed),
            uncited=tuple(report.uncited),
            notices=tuple(notices),
            streamed=on_text is not None,
        )


def _numbers(text: str) -> set[float]:
    return {float(n) for n in NUMBER_RE.findall(text)}


def summary_lines(
    text: str, allowed: set[date], known: set[float], dropped: list[str], removed: list[str]
) -> list[ReportLine]:
    """The model's summary as report lines: each needs a valid citation, and each number
    it states must be one of the computed facts (the model phrases, it never computes)."""
    from rreview.engines.citations import CitationCheck

    lines = []
    for raw in text.splitlines():
        stripped = BULLET_RE.sub("", raw).strip()
        if not stripped or stripped.startswith("#"):
            continue
        report = CitationCheck()
        checked = check_line(stripped, allowed, report)
        prose = CITE_RE.sub("", checked).strip()
        if not report.cited:
            cited = f" (cited {', '.join(report.removed)})" if report.removed else ""
            dropped.append(f'no valid citation{cited}: "{prose[:60]}"')
            continue
        removed += report.removed
        unknown = [n for n in NUMBER_RE.findall(prose) if float(n) not in known]
        if unknown:
            dropped.append(f'number {unknown[0]} is not in the computed facts: "{prose[:60]}"')
            continue
        lines.append(ReportLine.citing(prose, report.cited))
    return lines


def sdk_failure(engine: ModelEngine, exc: BaseException) -> RreviewError:
    """An SDK exception as one clear line; never the key, never a raw response body."""
    status = getattr(exc, "status_code", None)
    kind = type(exc).__name__
    where = redact(engine.endpoint()).text
    retries = engine.config.max_retries
    message = str(getattr(exc, "message", "") or exc)
    detail = redact(message).text.replace("\n", " ")[:200]
    if "Timeout" in kind:
        return OperationError(
            f"{engine.name}: no reply from {where} within {engine.config.timeout:g} s "
            "(timeout; set RREVIEW_TIMEOUT to wait longer)"
        )
    if kind == "APIConnectionError":
        return OperationError(f"{engine.name}: cannot reach {where} (connection failed)")
    if status == 401:
        return UsageError(
            f"{engine.name}: the API key was rejected (401 unauthorized); "
            f"check {engine.key_env_var}"
        )
    if status == 403:
        return UsageError(f"{engine.name}: permission denied (403) for model '{engine.model}'")
    if status == 404:
        return UsageError(
            f"{engine.name}: model '{engine.model}' not found at {where} (404); "
            "choose one with --model"
        )
    if status == 429:
        return OperationError(
            f"{engine.name}: rate limited (429) after {retries} retries; try again later"
        )
    if isinstance(status, int) and status >= 500:
        return OperationError(
            f"{engine.name}: server error {status} from {where} after {retries} retries"
        )
    if status:
        return OperationError(f"{engine.name}: request refused ({status}): {detail}")
    return OperationError(f"{engine.name}: {kind}: {detail}")


def cited_dates(lines: Iterable[ReportLine]) -> set[date]:
    """Every date `lines` cite."""
    return {d for line in lines for d in line.dates}


def as_dict(obj: Any) -> dict[str, Any]:
    """A pydantic model (SDK object) or mapping as a plain dict."""
    if hasattr(obj, "model_dump"):
        return dict(obj.model_dump())
    return dict(obj or {})
