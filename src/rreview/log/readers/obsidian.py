"""Obsidian daily notes: a vault (any folder layout) of pages with `YYYY-MM-DD` in the name
or a `date:` in the YAML front matter; `[[wiki links]]` read as the names they show, `#tags`
and front-matter `tags` kept, callouts and Tasks-plugin markers reduced to their words."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.dates import ISO_IN_TEXT_RE, make_date, parse_date
from rreview.log.files import read_text
from rreview.log.frontmatter import has_front_matter, read_front_matter, tag_list
from rreview.log.inline import clean_items, unquote_callouts
from rreview.log.markdown import parse_day
from rreview.log.model import Entry
from rreview.log.patterns import lazy
from rreview.log.readers.base import BaseReader, Ignored, ReadResult
from rreview.log.scan import marker_above

_FM_DATE_RE = lazy(r"^(?:date|day|created)\s*:\s*\S", re.I | re.M)


def name_date(file: Path) -> tuple[bool, date | None]:
    """(a date is written in the name, that date if it exists)."""
    match = ISO_IN_TEXT_RE.search(file.stem)
    if not match or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", match.group(0)):
        return False, None
    return True, make_date(match.group("y"), match.group("m"), match.group("d"))


def _is_template(lines: list[str]) -> bool:
    """A daily-note template: `{{date}}` (core Templates) or `<% tp.date %>` (Templater)."""
    top = "\n".join(lines[:12])
    return "{{date" in top or "<% tp." in top


class ObsidianReader(BaseReader):
    """Daily notes of an Obsidian vault."""

    name = "obsidian"
    title = "Obsidian daily notes (YYYY-MM-DD in the name or date: in front matter)"

    def claim(self, file: Path, head: str) -> float:
        """0.5 for a dated Markdown page, more with a `.obsidian` vault folder above it, front
        matter or `[[links]]`; 0 for a note without a date (not a daily note)."""
        if file.suffix.lower() != ".md":
            return 0.0
        dated, _ = name_date(file)
        front = has_front_matter(head)
        if not dated and not (front and _FM_DATE_RE.search(head.split("\n---", 1)[0])):
            return 0.0
        score = 0.5
        if marker_above(file.parent, ".obsidian"):
            score += 0.4
        if front:
            score += 0.25
        if "[[" in head:
            score += 0.1
        return min(score, 0.95)

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Read each note on its date: the front matter's `date:`, else the one in its name."""
        result = ReadResult()
        for file in files:
            self._read_file(file, result)
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result

    def _read_file(self, file: Path, result: ReadResult) -> None:
        text = read_text(file, result.problems)
        if text is None:
            return
        lines = text.split("\n")
        if _is_template(lines):
            result.files_ignored.append(Ignored(str(file), "a note template (placeholder date)"))
            return
        front = read_front_matter(lines, str(file), result.problems)
        dated, from_name = name_date(file)
        raw_date = front.data.get("date", front.data.get("day"))
        from_front = parse_date(raw_date) if raw_date is not None else None
        if raw_date is not None and from_front is None:
            result.problems.append(
                Problem(str(file), f"front matter date '{raw_date}' is not a date", 2)
            )
        day = from_front or from_name
        if day is None:
            if dated:
                result.problems.append(
                    Problem(str(file), f"'{file.stem}' has no real date; file skipped")
                )
            else:
                result.files_ignored.append(Ignored(str(file), "no date in name or front matter"))
            return
        if from_front and from_name and from_front != from_name:
            result.problems.append(
                Problem(str(file), f"front matter date differs from file name; using {day}", 2)
            )
        body = unquote_callouts(lines[front.body_start :])
        items = clean_items(parse_day(body, day, str(file), front.body_start + 1))
        tags = tag_list(front.data.get("tags")) + tag_list(front.data.get("tag"))
        result.files_read.append(str(file))
        result.entries.append(
            Entry(
                day, str(file), 1, text, items, title=str(front.data.get("title") or ""), tags=tags
            )
        )
