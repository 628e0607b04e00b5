"""Where rreview keeps what it writes: everything lives under RREVIEW_HOME."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def data_home() -> Path:
    """The data directory: `RREVIEW_HOME`, else the per-user data dir."""
    env = os.environ.get("RREVIEW_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("rreview", appauthor=False))


def config_file() -> Path:
    """The config file: `RREVIEW_CONFIG`, else `config.toml` in the user config dir."""
    env = os.environ.get("RREVIEW_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("rreview", appauthor=False)) / "config.toml"


def log_key(log_path: Path) -> str:
    """A short stable key for one log, so two logs never share an index."""
    resolved = str(log_path.expanduser().resolve())
    return hashlib.sha256(resolved.encode()).hexdigest()[:16]


def index_dir(log_path: Path) -> Path:
    """The index (SQLite facts + Chroma vectors) of one log: a cache, safe to delete."""
    return data_home() / "index" / log_key(log_path)


def lock_file(log_path: Path) -> Path:
    """The lock that serialises writers (`today`, `add`) of one log."""
    path = data_home() / "locks" / f"{log_key(log_path)}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
