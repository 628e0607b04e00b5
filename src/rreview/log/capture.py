"""`today` and `add`: the only writes rreview makes to the log, appends done atomically
(temp file + rename) under a lock, never rewriting what is already there."""

from __future__ import annotations

import os
import re
import string
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from filelock import FileLock

from rreview.errors import UsageError
from rreview.log.files import DAY_FILE_RE
from rreview.log.markdown import HEADING_RE, unfenced
from rreview.log.model import Section, section_for_heading
from rreview.paths import config_file, lock_file

LOCK_TIMEOUT_S = 10


@dataclass(frozen=True)
class CaptureResult:
    """What a capture command did."""

    path: Path
    created: bool
    carried: int = 0
    line: int | None = None  # the line written by `add`


def day_template() -> string.Template:
    """The day-page template: the user's `templates/day.md` beside the config, else ours."""
    user = config_file().parent / "templates" / "day.md"
    if user.exists():
        return string.Template(user.read_text(encoding="utf-8"))
    packaged = resources.files("rreview").joinpath("templates/day.md")
    return string.Template(packaged.read_text(encoding="utf-8"))


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` through a temp file in the same folder and `os.replace`."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path) -> str:
    """The file's text exactly as stored: no newline translation, so CRLF survives a rewrite."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not valid UTF-8; not writing to it") from exc


def _eol(text: str) -> str:
    """The file's line ending: what we add uses it too."""
    return "\r\n" if "\r\n" in text else "\n"


def day_pages(folder: Path) -> dict[str, Path]:
    """The day pages of a folder log by ISO date, found as the reader finds them: in
    subfolders too, with any day-file suffix, hidden files and folders skipped."""
    pages: dict[str, Path] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if DAY_FILE_RE.match(name):
                pages.setdefault(name[:10], Path(root) / name)
    return pages


def _page(log: Path, day: date) -> Path:
    """The file `day` goes in: its existing page, else a new `YYYY-MM-DD.md` at the top."""
    if not log.is_dir():
        return log
    return day_pages(log).get(day.isoformat(), log / f"{day.isoformat()}.md")


def _day_range(lines: list[str], day: date) -> tuple[int, int] | None:
    """[start, end) of `day`'s lines in a single-file log, or None if the day is absent."""
    heading = re.compile(rf"^#{{1,6}}\s+{day.isoformat()}\b")
    any_date = re.compile(r"^#{1,6}\s+\d{4}-\d{2}-\d{2}\b")
    outside = unfenced(lines)  # a "# 2026-..." line inside a code block is not a day
    start = next((i for i, line in outside if heading.match(line)), None)
    if start is None:
        return None
    end = next((i for i, line in outside if i > start and any_date.match(line)), len(lines))
    return start, end


def _new_day_text(day: date, todos: list[str]) -> str:
    body = "\n".join(f"- [ ] {text}" for text in todos)
    rendered = day_template().safe_substitute(date=day.isoformat(), todos=body)
    return re.sub(r"\n{3,}", "\n\n", rendered).rstrip("\n") + "\n"


Carried = Callable[[], list[str]]  # the to-dos to carry, computed only if the day is new


def _ensure_day(log: Path, day: date, carried: Carried) -> CaptureResult:
    """Create the day (page or section) if missing; caller holds the lock."""
    page = _page(log, day)
    if log.is_dir():
        if page.exists():
            return CaptureResult(page, created=False)
        todos = carried()
        atomic_write(page, _new_day_text(day, todos))
        return CaptureResult(page, created=True, carried=len(todos))
    text = _read(page)
    if _day_range(text.split("\n"), day) is not None:
        return CaptureResult(page, created=False)
    todos = carried()
    appended = _separator(text) + _new_day_text(day, todos)
    atomic_write(page, text + appended.replace("\n", _eol(text)))
    return CaptureResult(page, created=True, carried=len(todos))


def _separator(text: str) -> str:
    """What goes between a single-file log's last line and a new day: one blank line."""
    body = text.replace("\r\n", "\n")
    if not body or body.endswith("\n\n"):
        return ""
    return "\n" if body.endswith("\n") else "\n\n"


def start_day(log: Path, day: date, carried: Carried) -> CaptureResult:
    """Create `day`'s page from the template with the carried to-dos; leave an existing one."""
    with FileLock(str(lock_file(log)), timeout=LOCK_TIMEOUT_S):
        return _ensure_day(log, day, carried)


def add_done(log: Path, day: date, text: str, carried: Carried) -> CaptureResult:
    """Append `- text` to the end of `day`'s "What was done" section (creating what is missing)."""
    text = " ".join(text.split())
    if not text:
        raise UsageError("nothing to add: the text is empty")
    with FileLock(str(lock_file(log)), timeout=LOCK_TIMEOUT_S):
        created = _ensure_day(log, day, carried)
        page = created.path
        old = _read(page)
        lines = old.split("\n")
        start, end = (0, len(lines)) if log.is_dir() else (_day_range(lines, day) or (0, 0))
        at = _insertion_point(lines, start, end)
        new = [f"- {text}"] if at is not None else ["", "## What was done", f"- {text}"]
        if at is None:
            at = _last_content(lines, start, end) + 1
        atomic_write(page, _insert_lines(old, at, new))
        return CaptureResult(page, created.created, created.carried, line=at + len(new))


def _insert_lines(text: str, at: int, new: list[str]) -> str:
    """`text` with `new` inserted before its line `at` (0-based); other bytes untouched."""
    eol = _eol(text)
    lines = text.split("\n")
    if at >= len(lines):  # after a last line that has no line ending
        return text + eol + eol.join(new)
    head = "".join(line + "\n" for line in lines[:at])
    return head + "".join(line + eol for line in new) + "\n".join(lines[at:])


def _last_content(lines: list[str], start: int, end: int) -> int:
    """Index of the last non-blank line in [start, end)."""
    for i in range(end - 1, start - 1, -1):
        if lines[i].strip():
            return i
    return start


def _insertion_point(lines: list[str], start: int, end: int) -> int | None:
    """Where a new done bullet goes: after the last non-blank line of the done section.

    A `# comment` inside a fenced code block is code, not a heading.
    """
    section_start = None
    for i, line in unfenced(lines[start:end]):
        i += start
        heading = HEADING_RE.match(line)
        if not heading:
            continue
        if section_start is not None:
            return _last_content(lines, section_start, i) + 1
        if section_for_heading(heading.group(2)) is Section.DONE:
            section_start = i
    if section_start is None:
        return None
    return _last_content(lines, section_start, end) + 1
