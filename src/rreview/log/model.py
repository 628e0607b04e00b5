"""The entry/item model every reader produces and every later stage consumes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

Day = date  # for fields beside one named `date`


class Section(StrEnum):
    """The seed sections of a day page, matched loosely from the headings users write."""

    PLAN = "plan"  # What to do next / Next / TODO / Plan
    DONE = "done"  # What was done / Done / Log
    IDEAS = "ideas"  # Random ideas / Ideas
    NOTES = "notes"  # any other heading, or text before the first heading


_SECTION_WORDS: tuple[tuple[Section, re.Pattern[str]], ...] = (
    (Section.PLAN, re.compile(r"\b(to[ -]?dos?|next|plan(?:ned|s)?|tomorrow)\b", re.I)),
    (Section.DONE, re.compile(r"\b(done|did|log|was done|progress|accomplished)\b", re.I)),
    (Section.IDEAS, re.compile(r"\b(ideas?|thoughts?|random)\b", re.I)),
    (Section.PLAN, re.compile(r"\b(tasks?|backlog items?)\b", re.I)),  # after "tasks done"
)


def section_for_heading(heading: str) -> Section:
    """Map a heading such as "What to do next" or "Done today" to its section."""
    for section, pattern in _SECTION_WORDS:
        if pattern.search(heading):
            return section
    return Section.NOTES


@dataclass(frozen=True)
class Item:
    """One bullet or line of a day, with where it came from."""

    date: date
    section: Section
    text: str
    file: str
    line: int
    tags: tuple[str, ...] = ()
    checked: bool | None = None  # None: no checkbox; False: "[ ]"; True: "[x]"
    depth: int = 0  # 0 for a top-level bullet, 1 for a child, ...
    parent_line: int | None = None
    code: str = ""  # fenced code that followed the item: shown and searched, not embedded
    # times the format itself records, in hours: org `:Effort:`, org/Logseq CLOCK lines
    effort_hours: float | None = None
    clocked_hours: float | None = None

    @property
    def key(self) -> str:
        """A stable id for this item inside its log."""
        return f"{self.date.isoformat()}:{self.file}:{self.line}"


@dataclass(frozen=True)
class Entry:
    """One day of the log: its items and the raw text they came from."""

    date: date
    file: str
    line: int
    raw: str
    items: tuple[Item, ...] = field(default_factory=tuple)
    reader: str = ""  # the format it was read as: set by the reading, not by the reader
    title: str = ""  # a page or post title beyond the date, where the format has one
    tags: tuple[str, ...] = ()  # tags of the whole day (front matter, page properties)
    until: Day | None = None  # the last day of a range heading ("2022-07-15 - 2022-07-18")

    @property
    def content_hash(self) -> str:
        """Hash of the day's text: the index re-embeds a day only when this changes."""
        return hashlib.sha256(self.raw.encode("utf-8")).hexdigest()


TAG_RE = re.compile(r"(?<![\w&/#])#([^\W\d_][\w/-]*)")  # a letter of any script first


def find_tags(text: str) -> tuple[str, ...]:
    """The `#tags` of a text, lower-cased, in order, without duplicates."""
    seen: dict[str, None] = {}
    for match in TAG_RE.finditer(text):
        seen.setdefault(match.group(1).lower(), None)
    return tuple(seen)
