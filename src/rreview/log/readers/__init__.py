"""One module per log format, all behind the `Reader` interface in `base`."""

from __future__ import annotations

from rreview.log.readers.base import Reader
from rreview.log.readers.native import NativeReader

READERS: tuple[Reader, ...] = (NativeReader(),)


def reader_named(name: str) -> Reader | None:
    """The reader registered under `name`, if any."""
    return next((reader for reader in READERS if reader.name == name), None)
