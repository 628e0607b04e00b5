"""Blog-style notebooks: Jekyll/Hugo-like posts (`_posts/2022-07-15-restart.md`, any
`YYYY-MM-DD-slug.md`, or a post whose front matter has `title` and `date`). Each post is one
entry on its date; several posts on one day make that day, each keeping its title (as its
first item); front-matter `tags` and `categories` are tags."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from rreview.errors import Problem
from rreview.log.dates import is_generic_title, make_date, parse_date
from rreview.log.files import read_text
from rreview.log.frontmatter import has_front_matter, read_front_matter, tag_list
from rreview.log.inline import clean_items, unquote_callouts
from rreview.log.markdown import has_done_heading, parse_day
from rreview.log.model import Entry, Item, Section, find_tags
from rreview.log.patterns import lazy
from rreview.log.readers.base import BaseReader, Ignored, ReadResult

POST_RE = lazy(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})-(?P<slug>.+)\.(?:md|markdown)$", re.I)
_FRONT_TITLE_RE = lazy(r"^title\s*:", re.I | re.M)
_FRONT_DATE_RE = lazy(r"^date\s*:", re.I | re.M)
SUFFIXES = {".md", ".markdown"}


def _front(head: str) -> str:
    return head.split("\n---", 1)[0] if has_front_matter(head) else ""


class BlogReader(BaseReader):
    """Posts of a Jekyll/Hugo-like open lab notebook."""

    name = "blog"
    title = "blog posts (_posts/YYYY-MM-DD-slug.md, front matter title/date/tags/categories)"

    def claim(self, file: Path, head: str) -> float:
        """0.7 for `YYYY-MM-DD-slug.md`, more in `_posts/` or with a front-matter title; 0.6
        for a post (title and date in front matter) under `posts/` or `content/`."""
        if file.suffix.lower() not in SUFFIXES:
            return 0.0
        front = _front(head)
        titled = bool(_FRONT_TITLE_RE.search(front))
        in_posts = any(p.lower() in ("_posts", "posts", "post", "blog") for p in file.parts[:-1])
        if POST_RE.match(file.name):
            return min(0.7 + (0.15 if in_posts else 0) + (0.1 if titled else 0), 0.95)
        dated = bool(_FRONT_DATE_RE.search(front))
        in_site = in_posts or any(p.lower() == "content" for p in file.parts[:-1])
        return 0.6 + (0.2 if in_posts else 0) if titled and dated and in_site else 0.0

    def read_files(self, files: list[Path], root: Path) -> ReadResult:
        """Read each post on its date; posts of the same day are entries of that day."""
        result = ReadResult()
        for file in files:
            self._read_post(file, result)
        result.entries.sort(key=lambda entry: (entry.date, entry.file, entry.line))
        return result

    def _read_post(self, file: Path, result: ReadResult) -> None:
        text = read_text(file, result.problems)
        if text is None:
            return
        lines = text.split("\n")
        front = read_front_matter(lines, str(file), result.problems)
        named = POST_RE.match(file.name)
        from_name = make_date(named["y"], named["m"], named["d"]) if named else None
        raw_date = front.data.get("date")
        from_front = parse_date(raw_date) if raw_date is not None else None
        day = from_front or from_name
        if day is None:
            if named or raw_date is not None:
                shown = file.name if named else f"date: {raw_date}"
                result.problems.append(
                    Problem(str(file), f"'{shown}' has no real date; post skipped")
                )
            else:
                result.files_ignored.append(Ignored(str(file), "a post without a date"))
            return
        title = str(front.data.get("title") or (named["slug"].replace("-", " ") if named else ""))
        tags = tag_list(front.data.get("tags")) + tag_list(front.data.get("categories"))
        tags = tuple(dict.fromkeys(tags + tag_list(front.data.get("category"))))
        body = unquote_callouts(lines[front.body_start :])
        items = clean_items(parse_day(body, day, str(file), front.body_start + 1))
        head = self._title_item(title, tags, day, file, body)
        result.files_read.append(str(file))
        result.entries.append(
            Entry(
                day, str(file), 1, text, ((head,) if head else ()) + items, title=title, tags=tags
            )
        )

    def _title_item(
        self, title: str, tags: tuple[str, ...], day: date, file: Path, body: list[str]
    ) -> Item | None:
        """The post's title as its first item (line 1), unless it only names the day."""
        if not title or is_generic_title(title):
            return None
        section = Section.NOTES if has_done_heading(body) else Section.DONE
        item = Item(day, section, title, str(file), 1, find_tags(title))
        return replace(item, tags=tuple(dict.fromkeys(item.tags + tags)))
