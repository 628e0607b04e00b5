"""Notion Markdown export: pages named `Title <32-hex id>.md` (the date in the title, in a
`Date:` property line under the title, or in the database CSV beside them), and database
exports (`Research log <id>.csv` or `..._all.csv`) whose rows carry a date column."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.dates import find_date, is_generic_title, parse_date
from rreview.log.dayheadings import split_days
from rreview.log.files import read_text
from rreview.log.frontmatter import tag_list
from rreview.log.inline import clean_items, unquote_callouts
from rreview.log.markdown import parse_day
from rreview.log.model import Entry, Item, Section, find_tags
from rreview.log.patterns import lazy
from rreview.log.readers.base import BaseReader, Ignored, ReadResult

PAGE_RE = lazy(r"^(?P<title>.*?)\s*(?P<id>[0-9a-f]{32})\.md$")
CSV_RE = lazy(r"^(?P<title>.*?)\s*(?P<id>[0-9a-f]{32})?(?P<all>_all)?\.csv$", re.I)
PROPERTY_RE = lazy(r"^(?P<key>[^\s:#>*\-|][^:]{0,39}):\s+(?P<value>\S.*)$")
DATE_KEYS = ("date", "day", "when", "created", "created time", "created at", "date created")
DONE_STATUS = {"done", "complete", "completed", "finished", "closed", "shipped"}
OPEN_STATUS = {"not started", "to do", "todo", "in progress", "doing", "planned", "next", "blocked"}
EST_KEY_RE = lazy(r"^(?:est(?:imate[ds]?)?|planned(?: time)?)\b", re.I)
TOOK_KEY_RE = lazy(r"^(?:actual(?: time)?|took|time spent|spent)\b", re.I)


@dataclass
class _Row:
    """One database row: its title and the properties rreview understands."""

    title: str
    day: date | None
    file: str
    line: int
    tags: tuple[str, ...] = ()
    status: str = ""
    notation: list[str] = field(default_factory=list)


def _norm(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.lower()))


def _checked(status: str) -> bool | None:
    value = status.strip().lower()
    return True if value in DONE_STATUS else False if value in OPEN_STATUS else None


def _hours(value: str) -> str | None:
    value = value.strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", value):
        return f"{value}h"
    return value if re.match(r"\d", value) else None


def _properties(lines: list[str]) -> tuple[dict[str, str], int]:
    """`Key: value` lines under a page's `# Title`, and the index where the body starts."""
    start = 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    props: dict[str, str] = {}
    index = start
    while index < len(lines) and (match := PROPERTY_RE.match(lines[index].strip())):
        props[match.group("key").strip().lower()] = match.group("value").strip()
        index += 1
    if index < len(lines) and lines[index].strip():
        return {}, 1  # not a property block: the page body starts under the title
    return props, index


def _property_date(props: dict[str, str]) -> date | None:
    for key in DATE_KEYS:
        if key in props and (day := parse_date(props[key])) is not None:
            return day
    return None


class NotionReader(BaseReader):
    """Pages and database CSVs of a Notion export."""

    name = "notion"
    per_file = False  # a database CSV dates the pages beside it
    title = "Notion Markdown export (Title <32-hex id>.md pages, database CSV)"

    def claim(self, file: Path, head: str) -> float:
        """0.9 for a page named with a Notion id, 0.85 for a database CSV with a date column."""
        if PAGE_RE.match(file.name):
            return 0.9
        if file.suffix.lower() == ".csv" and (CSV_RE.match(file.name) or "_all" in file.name):
            return 0.85 if self._date_column(head) else 0.0
        return 0.0

    def _date_column(self, text: str) -> str | None:
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) < 2:
            return None
        header, body = rows[0], rows[1:]
        named = [h for h in header if h.strip().lower() in DATE_KEYS]
        for name in (*named, *header[1:]):
            column = header.index(name)
            values = [r[column] for r in body if len(r) > column and r[column].strip()]
            if values and sum(parse_date(v) is not None for v in values) >= len(values) / 2:
                return name
        return None

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Read the database CSVs first (they date the pages), then every page."""
        result = ReadResult()
        csvs = [f for f in files if f.suffix.lower() == ".csv"]
        pages = [f for f in files if f.suffix.lower() != ".csv"]
        names = {f.name for f in csvs}
        rows: dict[str, _Row] = {}
        for table in csvs:
            if table.name.replace(".csv", "_all.csv") in names:
                result.files_ignored.append(Ignored(str(table), "the _all.csv beside it is read"))
                continue
            for row in self._rows(table, result):
                rows.setdefault(_norm(row.title), row)
            pages.extend(self._pages_beside(table, set(pages)))
        used: set[str] = set()
        for page in pages:
            self._read_page(page, rows, used, result)
        for key, row in rows.items():
            if key not in used and row.day is not None:
                self._row_entry(row, result)
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result

    def _pages_beside(self, table: Path, known: set[Path]) -> list[Path]:
        folder = table.with_name(re.sub(r"_all$", "", table.stem))
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.md") if p not in known and PAGE_RE.match(p.name))

    def _rows(self, table: Path, result: ReadResult) -> list[_Row]:
        text = read_text(table, result.problems)
        if text is None:
            return []
        column = self._date_column(text)
        if column is None:
            result.files_ignored.append(Ignored(str(table), "no date column"))
            return []
        result.files_read.append(str(table))
        reader = csv.DictReader(io.StringIO(text))
        title_key = (reader.fieldnames or [""])[0]
        rows = []
        start = 2
        for record in reader:
            raw_date = (record.get(column) or "").strip()
            day = parse_date(raw_date) if raw_date else None
            if raw_date and day is None:
                result.problems.append(
                    Problem(str(table), f"'{raw_date}' in column {column} is not a date", start)
                )
            row = _Row((record.get(title_key) or "").strip(), day, str(table), start)
            for key, value in record.items():
                self._row_property(row, str(key or ""), value or "")
            rows.append(row)
            start = reader.line_num + 1
        return rows

    def _row_property(self, row: _Row, key: str, value: str) -> None:
        name = key.strip().lower()
        if name in ("tags", "tag", "labels", "topic", "topics"):
            row.tags = tag_list(value)
        elif name in ("status", "state", "done"):
            row.status = "done" if value.strip().lower() in ("yes", "true") else value
        elif EST_KEY_RE.match(name) and (hours := _hours(value)):
            row.notation.append(f"est {hours}")
        elif TOOK_KEY_RE.match(name) and (hours := _hours(value)):
            row.notation.append(f"took {hours}")

    def _title_item(self, row: _Row, file: str, line: int, has_body: bool = False) -> Item | None:
        if not row.title or is_generic_title(row.title):
            return None
        checked = _checked(row.status)
        section = Section.PLAN if checked is False else Section.NOTES if has_body else Section.DONE
        text = row.title + (f" ({', '.join(row.notation)})" if row.notation else "")
        tags = tuple(dict.fromkeys(find_tags(text) + row.tags))
        return Item(row.day or date.min, section, text, file, line, tags, checked)

    def _row_entry(self, row: _Row, result: ReadResult) -> None:
        assert row.day is not None
        item = self._title_item(row, row.file, row.line)
        if item is None:
            return
        result.entries.append(Entry(row.day, row.file, row.line, row.title, (item,), tags=row.tags))

    def _read_page(
        self, page: Path, rows: dict[str, _Row], used: set[str], result: ReadResult
    ) -> None:
        text = read_text(page, result.problems)
        if text is None:
            return
        lines = text.split("\n")
        name = PAGE_RE.match(page.name)
        first = lines[0].strip()
        title = first[2:].strip() if first.startswith("# ") else name.group("title") if name else ""
        props, body_start = _properties(lines) if first.startswith("# ") else ({}, 0)
        row = rows.get(_norm(title))
        named = find_date(title) or (find_date(name.group("title")) if name else None)
        day = (named[0] if named else None) or _property_date(props) or (row.day if row else None)
        if row is not None:
            used.add(_norm(title))
        body = unquote_callouts(lines[body_start:])
        if day is None:
            self._dated_sections(page, lines, result)
            return
        merged = row or _Row(title, day, str(page), 1)
        merged.day = day
        merged.tags = tuple(dict.fromkeys(merged.tags + tag_list(props.get("tags"))))
        merged.status = props.get("status", merged.status)
        items = clean_items(parse_day(body, day, str(page), body_start + 1))
        head = self._title_item(merged, str(page), 1, has_body=bool(items))
        result.files_read.append(str(page))
        result.entries.append(
            Entry(
                day,
                str(page),
                1,
                text,
                ((head,) if head else ()) + items,
                title=title,
                tags=merged.tags,
            )
        )

    def _dated_sections(self, page: Path, lines: list[str], result: ReadResult) -> None:
        """A page with no date of its own but dated headings: a journal kept in one page."""
        spans = split_days(lines, str(page), result.problems)
        if not spans:
            result.files_ignored.append(
                Ignored(str(page), "Notion page without a date (title, Date property, database)")
            )
            return
        result.files_read.append(str(page))
        for heading, start, end in spans:
            assert heading.day is not None
            items = clean_items(parse_day(lines[start:end], heading.day, str(page), start + 1))
            raw = "\n".join(lines[start:end])
            result.entries.append(
                Entry(heading.day, str(page), start + 1, raw, items, title=heading.title)
            )
