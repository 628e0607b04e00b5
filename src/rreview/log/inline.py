"""Inline markup reduced to the words a reader sees: links to their names, images to their
alt text, tool-only markers (block ids, comments, task-plugin emoji) removed."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import unquote

from rreview.log.model import Item, find_tags
from rreview.log.patterns import lazy

_EMBED_RE = lazy(r"!\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")  # ![[image.png]]
_WIKI_RE = lazy(r"\[\[([^\]|#]*)(?:#([^\]|]*))?(?:\|([^\]]*))?\]\]")  # [[Page#H|alias]]
_IMAGE_RE = lazy(r"!\[([^\]]*)\]\([^)]*\)")  # ![alt](img.png)
_LINK_RE = lazy(r"(?<!!)\[([^\]]+)\]\((?:<[^>]*>|[^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK_RE = lazy(r"<(https?://[^>\s]+)>")
_COMMENT_RE = lazy(r"%%.*?%%")  # Obsidian comment
_BLOCK_ID_RE = lazy(r"\s\^[A-Za-z0-9-]{3,}$")  # Obsidian block id at the end of a line
_HIGHLIGHT_RE = lazy(r"==([^=]+)==")
# Obsidian Tasks plugin metadata: due, scheduled, start, done dates, recurrence, priority.
_TASK_META_RE = lazy(
    r"\s*(?:[📅⏳🛫✅➕❌]\uFE0F?\s*\d{4}-\d{2}-\d{2}|🔁[^📅⏳🛫✅➕❌]*|[⏫🔼🔽🔺⏬])"
)
_HTML_TAG_RE = lazy(r"</?(?:aside|details|summary|span|div|br|u|mark|sup|sub)\b[^>]*>", re.I)


def wiki_to_text(text: str) -> str:
    """`[[Page]]` -> "Page", `[[Page|alias]]` -> "alias", `[[Page#Heading]]` -> "Page > Heading"."""

    def name(match: re.Match[str]) -> str:
        page, heading, alias = match.group(1), match.group(2), match.group(3)
        if alias:
            return alias.strip()
        return (
            f"{page.strip()} > {heading.strip()}" if heading and page else (page or heading or "")
        )

    return _WIKI_RE.sub(name, _EMBED_RE.sub("", text))


def links_to_text(text: str) -> str:
    """Markdown links and images reduced to their text; bare autolinks to the address."""
    text = _IMAGE_RE.sub(lambda m: m.group(1).strip(), text)
    text = _LINK_RE.sub(lambda m: unquote(m.group(1)), text)
    return _AUTOLINK_RE.sub(r"\1", text)


def plain_text(text: str) -> str:
    """Everything above, plus comments, block ids, highlights, task-plugin emoji, inline HTML."""
    text = _COMMENT_RE.sub("", text)
    text = links_to_text(wiki_to_text(text))
    text = _HIGHLIGHT_RE.sub(r"\1", text)
    text = _TASK_META_RE.sub("", text)
    text = _HTML_TAG_RE.sub("", text)
    text = _BLOCK_ID_RE.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


_HTML_LINE_RE = lazy(r"^\s*</?(?:aside|details|summary|div|span|br|hr)\b[^>]*>\s*$", re.I)


def blank_html_lines(lines: list[str]) -> list[str]:
    """Lines that are only an HTML container tag (Notion's `<aside>` callouts, `<details>`
    toggles) made blank, so the text inside starts its own item on its own line."""
    return ["" if _HTML_LINE_RE.match(line) else line for line in lines]


_CALLOUT_RE = lazy(r"^(\s*)>\s?(?:\[![\w-]+\][+-]?\s*)?")  # "> [!note] Title" -> "Title"


def unquote_callouts(lines: list[str]) -> list[str]:
    """Block quotes and callouts read as the lines they quote (same line numbers); lines of
    only an HTML container tag blanked."""
    lines = blank_html_lines(lines)
    return [
        _CALLOUT_RE.sub(r"\1", line) if line.lstrip().startswith(">") else line for line in lines
    ]


def clean_items(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """Items with links, embeds and markers reduced to their words, tags found again."""
    cleaned = []
    for item in items:
        text = plain_text(item.text)
        if text:
            cleaned.append(replace(item, text=text, tags=find_tags(text)))
    return tuple(cleaned)
