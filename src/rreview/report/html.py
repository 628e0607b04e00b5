"""A report as HTML, from a Jinja2 template file with autoescape on: log text and model
output are escaped, whatever they contain.

The template is `templates/email.html.j2` beside the config file if the user has one,
else the packaged default. Jinja2 is imported inside `render_week_html` (start-up cost).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rreview.errors import UsageError
from rreview.paths import config_file
from rreview.report.markdown import cite
from rreview.report.model import ReportSection, WeekReport

if TYPE_CHECKING:
    from markupsafe import Markup

TEMPLATE = "email.html.j2"
CODE_RE = re.compile(r"`([^`\n]+)`")
CODE_HTML = r'<code style="font-size:90%; background:#f3f4f6;">\1</code>'


@dataclass(frozen=True)
class InlineImage:
    """An image shown under a section (matched by title prefix), referenced by Content-ID."""

    section: str
    cid: str  # without the angle brackets
    alt: str


@dataclass(frozen=True)
class LineView:
    """One line as the template shows it."""

    text: str
    cite: str


@dataclass(frozen=True)
class BlockView:
    """Consecutive lines under one group heading (or none)."""

    group: str | None
    lines: tuple[LineView, ...]


@dataclass(frozen=True)
class RowView:
    """One table row: its cells in column order and its citation."""

    cells: tuple[str, ...]
    cite: str


@dataclass(frozen=True)
class SectionView:
    """A section as the template shows it: a table, lists of lines, images."""

    title: str
    note: str
    columns: tuple[str, ...]
    rows: tuple[RowView, ...]
    blocks: tuple[BlockView, ...]
    charts: tuple[InlineImage, ...]


def section_view(section: ReportSection, images: Sequence[InlineImage]) -> SectionView:
    """The template's view of one section."""
    table_lines = [line for line in section.lines if section.table and line.data]
    rows = tuple(
        RowView(
            tuple(str((line.data or {}).get(col, "")) for col in section.table), cite(line.dates)
        )
        for line in table_lines
    )
    blocks: list[BlockView] = []
    for line in section.lines:
        if any(line is row for row in table_lines):
            continue
        if not blocks or blocks[-1].group != line.group:
            blocks.append(BlockView(line.group, ()))
        last = blocks[-1]
        blocks[-1] = BlockView(last.group, (*last.lines, LineView(line.text, cite(line.dates))))
    return SectionView(
        title=section.title,
        note=section.note or "Nothing logged.",
        columns=section.table if rows else (),
        rows=rows,
        blocks=tuple(blocks),
        charts=tuple(i for i in images if section.title.startswith(i.section)),
    )


def code_spans(text: str) -> Markup:
    """Escape `text`, then show its `backticked` spans as <code> (escaped first, so safe)."""
    from markupsafe import Markup, escape

    escaped = str(escape(text))
    return Markup(CODE_RE.sub(CODE_HTML, escaped))


def render_week_html(report: WeekReport, images: Sequence[InlineImage], footer: str) -> str:
    """The weekly reflection as a whole HTML document, images referenced as `cid:`."""
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemLoader,
        PackageLoader,
        StrictUndefined,
        TemplateError,
    )

    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(config_file().parent / "templates"),
                PackageLoader("rreview", "templates"),
            ]
        ),
        autoescape=True,  # always, whatever the template's name: log text is untrusted
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["code"] = code_spans
    subtitle = report.title.removeprefix(f"Week {report.week}").strip()
    try:
        return env.get_template(TEMPLATE).render(
            report=report,
            subtitle=subtitle,
            sections=[section_view(s, images) for s in report.sections],
            footer=footer,
        )
    except TemplateError as exc:  # a user's own template: say where, not a traceback
        where = getattr(exc, "filename", None) or TEMPLATE
        line = getattr(exc, "lineno", None)
        raise UsageError(
            f"{where}{f':{line}' if line else ''}: e-mail template error: {exc.message}"
        ) from None
