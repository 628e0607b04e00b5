"""org-journal: day headings (`* Monday, 2026-11-23`, or org-journal's default `* Monday,
11/23/26`) in one file, or one file a day (`20261123`, `2026-11-23.org`). Entries below a
day (`** 09:14 Fixed the loader :bug:`) are items; TODO/DONE keywords are to-dos; `:tags:`
are tags; `:Effort:` is the estimate and CLOCK lines the time spent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.dates import COMPACT_RE, find_date, make_date, parse_date
from rreview.log.files import read_text
from rreview.log.markdown import BULLET_RE, CHECKBOX_RE
from rreview.log.model import Entry, Item, Section, find_tags, section_for_heading
from rreview.log.patterns import lazy
from rreview.log.readers.base import BaseReader, ReadResult

HEADING_RE = lazy(r"^(?P<stars>\*+)\s+(?P<text>.*?)\s*$")
TAGS_RE = lazy(r"\s+:(?P<tags>[\w@#%]+(?::[\w@#%]+)*):\s*$")
KEYWORD_RE = lazy(
    r"^(?P<kw>TODO|NEXT|STARTED|DOING|WAITING|WAIT|HOLD|DONE|CANCELLED|CANCELED)\b\s*"
)
TIME_RE = lazy(r"^\d{1,2}:\d{2}(?:\s*-\s*\d{1,2}:\d{2})?\s+")
PRIORITY_RE = lazy(r"^\[#[A-C]\]\s*")
DRAWER_RE = lazy(r"^\s*:(?P<name>[A-Za-z]+):\s*$")
PROPERTY_RE = lazy(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
CLOCK_RE = lazy(r"CLOCK:.*=>\s*(\d+):(\d{2})")
PLANNING_RE = lazy(r"^\s*(?:CLOSED|SCHEDULED|DEADLINE):")
BLOCK_BEGIN_RE = lazy(r"^\s*#\+begin_(?P<kind>\w+)", re.I)
BLOCK_END_RE = lazy(r"^\s*#\+end_", re.I)
LINK_RE = lazy(r"\[\[(?P<target>[^\]]+)\](?:\[(?P<desc>[^\]]+)\])?\]")
OPEN = {"TODO", "NEXT", "STARTED", "DOING", "WAITING", "WAIT", "HOLD"}
DAY_FILE_RE = lazy(r"^(?:\d{8}|\d{4}-\d{2}-\d{2})(?:\.org)?$")


def effort_hours(value: str) -> float | None:
    """Org's `:Effort:` value ("1:30", "0:45", "2h", "1d") in hours."""
    value = value.strip().lower()
    clock = re.fullmatch(r"(\d+):(\d{2})", value)
    if clock:
        return int(clock.group(1)) + int(clock.group(2)) / 60
    unit = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(min|h|d)", value)
    if unit:
        return float(unit.group(1)) * {"min": 1 / 60, "h": 1.0, "d": 8.0}[unit.group(2)]
    return None


def clean(text: str) -> str:
    """Org links reduced to their descriptions."""
    text = LINK_RE.sub(lambda m: m.group("desc") or m.group("target"), text)
    return " ".join(text.split())


@dataclass
class _Node:
    """An item being built, or a section heading (`item is None`), in the outline."""

    level: int  # nesting key: headings by stars x 100, lists and text below them deeper
    section: Section
    depth: int
    line: int = 0
    text: str = ""
    checked: bool | None = None
    tags: tuple[str, ...] = ()
    is_section: bool = False
    parent_line: int | None = None
    code: list[str] = field(default_factory=list)
    effort: float | None = None
    clocked: float = 0.0


def file_day(file: Path) -> date | None:
    """The date in a one-day-per-file name (`20261123`, `2026-11-23.org`)."""
    stem = file.name.removesuffix(".org")
    found = COMPACT_RE.fullmatch(stem) or re.fullmatch(
        r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})", stem
    )
    return make_date(found.group("y"), found.group("m"), found.group("d")) if found else None


class _DayParser:
    """The items of one day's lines (everything below its `*` heading)."""

    def __init__(self, day: date, file: str, default: Section) -> None:
        self.day, self.file, self.default = day, file, default
        self.nodes: list[_Node] = []
        self.stack: list[_Node] = []
        self.current: _Node | None = None  # the node continuation lines add to

    def _parent(self, level: int) -> _Node | None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        return self.stack[-1] if self.stack else None

    def _push(self, node: _Node, parent: _Node | None) -> _Node:
        if parent is not None and not parent.is_section:
            node.parent_line = parent.line
        self.stack.append(node)
        self.nodes.append(node)
        return node

    def _under(self, parent: _Node | None) -> tuple[Section, int]:
        if parent is None:
            return self.default, 0
        if parent.is_section:
            return parent.section, 0
        return parent.section, parent.depth + 1

    def heading(self, number: int, stars: int, text: str) -> None:
        parent = self._parent(stars * 100)
        tags: tuple[str, ...] = ()
        tag_match = TAGS_RE.search(text)
        if tag_match:
            tags = tuple(t.lower() for t in tag_match.group("tags").split(":") if t)
            text = text[: tag_match.start()]
        timed = bool(TIME_RE.match(text.strip()))
        text = TIME_RE.sub("", text.strip())
        checked: bool | None = None
        keyword = KEYWORD_RE.match(text)
        if keyword:
            kw = keyword.group("kw")
            checked = True if kw == "DONE" else False if kw in OPEN else None
            tags += ("cancelled",) if kw.startswith("CANCEL") else ()
            text = text[keyword.end() :]
        text = clean(TIME_RE.sub("", PRIORITY_RE.sub("", text)))
        section = section_for_heading(text)
        if not (keyword or timed) and section is not Section.NOTES and len(text.split()) <= 4:
            self.current = self._push(_Node(stars * 100, section, 0, number, is_section=True), None)
            return
        own_section, depth = self._under(parent)
        node = _Node(stars * 100, own_section, depth, number, text, checked, tags)
        self.current = self._push(node, parent)

    def list_item(self, number: int, indent: int, body: str) -> None:
        base = self._heading_level()
        parent = self._parent(base + 1 + indent)
        checked: bool | None = None
        box = CHECKBOX_RE.match(body)
        if box:
            checked, body = box.group("mark") != " ", body[box.end() :]
        section, depth = self._under(parent)
        node = _Node(base + 1 + indent, section, depth, number, clean(body), checked)
        self.current = self._push(node, parent)

    def text(self, number: int, raw: str) -> None:
        node = self.current
        if node is not None and not node.is_section and node.level % 100 != 0:
            node.text = (
                f"{node.text} {clean(raw)}".strip()
            )  # a list item's or paragraph's next line
            return
        base = self._heading_level()
        parent = self._parent(base + 1)
        section, depth = self._under(parent)
        self.current = self._push(_Node(base + 1, section, depth, number, clean(raw)), parent)

    def _heading_level(self) -> int:
        for node in reversed(self.stack):
            if node.level % 100 == 0:
                return node.level
        return 100

    def last(self) -> _Node | None:
        """The node that owns drawers and code blocks: the latest non-section one."""
        return next((n for n in reversed(self.nodes) if not n.is_section), None)

    def items(self) -> tuple[Item, ...]:
        result = []
        for node in self.nodes:
            if node.is_section or not node.text:
                continue
            result.append(
                Item(
                    date=self.day,
                    section=node.section,
                    text=node.text,
                    file=self.file,
                    line=node.line,
                    tags=tuple(dict.fromkeys(find_tags(node.text) + node.tags)),
                    checked=node.checked,
                    depth=node.depth,
                    parent_line=node.parent_line,
                    code="\n".join(node.code),
                    effort_hours=node.effort,
                    clocked_hours=round(node.clocked, 4) if node.clocked else None,
                )
            )
        return tuple(result)


def _has_done_section(lines: list[str]) -> bool:
    """Whether the day has a "What was done" heading: then what is outside it is notes."""
    for line in lines:
        heading = HEADING_RE.match(line)
        if heading and len(heading.group("stars")) > 1:
            text = TAGS_RE.sub("", heading.group("text")).strip()
            plain = not KEYWORD_RE.match(text) and not TIME_RE.match(text)
            if plain and len(text.split()) <= 4 and section_for_heading(text) is Section.DONE:
                return True
    return False


def day_items(lines: list[str], day: date, file: str, first_line: int) -> tuple[Item, ...]:
    """Items of one day: `lines` are the lines below its day heading."""
    default = Section.NOTES if _has_done_section(lines) else Section.DONE
    parser = _DayParser(day, file, default)
    drawer = ""
    block = ""
    for offset, raw in enumerate(lines):
        number = first_line + offset
        if block:
            if BLOCK_END_RE.match(raw):
                block = ""
            elif (owner := parser.last()) is not None:
                owner.code.append(raw.strip())
            continue
        if drawer:
            _drawer_line(parser, drawer, raw)
            drawer = "" if raw.strip().upper() == ":END:" else drawer
            continue
        heading = HEADING_RE.match(raw)
        if heading:
            parser.heading(number, len(heading.group("stars")), heading.group("text"))
            continue
        if (begin := BLOCK_BEGIN_RE.match(raw)) is not None:
            block = begin.group("kind")
            continue
        if (opening := DRAWER_RE.match(raw)) is not None and opening.group("name").upper() != "END":
            drawer = opening.group("name").upper()
            continue
        if not raw.strip():
            parser.current = None
            continue
        if PLANNING_RE.match(raw) or raw.lstrip().startswith("#+") or raw.startswith("# "):
            continue
        if raw.lstrip().startswith("CLOCK:"):
            _drawer_line(parser, "LOGBOOK", raw)
            continue
        bullet = BULLET_RE.match(raw)
        if bullet:
            indent = len(bullet.group("indent").replace("\t", "    "))
            parser.list_item(number, indent, bullet.group("body").strip())
            continue
        parser.text(number, raw.strip())
    return parser.items()


def _drawer_line(parser: _DayParser, drawer: str, raw: str) -> None:
    owner = parser.last()
    if owner is None:
        return
    clock = CLOCK_RE.search(raw)
    if clock:
        owner.clocked += int(clock.group(1)) + int(clock.group(2)) / 60
    prop = PROPERTY_RE.match(raw)
    if drawer == "PROPERTIES" and prop and prop.group("key").lower() == "effort":
        owner.effort = effort_hours(prop.group("value"))


def _created(lines: list[str]) -> date | None:
    """A day heading's `:CREATED: 20261123` property (org-journal writes it in some setups)."""
    for raw in lines[:6]:
        prop = PROPERTY_RE.match(raw)
        if prop and prop.group("key").upper() == "CREATED":
            return parse_date(prop.group("value"))
    return None


class OrgJournalReader(BaseReader):
    """org-journal files (and any Org file of dated top-level headings)."""

    name = "org"
    title = "org-journal (* Monday, 2026-11-23 day headings, or one file a day)"

    def claim(self, file: Path, head: str) -> float:
        """0.9 for an Org file with dated top-level headings or named by its date."""
        is_org = file.suffix.lower() == ".org" or (not file.suffix and DAY_FILE_RE.match(file.name))
        if not is_org:
            return 0.0
        if file_day(file) is not None and re.search(r"^\*+\s", head, re.M):
            return 0.9
        for line in head.split("\n"):
            heading = HEADING_RE.match(line)
            if heading and len(heading.group("stars")) == 1 and find_date(heading.group("text")):
                return 0.9
        return 0.3 if file.suffix.lower() == ".org" and file_day(file) else 0.0

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Read the days of each file."""
        result = ReadResult()
        for file in files:
            text = read_text(file, result.problems)
            if text is None:
                continue
            entries = self._entries(file, text.split("\n"), result)
            if entries:
                result.files_read.append(str(file))
                result.entries.extend(entries)
            elif not any(p.file == str(file) for p in result.problems):
                result.problems.append(Problem(str(file), "no dated day headings; nothing read"))
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result

    def _entries(self, file: Path, lines: list[str], result: ReadResult) -> list[Entry]:
        tops = [
            (i, find_date(line, compact=True))
            for i, line in enumerate(lines)
            if line.startswith("* ")
        ]
        dated: list[tuple[int, date | None]] = []
        for index, found in tops:
            created = _created(lines[index + 1 : index + 7]) if found is None else None
            if found is not None or created is not None:
                dated.append((index, found[0] if found else created))
        named = file_day(file)
        if named is not None:  # one file a day: everything in it is that day
            first = tops[0] if tops else None
            body_start = first[0] + 1 if first and first[1] is not None else 0
            if first and first[1] and first[1][0] not in (named, None):
                result.problems.append(
                    Problem(
                        str(file),
                        f"heading date differs from file name; using {named}",
                        first[0] + 1,
                    )
                )
            items = day_items(lines[body_start:], named, str(file), body_start + 1)
            return [Entry(named, str(file), 1, "\n".join(lines), items)]
        entries = []
        for number, (start, day) in enumerate(dated):
            end = dated[number + 1][0] if number + 1 < len(dated) else len(lines)
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
            items = day_items(lines[start + 1 : end], day, str(file), start + 2)
            entries.append(Entry(day, str(file), start + 1, "\n".join(lines[start:end]), items))
        return entries
