"""jrnl: the JSON export (`jrnl --export json`, one file or one file per entry) and the plain
journal file jrnl keeps (`[2026-11-23 09:14] Title. Body...`). Each jrnl entry is one entry
of its day; its title and body are read as Markdown; `@tags` are tags."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.dates import parse_date
from rreview.log.files import read_text
from rreview.log.frontmatter import tag_list
from rreview.log.markdown import parse_day
from rreview.log.model import Entry, Item, Section, find_tags
from rreview.log.patterns import lazy
from rreview.log.readers.base import BaseReader, ReadResult

AT_TAG_RE = lazy(r"(?<![\w.@])@([A-Za-z][\w-]*)")
TEXT_ENTRY_RE = lazy(
    r"^\[?(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?)\]?"
    r"\s+(?P<title>.*)$"
)
_KEY_RE = lazy(r'(?<!\\)"(title|body)"\s*:')


def item_tags(text: str) -> tuple[str, ...]:
    """`#tags` and jrnl's `@tags`, lower-cased, in order."""
    found = find_tags(text) + tuple(m.group(1).lower() for m in AT_TAG_RE.finditer(text))
    return tuple(dict.fromkeys(found))


def entry_items(
    title: str, body: str, day: date, file: str, lines: tuple[int, int], one_line_body: bool
) -> tuple[Item, ...]:
    """Items of one jrnl entry; the title runs on into the body's first paragraph, as it was
    typed. `lines`: the file lines of the title and of the body's first line. A JSON export
    holds the whole body on one line, so every body item gets that line."""
    text_lines = [title, *body.split("\n")] if body else [title]
    title_line, body_line = lines

    def line_of(offset: int) -> int:
        if offset == 1:
            return title_line
        return body_line if one_line_body else body_line + offset - 2

    return tuple(
        replace(
            item,
            line=line_of(item.line),
            parent_line=None if item.parent_line is None else line_of(item.parent_line),
            tags=item_tags(item.text),
        )
        for item in parse_day(text_lines, day, file, 1, Section.DONE)
    )


class JrnlReader(BaseReader):
    """jrnl journals, exported as JSON or as jrnl's own text file."""

    name = "jrnl"
    title = "jrnl (JSON export, or the plain [YYYY-MM-DD HH:MM] journal file)"

    def claim(self, file: Path, head: str) -> float:
        """0.95 for a JSON export with entries; 0.85 for a text journal of jrnl entry lines."""
        suffix = file.suffix.lower()
        if suffix == ".json":
            start = head.lstrip()[:1]
            if start == "{" and '"entries"' in head and ('"body"' in head or '"title"' in head):
                return 0.95
            if start == "{" and '"title"' in head and '"body"' in head and '"date"' in head:
                return 0.9  # one entry per file (`jrnl --export json -o folder/`)
            return 0.0
        if suffix in {".txt", ".jrnl", ""}:
            first = next((line for line in head.split("\n") if line.strip()), "")
            return 0.85 if TEXT_ENTRY_RE.match(first) else 0.0
        return 0.0

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Read every entry of every journal file."""
        result = ReadResult()
        for file in files:
            text = read_text(file, result.problems)
            if text is None:
                continue
            before = len(result.entries)
            if file.suffix.lower() == ".json":
                self._read_json(file, text, result)
            else:
                self._read_text(file, text, result)
            if len(result.entries) > before:
                result.files_read.append(str(file))
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result

    def _read_json(self, file: Path, text: str, result: ReadResult) -> None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            result.problems.append(
                Problem(str(file), f"invalid JSON: {exc.msg}; file skipped", exc.lineno)
            )
            return
        entries = data.get("entries") if isinstance(data, dict) else None
        if entries is None and isinstance(data, dict) and "title" in data:
            entries = [data]
        if not isinstance(entries, list):
            result.problems.append(Problem(str(file), "no 'entries' list; file skipped"))
            return
        keys = self._key_lines(text)
        for number, raw in enumerate(entries):
            title_line, body_line = keys[number] if number < len(keys) else (1, 1)
            if not isinstance(raw, dict):
                result.problems.append(
                    Problem(str(file), f"entry {number + 1} is not an object; skipped", title_line)
                )
                continue
            day = parse_date(str(raw.get("date", "")))
            if day is None:
                result.problems.append(
                    Problem(
                        str(file),
                        f"entry {number + 1}: date '{raw.get('date')}' is not a date; skipped",
                        title_line,
                    )
                )
                continue
            title, body = str(raw.get("title") or ""), str(raw.get("body") or "")
            items = entry_items(title, body, day, str(file), (title_line, body_line), True)
            tags = tag_list(raw.get("tags")) + (("starred",) if raw.get("starred") else ())
            when = str(raw.get("time") or "")
            raw_text = f"{day} {when} {title}\n{body}"
            result.entries.append(
                Entry(
                    day,
                    str(file),
                    title_line,
                    raw_text,
                    items,
                    title=f"{when} {title}".strip(),
                    tags=tags,
                )
            )

    def _key_lines(self, text: str) -> list[tuple[int, int]]:
        """(title line, body line) of each entry of a JSON export, in order."""
        found: list[tuple[int, int]] = []
        title_line = None
        for match in _KEY_RE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            if match.group(1) == "title":
                title_line = line
            elif title_line is not None:
                found.append((title_line, line))
                title_line = None
        return found

    def _read_text(self, file: Path, text: str, result: ReadResult) -> None:
        lines = text.split("\n")
        starts = [(i, m) for i, line in enumerate(lines) if (m := TEXT_ENTRY_RE.match(line))]
        for number, (start, match) in enumerate(starts):
            end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
            day = parse_date(match.group("date"))
            if day is None:
                result.problems.append(
                    Problem(
                        str(file),
                        f"'{match.group('date')}' is not a real date; entry skipped",
                        start + 1,
                    )
                )
                continue
            body = "\n".join(lines[start + 1 : end]).rstrip("\n")
            title = match.group("title")
            items = entry_items(title, body, day, str(file), (start + 1, start + 2), False)
            raw_text = "\n".join(lines[start:end])
            result.entries.append(
                Entry(
                    day,
                    str(file),
                    start + 1,
                    raw_text,
                    items,
                    title=f"{match.group('time')} {title}",
                )
            )
