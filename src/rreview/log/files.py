"""Reading the user's files safely: bytes to text, with problems reported, never raised."""

from __future__ import annotations

import re
from pathlib import Path

from rreview.errors import Problem

DAY_FILE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.(?:md|markdown|txt)$", re.I)  # 2026-11-23.md


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """The file's text, or None (with a Problem recorded) if it is unreadable as a log."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(str(path), f"cannot read file ({exc.strerror}); skipped"))
        return None
    if not data.strip():
        problems.append(Problem(str(path), "empty file; skipped"))
        return None
    if b"\x00" in data[:8192]:
        problems.append(Problem(str(path), "binary file, not a text log; skipped"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                str(path),
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); file skipped, "
                "re-save it as UTF-8 to include it",
                line,
            )
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
