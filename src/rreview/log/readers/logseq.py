"""Logseq journals: `journals/2026_11_23.md`, one outline per day. A parent bullet that names
a section ("What was done", "## Plan") holds that section's items as its children; task
markers (TODO, DOING, DONE, ...) are to-dos; `tags::` properties are tags; LOGBOOK clocks
are the time spent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.dates import make_date
from rreview.log.files import read_text
from rreview.log.frontmatter import tag_list
from rreview.log.inline import plain_text
from rreview.log.markdown import FENCE_RE
from rreview.log.model import Entry, Item, Section, find_tags, section_for_heading
from rreview.log.patterns import lazy
from rreview.log.readers.base import BaseReader, ReadResult
from rreview.log.scan import marker_above

NAME_RE = lazy(r"^(\d{4})[_-](\d{2})[_-](\d{2})\.md$", re.I)
BLOCK_RE = lazy(r"^(?P<indent>[ \t]*)-(?:\s+(?P<body>.*))?$")
PROPERTY_RE = lazy(r"^\s*(?P<key>[A-Za-z][\w-]*)::\s*(?P<value>.*)$")
MARKER_RE = lazy(
    r"^(?P<marker>TODO|DOING|NOW|LATER|WAITING|WAIT|IN-PROGRESS|DONE|CANCELED|CANCELLED)\b\s*"
)
OPEN_MARKERS = {"TODO", "DOING", "NOW", "LATER", "WAITING", "WAIT", "IN-PROGRESS"}
CLOCK_RE = lazy(r"CLOCK:.*=>\s*(\d+):(\d{2})(?::(\d{2}))?")
_PRIORITY_RE = lazy(r"\[#[A-C]\]\s*")
_TAG_PAGE_RE = lazy(r"#\[\[([^\]]+)\]\]")
_BLOCK_REF_RE = lazy(r"\(\([0-9a-f-]{36}\)\)")
_MACRO_RE = lazy(r"\{\{[^}]*\}\}")
_HEADING_MARK_RE = lazy(r"^#{1,6}\s+")
_PLANNING_RE = lazy(r"^\s*(?:SCHEDULED|DEADLINE):\s*<")
# Properties that are our notation written the Logseq way: `est:: 2h`, `source:: chat`.
NOTATION_PROPERTIES = {"est": "est", "estimate": "est", "took": "took", "spent": "took"}


@dataclass
class _Block:
    line: int
    indent: int
    text: str
    parent: int | None  # index of the parent block
    properties: dict[str, str] = field(default_factory=dict)
    code: list[str] = field(default_factory=list)
    clocked: float = 0.0
    has_children: bool = False


def _indent(text: str) -> int:
    return len(text.replace("\t", "  "))


def journal_date(file: Path) -> tuple[bool, date | None]:
    """(the name is a journal date, that date if it exists)."""
    match = NAME_RE.match(file.name)
    return (True, make_date(*match.groups())) if match else (False, None)


def _is_outline(head: str) -> bool:
    lines = [line for line in head.split("\n") if line.strip() and not PROPERTY_RE.match(line)]
    return bool(lines) and lines[0].lstrip().startswith("- ")


def parse_blocks(lines: list[str]) -> tuple[list[_Block], dict[str, str]]:
    """The outline's blocks in order with their parents, and the page's own properties."""
    blocks: list[_Block] = []
    page: dict[str, str] = {}
    stack: list[int] = []
    fence = ""
    drawer = False
    for number, raw in enumerate(lines, start=1):
        current = blocks[stack[-1]] if stack else None
        stripped = raw.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
            elif current is not None:
                current.code.append(raw.strip())
            continue
        if drawer:
            drawer = stripped != ":END:"
            clock = CLOCK_RE.search(stripped)
            if clock and current is not None:
                hours, minutes, seconds = (int(g or 0) for g in clock.groups())
                current.clocked += hours + minutes / 60 + seconds / 3600
            continue
        block = BLOCK_RE.match(raw)
        if block:
            indent = _indent(block.group("indent"))
            while stack and blocks[stack[-1]].indent >= indent:
                stack.pop()
            parent = stack[-1] if stack else None
            if parent is not None:
                blocks[parent].has_children = True
            blocks.append(_Block(number, indent, (block.group("body") or "").strip(), parent))
            stack.append(len(blocks) - 1)
            continue
        if not stripped:
            continue
        prop = PROPERTY_RE.match(raw)
        if prop and current is None:
            page[prop.group("key").lower()] = prop.group("value")
        elif prop and current is not None:
            current.properties[prop.group("key").lower()] = prop.group("value")
        elif stripped == ":LOGBOOK:":
            drawer = True
        elif opening := FENCE_RE.match(stripped):
            fence = opening.group("fence")
        elif current is not None and not _PLANNING_RE.match(raw):
            current.text = f"{current.text} {stripped}".strip()
    return blocks, page


def _clean(text: str) -> str:
    text = _TAG_PAGE_RE.sub(lambda m: "#" + m.group(1).strip().replace(" ", "-"), text)
    text = _MACRO_RE.sub("", _BLOCK_REF_RE.sub("", text))
    return plain_text(_PRIORITY_RE.sub("", text))


def _section_of(block: _Block) -> Section | None:
    """The section a parent bullet names, or None when it is an item of its own."""
    if not block.has_children:
        return None
    text = block.text
    is_heading = bool(_HEADING_MARK_RE.match(text)) or block.properties.get("heading") == "true"
    bare = _HEADING_MARK_RE.sub("", text).strip().strip("*_").rstrip(":").strip()
    section = section_for_heading(bare)
    if is_heading:
        return section
    if section is not Section.NOTES and len(bare.split()) <= 4 and not MARKER_RE.match(bare):
        return section
    return None


def journal_items(
    lines: list[str], day: date, file: str
) -> tuple[tuple[Item, ...], dict[str, str]]:
    """The items of one journal page and its page properties."""
    blocks, page = parse_blocks(lines)
    sections = [_section_of(b) if b.parent is None else None for b in blocks]
    default = Section.NOTES if Section.DONE in sections else Section.DONE
    items: list[Item] = []
    owner: dict[int, tuple[Section, int, int | None]] = {}  # block -> (section, depth, parent line)
    for index, block in enumerate(blocks):
        if sections[index] is not None:
            owner[index] = (sections[index] or default, -1, None)
            continue
        if block.parent is None:
            section, depth, parent_line = default, 0, None
        else:
            section, parent_depth, _ = owner[block.parent]
            depth = parent_depth + 1
            parent_line = blocks[block.parent].line if parent_depth >= 0 else None
        owner[index] = (section, depth, parent_line)
        item = _item(block, day, file, section, depth, parent_line)
        if item is not None:
            items.append(item)
    return tuple(items), page


def _item(
    block: _Block, day: date, file: str, section: Section, depth: int, parent_line: int | None
) -> Item | None:
    text = _HEADING_MARK_RE.sub("", block.text)
    checked: bool | None = None
    marker = MARKER_RE.match(text)
    extra: tuple[str, ...] = ()
    if marker:
        name = marker.group("marker")
        text = text[marker.end() :]
        checked = True if name == "DONE" else False if name in OPEN_MARKERS else None
        extra = ("cancelled",) if name.startswith("CANCEL") else ()
    text = _clean(text)
    if not text:
        return None
    notes = [
        f"{NOTATION_PROPERTIES[key]} {value.strip()}"
        for key, value in block.properties.items()
        if key in NOTATION_PROPERTIES and value.strip()
    ]
    if block.properties.get("source", "").strip():
        notes.append(f"source: {_clean(block.properties['source'])}")
    if notes:
        text = f"{text} ({', '.join(notes)})"
    tags = dict.fromkeys(find_tags(text) + tag_list(_unlink(block.properties.get("tags"))) + extra)
    return Item(
        date=day,
        section=section,
        text=text,
        file=file,
        line=block.line,
        tags=tuple(tags),
        checked=checked,
        depth=depth,
        parent_line=parent_line,
        code="\n".join(block.code),
        clocked_hours=round(block.clocked, 4) if block.clocked else None,
    )


def _unlink(value: str | None) -> str | None:
    return value.replace("[[", "").replace("]]", "") if value else value


class LogseqReader(BaseReader):
    """A Logseq graph's journal pages."""

    name = "logseq"
    title = "Logseq journals (journals/YYYY_MM_DD.md outlines)"

    def claim(self, file: Path, head: str) -> float:
        """0.85 for `YYYY_MM_DD.md`, more inside `journals/` or with `logseq/config.edn` above;
        a `YYYY-MM-DD.md` outline in a `journals/` folder too."""
        dated = NAME_RE.match(file.name)
        if not dated:
            return 0.0
        in_journals = file.parent.name.lower() == "journals"
        graph = marker_above(file.parent, "logseq/config.edn", levels=2)
        underscore = "_" in file.name
        if not (underscore or in_journals or graph):
            return 0.0
        score = 0.85 if underscore else 0.55
        score += 0.1 if in_journals else 0.0
        score += 0.1 if graph else 0.0
        score += 0.15 if _is_outline(head) else 0.0
        return min(score, 0.98)

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Read each journal page as the day its name says."""
        result = ReadResult()
        for file in files:
            _, day = journal_date(file)
            if day is None:
                result.problems.append(
                    Problem(str(file), f"'{file.stem}' is not a real date; file skipped")
                )
                continue
            text = read_text(file, result.problems)
            if text is None:
                continue
            items, page = journal_items(text.split("\n"), day, str(file))
            tags = tag_list(_unlink(page.get("tags")))
            result.files_read.append(str(file))
            result.entries.append(Entry(day, str(file), 1, text, items, tags=tags))
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result
