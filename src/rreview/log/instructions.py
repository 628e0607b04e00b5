"""Lines addressed to an AI rather than written about research: a prompt injection planted
in (or pasted into) the log. They are reported and kept out of every report and answer,
never obeyed and never quoted."""

from __future__ import annotations

import re
from dataclasses import replace

from rreview.errors import Problem
from rreview.log.model import Entry

_AI = r"(?:ai|a\.i\.|llm|model|assistant|summari[sz]er|language model|chat ?bot|gpt|claude|copilot)"
INSTRUCTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
    r"(?:previous\s+|prior\s+|above\s+|earlier\s+|preceding\s+|system\s+)?"
    r"(?:instructions|prompts?|rules|guidelines)\b"
    rf"|\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:any\s+|the\s+|all\s+)?{_AI}s?\b"
    rf"|\bfor\s+(?:the|any)\s+{_AI}s?\s+(?:that|who|which)\s+(?:reads?|summari[sz]es?)\b"
    rf"|\b(?:dear|hey|attention)\s+{_AI}s?\b"
    r"|\byou\s+are\s+now\s+(?:an?\s+)?\w+"
    r"|\bsystem\s+prompt\b",
    re.I,
)


def is_instruction(text: str) -> bool:
    """True for text that gives orders to an AI reading the log."""
    return bool(INSTRUCTION_RE.search(text))


def drop_instructions(entries: list[Entry], problems: list[Problem]) -> list[Entry]:
    """The entries without instruction lines (and their sub-bullets), each one reported."""
    kept = []
    for entry in entries:
        flagged = {item.line for item in entry.items if is_instruction(item.text)}
        if not flagged:
            kept.append(entry)
            continue
        for line in sorted(flagged):
            problems.append(
                Problem(
                    entry.file,
                    "reads as an instruction to an AI, not a research note; "
                    "left out of reports and answers",
                    line,
                )
            )
        items = tuple(
            item
            for item in entry.items
            if item.line not in flagged and item.parent_line not in flagged
        )
        kept.append(replace(entry, items=items))
    return kept
