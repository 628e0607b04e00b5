"""Prompts as versioned files, rendered with the log's text as clearly delimited data.

A prompt file (`prompts/<id>.md`) has a small header and two parts:

    ---
    id: answer
    version: 2
    max_tokens: 700
    ---
    ## system
    ... $placeholders ...
    ## user
    ... $placeholders ...

It is looked up in `prompts/` beside the config file first (a user's own wording), then in
the packaged `prompts/`. Log text is never pasted into the instructions: it goes into
`data_block`s, JSON lines between markers whose boundary is a hash of the data itself, so a
log line cannot close the block early, and the system part says that the data is quoted
text, never instructions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from rreview.errors import UsageError
from rreview.paths import config_file

HEADER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.S)
PART_RE = re.compile(r"^## (system|user)\s*$", re.M)


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: str  # system | user
    content: str


@dataclass(frozen=True)
class RenderedPrompt:
    """A prompt ready to send: its id and version travel with it (cache key, usage, header)."""

    id: str
    version: int
    max_tokens: int
    system: str
    user: str

    @property
    def label(self) -> str:
        """ "answer v2"."""
        return f"{self.id} v{self.version}"

    def messages(self) -> list[dict[str, str]]:
        """As Chat Completions messages."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def text(self) -> str:
        """Everything that would be sent, for --dry-run and token estimates."""
        return f"[system]\n{self.system}\n\n[user]\n{self.user}"


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt file, parsed."""

    id: str
    version: int
    max_tokens: int
    system: str
    user: str
    path: Path

    def render(self, values: Mapping[str, str]) -> RenderedPrompt:
        """Fill the placeholders; a placeholder without a value is a bug in the caller."""
        try:
            system = Template(self.system).substitute(values)
            user = Template(self.user).substitute(values)
        except KeyError as exc:
            raise UsageError(f"{self.path}: placeholder ${exc.args[0]} has no value") from exc
        header = f"[rreview prompt: {self.id} v{self.version}]\n"
        return RenderedPrompt(self.id, self.version, self.max_tokens, header + system, user)


def data_block(name: str, records: Sequence[Mapping[str, Any]]) -> str:
    """Records as JSON lines between markers that the data itself cannot forge."""
    body = "\n".join(json.dumps(dict(r), ensure_ascii=False) for r in records)
    boundary = hashlib.sha256(body.encode()).hexdigest()[:12]
    return f'<data name="{name}" boundary="{boundary}">\n{body}\n</data boundary="{boundary}">'


def prompt_dirs() -> list[Path]:
    """Where prompts are looked up, the user's own first."""
    here = Path(__file__).resolve()
    return [
        config_file().parent / "prompts",
        here.parents[3] / "prompts",  # a source checkout or editable install
        Path(sys.prefix) / "share" / "rreview" / "prompts",  # an installed wheel
    ]


def load_prompt(prompt_id: str) -> PromptTemplate:
    """The prompt `prompt_id`, from the first folder that has it."""
    for folder in prompt_dirs():
        path = folder / f"{prompt_id}.md"
        if path.is_file():
            return _parse(path)
    raise UsageError(
        f"prompt '{prompt_id}' not found (looked in {', '.join(str(d) for d in prompt_dirs())})"
    )


@functools.cache
def _parse_cached(path: Path, mtime: float) -> PromptTemplate:
    text = path.read_text(encoding="utf-8")
    match = HEADER_RE.match(text)
    if not match:
        raise UsageError(f"{path}: a prompt file starts with a '---' header (id, version)")
    header: dict[str, str] = {}
    for line in match.group(1).splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            header[key.strip()] = value.strip()
    parts = PART_RE.split(text[match.end() :])
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    try:
        version = int(header["version"])
        max_tokens = int(header.get("max_tokens", "800"))
        prompt_id = header["id"]
    except (KeyError, ValueError) as exc:
        raise UsageError(f"{path}: header needs id and an integer version ({exc})") from exc
    if set(sections) != {"system", "user"}:
        raise UsageError(f"{path}: needs a '## system' and a '## user' part")
    return PromptTemplate(
        prompt_id, version, max_tokens, sections["system"], sections["user"], path
    )


def _parse(path: Path) -> PromptTemplate:
    return _parse_cached(path, path.stat().st_mtime)


def estimate_tokens(text: str) -> int:
    """A rough token count (about 4 characters a token for English): for --dry-run only;
    the real count comes back from the server and is what `rreview usage` shows."""
    return max(1, round(len(text) / 4))
