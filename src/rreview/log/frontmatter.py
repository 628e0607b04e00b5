"""YAML front matter (`---` ... `---` at the top of a page), as Obsidian and blogs write it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rreview.errors import Problem


@dataclass(frozen=True)
class FrontMatter:
    """The parsed front matter and where the page body starts (0-based line index)."""

    data: dict[str, Any] = field(default_factory=dict)
    body_start: int = 0
    present: bool = False


def has_front_matter(text: str) -> bool:
    """Whether `text` opens with a `---` line that a later `---` line closes."""
    lines = text.split("\n", 200)
    return (
        bool(lines)
        and lines[0].strip() == "---"
        and any(line.strip() in ("---", "...") for line in lines[1:200])
    )


def read_front_matter(lines: list[str], file: str, problems: list[Problem]) -> FrontMatter:
    """The front matter of a page; broken YAML is one problem and the body is still read."""
    if not lines or lines[0].strip() != "---":
        return FrontMatter()
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return FrontMatter()
    import yaml  # only pages with front matter pay for the YAML parser

    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        problems.append(Problem(file, f"front matter: {reason}; front matter ignored", line))
        return FrontMatter(body_start=end + 1, present=True)
    if not isinstance(data, dict):
        data = {}
    return FrontMatter({str(k).lower(): v for k, v in data.items()}, end + 1, True)


def tag_list(value: object) -> tuple[str, ...]:
    """Tags from a front-matter value: `[a, b]`, `a, b`, `"#a #b"` or a YAML list."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).replace(",", " ").split()
    tags: dict[str, None] = {}
    for item in items:
        tag = str(item).strip().lstrip("#@").strip().lower().replace(" ", "-")
        if tag:
            tags.setdefault(tag, None)
    return tuple(tags)
