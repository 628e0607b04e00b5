"""Finding the candidate files of a log folder, and the first bytes readers detect formats by."""

from __future__ import annotations

import functools
import os
from pathlib import Path

HEAD_BYTES = 16384
# Folders a tool keeps for itself inside a notes folder: backups, trash, caches, build output.
TOOL_FOLDERS = {("logseq", "bak"), ("logseq", "version-files"), ("_site",)}


def log_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(files, skipped folders): every file under `folder` except in hidden folders and
    in the tool folders above (a Logseq backup holds old copies of journal pages)."""
    files: list[Path] = []
    skipped: list[Path] = []
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        rel = here.relative_to(folder).parts
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            if any((*rel, name)[-len(t) :] == t for t in TOOL_FOLDERS):
                skipped.append(here / name)
                continue
            kept.append(name)
        dirs[:] = kept
        files.extend(here / name for name in sorted(names) if not name.startswith("."))
    return sorted(files), skipped


def head(file: Path) -> str:
    """The file's first bytes as text ("" for a binary or unreadable file): enough to detect by."""
    try:
        with file.open("rb") as fh:
            data = fh.read(HEAD_BYTES)
    except OSError:
        return ""
    if b"\x00" in data:
        return ""
    return data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")


@functools.lru_cache(maxsize=512)
def marker_above(folder: Path, marker: str, levels: int = 6) -> bool:
    """Whether `marker` (a file or folder name, e.g. `.obsidian`) sits in `folder` or in one of
    its `levels` nearest parents: how a tool's own folder marks a vault or a graph."""
    return any((candidate / marker).exists() for candidate in (folder, *folder.parents[:levels]))
