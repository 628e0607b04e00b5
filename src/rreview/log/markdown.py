"""Markdown day pages to items: headings pick the section, bullets and paragraphs become items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from rreview.log.model import Item, Section, find_tags, section_for_heading

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET_RE = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,3}[.)])\s+(?P<body>.*)$")
CHECKBOX_RE = re.compile(r"^\[(?P<mark>[ xX✓✔-])\]\s*")
FENCE_RE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})")


@dataclass
class _Open:
    """An item being built: its first line and the lines that continue it."""

    line: int
    section: Section
    text: str
    checked: bool | None
    depth: int
    parent_line: int | None
    indent: int
    code: list[str] = field(default_factory=list)


def _indent_width(indent: str) -> int:
    return len(indent.replace("\t", "    "))


def _closes(fence: str, raw: str) -> bool:
    """Whether `raw` closes a code block opened by `fence` (same character, as long or longer)."""
    match = FENCE_RE.match(raw)
    if not match:
        return False
    marker = match.group("fence")
    return marker[0] == fence[0] and len(marker) >= len(fence) and not raw[match.end() :].strip()


def unfenced(lines: list[str]) -> list[tuple[int, str]]:
    """The (index, line) pairs outside fenced code blocks, fence lines themselves excluded."""
    kept: list[tuple[int, str]] = []
    fence = ""
    for index, raw in enumerate(lines):
        if fence:
            fence = "" if _closes(fence, raw) else fence
        elif opening := FENCE_RE.match(raw):
            fence = opening.group("fence")
        else:
            kept.append((index, raw))
    return kept


def _first_code_line(code: list[str]) -> str:
    """What a code block with no item before it is called: its first non-blank line."""
    first = next((line.strip() for line in code if line.strip()), "")
    return first if len(first) <= 120 else first[:119] + "…"


def has_done_heading(lines: list[str]) -> bool:
    """Whether a day names its done section ("What was done", "Done", "Log")."""
    for _, raw in unfenced(lines):
        heading = HEADING_RE.match(raw)
        if heading and section_for_heading(heading.group(2)) is Section.DONE:
            return True
    return False


def parse_day(
    lines: list[str],
    day: date,
    file: str,
    first_line: int,
    section: Section | None = None,
) -> tuple[Item, ...]:
    """Items of one day from its Markdown lines; `first_line` is the 1-based line of lines[0].

    Text under other headings (and before the first) is a note when the day has a done
    section; in a day without one ("### Notes", a free-form page) it is what was done.
    `section` forces the section of the text before the first heading.
    """
    other = Section.NOTES if has_done_heading(lines) else Section.DONE
    section = other if section is None else section
    items: list[_Open] = []
    stack: list[_Open] = []  # open bullets by depth, for parents of nested bullets
    current: _Open | None = None
    last: _Open | None = None  # the latest item under the current heading: owns code blocks
    fence = ""  # the marker of the open code fence, while inside one
    orphan: _Open | None = None  # a code block with no item before it: an item of its own
    for offset, raw in enumerate(lines):
        number = first_line + offset
        if fence:
            if _closes(fence, raw):
                fence, current = "", None  # text after a code block starts a new paragraph
                if orphan is not None:
                    orphan.text = _first_code_line(orphan.code)
                    last, orphan = (orphan if orphan.text else None), None
            elif last is not None:
                last.code.append(raw)
            elif orphan is not None:
                orphan.code.append(raw)
            continue
        if opening := FENCE_RE.match(raw):
            fence = opening.group("fence")
            if last is None:  # never attached to an item under another heading
                orphan = _Open(number, section, "", None, -1, None, 0)
                items.append(orphan)
            continue
        if not raw.strip():
            current = None  # a blank line ends a paragraph or a bullet's continuation
            continue
        heading = HEADING_RE.match(raw)
        if heading:
            section = section_for_heading(heading.group(2))
            section = other if section is Section.NOTES else section
            current, last, stack = None, None, []
            continue
        bullet = BULLET_RE.match(raw)
        if bullet:
            indent = _indent_width(bullet.group("indent"))
            while stack and stack[-1].indent >= indent:
                stack.pop()
            body = bullet.group("body")
            checked: bool | None = None
            box = CHECKBOX_RE.match(body)
            if box:
                checked = box.group("mark") != " "
                body = body[box.end() :]
            parent = stack[-1] if stack else None
            current = _Open(
                line=number,
                section=section,
                text=body.strip(),
                checked=checked,
                depth=len(stack),
                parent_line=parent.line if parent else None,
                indent=indent,
            )
            items.append(current)
            stack.append(current)
            last = current
            continue
        text = raw.strip()
        if current is not None:  # continuation of a bullet or of a paragraph
            current.text = f"{current.text} {text}".strip()
            continue
        current = _Open(number, section, text, None, -1, None, _indent_width(raw))
        items.append(current)
        last = current
    return tuple(
        Item(
            date=day,
            section=it.section,
            text=it.text,
            file=file,
            line=it.line,
            tags=find_tags(it.text),
            checked=it.checked,
            depth=max(it.depth, 0),
            parent_line=it.parent_line,
            code="\n".join(it.code),
        )
        for it in items
        if it.text
    )
