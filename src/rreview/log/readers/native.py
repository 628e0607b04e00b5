"""The native form: a folder of `YYYY-MM-DD.md` day pages, or one file of `# YYYY-MM-DD` days."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.files import read_text
from rreview.log.markdown import parse_day, unfenced
from rreview.log.model import Entry
from rreview.log.readers.base import ReadResult

DAY_FILE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.(?:md|markdown|txt)$", re.I)
DATE_HEADING_RE = re.compile(r"^#{1,6}\s+(\d{4})-(\d{2})-(\d{2})\b")
LOG_SUFFIXES = {".md", ".markdown", ".txt"}


def _to_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _log_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


class NativeReader:
    """Day pages named by date, or one Markdown file whose `#` headings are dates."""

    name = "native"

    def detect(self, path: Path) -> float:
        """Sure for a folder of dated day files or a file with date headings."""
        if path.is_dir():
            return 0.9 if any(DAY_FILE_RE.match(p.name) for p in _log_files(path)) else 0.1
        return 0.9 if path.suffix.lower() in LOG_SUFFIXES else 0.0

    def read(self, path: Path) -> ReadResult:
        """Read a folder of day pages (recursively) or a single Markdown log file."""
        result = ReadResult()
        files = _log_files(path) if path.is_dir() else [path]
        for file in files:
            self._read_file(file, single=not path.is_dir(), result=result)
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result

    def _read_file(self, file: Path, single: bool, result: ReadResult) -> None:
        name_match = DAY_FILE_RE.match(file.name)
        if not single and file.suffix.lower() not in LOG_SUFFIXES:
            result.files_ignored.append(f"{file}: not a Markdown or text file")
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
            result.files_ignored.append(f"{file}: no date in its name and no date headings")

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
            items=parse_day(lines, day, str(file), first_line),
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
