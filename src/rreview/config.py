"""Settings from the command line, the environment and the config file, in that order."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rreview.errors import UsageError
from rreview.paths import config_file


@dataclass(frozen=True)
class Config:
    """The resolved settings every command shares."""

    log: Path
    engine: str = "offline"


def _read_config_file() -> dict[str, Any]:
    path = config_file()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise UsageError(f"{path}: cannot read config file: {exc}") from exc


def resolve_log(cli_value: Path | None) -> Path:
    """The log to read: `--log`, else `RREVIEW_LOG`, else `log` in the config file."""
    if cli_value is not None:
        path, origin = cli_value, "--log"
    elif os.environ.get("RREVIEW_LOG"):
        path, origin = Path(os.environ["RREVIEW_LOG"]), "RREVIEW_LOG"
    else:
        value = _read_config_file().get("log")
        if not value:
            raise UsageError(
                "no log set: pass --log PATH, set RREVIEW_LOG, or put "
                f'log = "PATH" in {config_file()}'
            )
        path, origin = Path(str(value)), f"config file {config_file()}"
    path = path.expanduser()
    if not path.exists():
        raise UsageError(f"{path}: log not found (from {origin})")
    return path


def load_config(log: Path | None, engine: str | None = None) -> Config:
    """Resolve the shared settings once per command."""
    file_values = _read_config_file()
    chosen_engine = engine or os.environ.get("RREVIEW_ENGINE") or file_values.get("engine")
    return Config(log=resolve_log(log), engine=str(chosen_engine or "offline"))
