"""The native form: a folder of `YYYY-MM-DD.md` day pages, or one file of `# YYYY-MM-DD` days."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.dates import make_date
from rreview.log.files import DAY_FILE_RE, read_text
from rreview.log.inline import clean_items
from rreview.log.markdown import HEADING_RE, parse_day, unfenced
from rreview.log.model import Entry, Section, section_for_heading
from rreview.log.readers.base import BaseReader, Ignored, ReadResult

DATE_HEADING_RE = re.compile(r"^#{1,6}\s+(\d{4})-(\d{2})-(\d{2})\b")
LOG_SUFFIXES = {".md", ".markdown", ".txt"}


def _to_date(year: str, month: str, day: str) -> date | None:
    return make_date(year, month, day)


def has_seed_sections(lines: list[str]) -> bool:
    """Whether a page has one of the seed section headings (plan, done, ideas)."""
    for _, line in unfenced(lines):
        heading = HEADING_RE.match(line)
        if heading and section_for_heading(heading.group(2)) is not Section.NOTES:
            return True
    return False


class NativeReader(BaseReader):
    """Day pages named by date, or one Markdown file whose `#` headings are dates."""

    name = "native"
    title = "rreview day pages (YYYY-MM-DD.md, or one file of '# YYYY-MM-DD' days)"

    def claim(self, file: Path, head: str) -> float:
        """0.6 for a `YYYY-MM-DD.md` page, 0.7 for a file of date headings; +0.2 with seed
        sections. Obsidian, Logseq and the others claim more when their own marks are there."""
        if file.suffix.lower() not in LOG_SUFFIXES:
            return 0.0
        lines = head.split("\n")
        sections = 0.2 if has_seed_sections(lines) else 0.0
        if DAY_FILE_RE.match(file.name):
            return 0.6 + sections
        if any(DATE_HEADING_RE.match(line) for _, line in unfenced(lines)):
            return 0.7 + sections
        return 0.0

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Read day pages and multi-day files."""
        result = ReadResult()
        for file in files:
            self._read_file(file, single=not root.is_dir(), result=result)
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result

    def _read_file(self, file: Path, single: bool, result: ReadResult) -> None:
        name_match = DAY_FILE_RE.match(file.name)
        if not single and file.suffix.lower() not in LOG_SUFFIXES:
            result.files_ignored.append(Ignored(str(file), "not a Markdown or text file"))
            return
        day = _to_date(*name_match.groups()) if name_match else None
        if name_match and day is None:
            result.problems.append(
                Problem(str(file), f"'{file.stem}' is not a real date; file skipped")
            )
            return
        text = read_text(file, result.problems)
        if text is None:
            return
        lines = text.split("\n")
        if day is not None:
            result.files_read.append(str(file))
            result.entries.append(self._day_entry(lines, day, file, 1, result))
            return
        entries = self._multi_day(lines, file, result)
        if entries:
            result.files_read.append(str(file))
            result.entries.extend(entries)
        elif single:
            result.problems.append(
                Problem(str(file), "no '# YYYY-MM-DD' day headings found; nothing read")
            )
        else:
            result.files_ignored.append(
                Ignored(str(file), "no date in its name and no date headings")
            )

    def _day_entry(
        self, lines: list[str], day: date, file: Path, first_line: int, result: ReadResult
    ) -> Entry:
        heading = DATE_HEADING_RE.match(lines[0]) if lines else None
        if heading and first_line == 1 and _to_date(*heading.groups()) not in (day, None):
            result.problems.append(
                Problem(str(file), f"heading date differs from file name; using {day}", 1)
            )
        return Entry(
            date=day,
            file=str(file),
            line=first_line,
            raw="\n".join(lines),
            items=clean_items(parse_day(lines, day, str(file), first_line)),
        )

    def _multi_day(self, lines: list[str], file: Path, result: ReadResult) -> list[Entry]:
        starts: list[tuple[int, date | None]] = []
        for index, line in unfenced(lines):  # a "# 2026-..." comment in code is not a day
            match = DATE_HEADING_RE.match(line)
            if match:
                starts.append((index, _to_date(*match.groups())))
        if not starts:
            return []
        preamble = [index for index, line in enumerate(lines[: starts[0][0]]) if line.strip()]
        if preamble:
            result.problems.append(
                Problem(
                    str(file),
                    "text before the first date heading is not in any day; ignored",
                    preamble[0] + 1,
                )
            )
        entries = []
        for number, (start, day) in enumerate(starts):
            end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
            if day is None:
                result.problems.append(
                    Problem(
                        str(file),
                        f"heading '{lines[start].strip()}' is not a real date; "
                        f"its {end - start - 1} lines skipped",
                        start + 1,
                    )
                )
                continue
            entries.append(self._day_entry(lines[start:end], day, file, start + 1, result))
        return entries
