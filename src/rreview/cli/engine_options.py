"""The engine options `week` and `ask` share, and how `--dry-run` shows what would be sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from rreview.cli.common import info

if TYPE_CHECKING:
    from rreview.engines.base import Preview

EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="offline (default), openai, anthropic or openai-compatible "
        "(else RREVIEW_ENGINE, else the config file). See `rreview engines`.",
    ),
]
ModelOption = Annotated[
    str | None, typer.Option("--model", help="The model (else RREVIEW_MODEL, else the config).")
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Server URL for openai-compatible (Ollama, llama.cpp, vLLM), "
        "e.g. http://localhost:11434/v1 (else RREVIEW_BASE_URL or OPENAI_BASE_URL).",
    ),
]
OfflineOption = Annotated[
    bool,
    typer.Option("--offline", help="Guarantee no network call (also RREVIEW_OFFLINE=1)."),
]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Show what would be sent (after redaction) and its size; send nothing."
    ),
]


def show_preview(preview: Preview | None, engine: str) -> None:
    """Print what would be sent on stdout, its size and what was redacted on stderr."""
    if preview is None:
        info(f"dry run: the {engine} engine sends nothing; nothing would leave this machine")
        return
    print(preview.text)
    info(
        f"dry run: {preview.engine} would send prompt {preview.prompt} to model "
        f"{preview.model}: about {preview.tokens} tokens (estimate); redacted: "
        f"{preview.redacted}. Nothing was sent."
    )
