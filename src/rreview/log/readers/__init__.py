"""One module per log format, all behind the `Reader` interface in `base`.

Adding a format is adding a module and one line here; no other reader changes.
"""

from __future__ import annotations

from rreview.log.readers.base import Reader
from rreview.log.readers.blog import BlogReader
from rreview.log.readers.chronicle import ChronicleReader
from rreview.log.readers.jrnl import JrnlReader
from rreview.log.readers.logseq import LogseqReader
from rreview.log.readers.native import NativeReader
from rreview.log.readers.notion import NotionReader
from rreview.log.readers.obsidian import ObsidianReader
from rreview.log.readers.org import OrgJournalReader

# The order breaks ties between equal claims: the native form first.
READERS: tuple[Reader, ...] = (
    NativeReader(),
    ObsidianReader(),
    LogseqReader(),
    NotionReader(),
    JrnlReader(),
    OrgJournalReader(),
    BlogReader(),
    ChronicleReader(),
)


def reader_named(name: str) -> Reader | None:
    """The reader registered under `name`, if any."""
    return next((reader for reader in READERS if reader.name == name), None)
