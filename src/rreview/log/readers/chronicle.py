"""Chronicles: one Markdown file with dated headings at any level and in the forms people
write them (`## 2022-07-15`, `### 2022-07-15 restart after node failure`, `## Restart after
node failure (2022-07-15)`, `## July 15, 2022`, `## 15.07.2022`). Undated headings belong to
the last dated one; a range (`2022-07-15 - 2022-07-18`) goes to its first day and keeps its
last in `Entry.until`."""

from __future__ import annotations

from pathlib import Path

from rreview.errors import Problem
from rreview.log.dayheadings import day_headings, split_days
from rreview.log.files import read_text
from rreview.log.inline import clean_items, unquote_callouts
from rreview.log.markdown import parse_day
from rreview.log.model import Entry
from rreview.log.patterns import lazy
from rreview.log.readers.base import BaseReader, Ignored, ReadResult

NATIVE_STYLE_RE = lazy(r"^#{1,6}\s+\d{4}-\d{2}-\d{2}\s*$")
SUFFIXES = {".md", ".markdown", ".txt"}


class ChronicleReader(BaseReader):
    """A training-run chronicle or lab journal kept as one long Markdown file."""

    name = "chronicle"
    title = "chronicle (one Markdown file of dated headings in any form, at any level)"

    def claim(self, file: Path, head: str) -> float:
        """0.8 for a file with two or more dated headings written other than `# YYYY-MM-DD`
        alone (the native reader reads those); 0.5 when all are plain ISO headings."""
        if file.suffix.lower() not in SUFFIXES:
            return 0.0
        lines = head.split("\n")
        headings = day_headings(lines)
        if len(headings) < 2:
            return 0.0
        plain = all(NATIVE_STYLE_RE.match(lines[h.index]) for h in headings)
        return 0.5 if plain else 0.8

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Split each file at its dated headings."""
        result = ReadResult()
        for file in files:
            text = read_text(file, result.problems)
            if text is None:
                continue
            lines = text.split("\n")
            spans = split_days(lines, str(file), result.problems)
            if not spans:
                result.files_ignored.append(Ignored(str(file), "no dated headings"))
                continue
            result.files_read.append(str(file))
            for heading, start, end in spans:
                assert heading.day is not None
                body = unquote_callouts(lines[start:end])
                items = clean_items(parse_day(body, heading.day, str(file), start + 1))
                if heading.until is not None and heading.until < heading.day:
                    result.problems.append(
                        Problem(
                            str(file),
                            "the range ends before it starts; its first day used",
                            start + 1,
                        )
                    )
                entry = Entry(
                    heading.day,
                    str(file),
                    start + 1,
                    "\n".join(lines[start:end]),
                    items,
                    title=heading.title,
                    until=heading.until if heading.until and heading.until > heading.day else None,
                )
                result.entries.append(entry)
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result
