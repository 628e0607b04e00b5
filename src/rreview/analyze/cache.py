"""Whole-log analysis results kept on disk between processes, for one state of the log.

An analysis over ten years of log (the vocabulary of 70,000 items, the bug families of 6,000
mentions, tasks linked across days) costs seconds; each `rreview ask` is a new process, so
remembering it in memory only (`Session.remember`) helps a long-running caller, not a user who
asks twice. Results live in `<state folder>/analyses/`, beside the questions' corpus, one file
per (state of the log, result): `<state>.<name>.pkl`. A file holds the analysis code's stamp
and the value; a file written by other code, cut short or unreadable is ignored and the result
computed again. Files are written through a temporary file and `os.replace`, so a reader never
sees half a file. The files of all but the newest few states are removed when one is written.

Values are plain data (indices into the session's facts, strings, numbers), never the facts
themselves: the caller turns them back into its objects (`Session.persist`).
"""

from __future__ import annotations

import functools
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rreview.log.parse_cache import paused_gc, source_stamp

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from rreview.analyze.terms import Vocabulary
    from rreview.extract.facts import ItemFacts
    from rreview.extract.tasks import Task
    from rreview.store.sync import LogSnapshot

CACHE_FORMAT = 1  # bump when what a file holds changes shape
FOLDER = "analyses"
KEEP_STATES = 2  # states whose files are kept (the current one and the one before)
SUFFIX = ".pkl"
ENTRY_WORDS = "entry-words.pkl"  # each entry's word counts, by key and content (any state)
T = TypeVar("T")
MISSING: Any = object()


@functools.cache
def analysis_stamp(*code: str) -> str:
    """Which code made a result: the log's reading, the extraction and the analyses, and the
    packages or modules `code` (a changed rule, threshold or wording must never be hidden by
    what older code concluded)."""
    packages = ("rreview.log", "rreview.errors", "rreview.extract", "rreview.analyze", *code)
    return f"analyses-{CACHE_FORMAT}|{source_stamp(*packages)}"


class AnalysisCache:
    """The results on disk of one state of the log (`state`: a digest of the log's entries,
    `retrieve.corpus.corpus_state`) in `folder`."""

    def __init__(self, folder: Path, state: str) -> None:
        self.folder = folder
        self.state = state

    def path(self, name: str) -> Path:
        """The file of result `name` of this state."""
        return self.folder / f"{self.state}.{name}{SUFFIX}"

    def read(self, name: str, code: tuple[str, ...] = ()) -> Any:
        """The stored value of `name`, or MISSING (none, damaged, or made by other code;
        `code`: what made it besides the analyses, as for `analysis_stamp`)."""
        return read_stamped(self.path(name), code)

    def write(self, name: str, value: Any, code: tuple[str, ...] = ()) -> None:
        """Store `value` as `name` (atomically), then drop the files of older states."""
        if write_stamped(self.path(name), value, code):
            self._prune()

    def get(self, name: str, make: Callable[[], T]) -> T:
        """The stored value of `name`, else `make()`, stored."""
        value = self.read(name)
        if value is MISSING:
            value = make()
            self.write(name, value)
        return value

    def _prune(self) -> None:
        """Remove the files of all states but this one and the most recently written others
        (KEEP_STATES in all): the state before an edit stays while the edit is new."""
        newest: dict[str, float] = {}
        files: list[tuple[str, Path]] = []
        for path in self.folder.glob(f"*.*{SUFFIX}"):
            state = path.name.split(".", 1)[0]
            try:
                written = path.stat().st_mtime
            except OSError:
                continue
            newest[state] = max(newest.get(state, 0.0), written)
            files.append((state, path))
        others = sorted((s for s in newest if s != self.state), key=lambda s: -newest[s])
        keep = {self.state, *others[: KEEP_STATES - 1]}
        for state, path in files:
            if state not in keep:
                path.unlink(missing_ok=True)


def read_stamped(path: Path, code: tuple[str, ...] = ()) -> Any:
    """The value pickled at `path` by `write_stamped` with today's code, or MISSING."""
    try:
        with path.open("rb") as fh, paused_gc():
            stamp, value = pickle.load(fh)
    except Exception:  # missing, cut short, or not ours: compute again
        return MISSING
    return value if stamp == analysis_stamp(*code) else MISSING


def write_stamped(path: Path, value: Any, code: tuple[str, ...] = ()) -> bool:
    """Pickle `value` with the stamp of the code that made it (`analysis_stamp(*code)`) at
    `path`, through a temporary file and `os.replace`; False when it could not be written
    (a cache: nothing is lost)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as fh:
            pickle.dump((analysis_stamp(*code), value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        return False
    return True


def positions(objects: Sequence[object]) -> dict[int, int]:
    """Where each object sits in `objects`, by identity: how a result names the facts (or
    mentions) it rests on in its plain form."""
    return {id(o): i for i, o in enumerate(objects)}


# A task as plain data: its fields in order, the last (its mentions) as positions in the facts
PlainTask = tuple[Any, ...]


def plain_tasks(tasks: Sequence[Task], facts: Sequence[ItemFacts]) -> list[PlainTask]:
    """`tasks` (`extract.tasks.link_tasks(facts)`) with their mentions as positions in `facts`."""
    at = positions(facts)
    return [
        (
            t.key,
            t.text,
            t.first_seen,
            t.open_dates,
            t.done_date,
            t.estimate_hours,
            t.actual_hours,
            tuple(at[id(m)] for m in t.mentions),
        )
        for t in tasks
    ]


def tasks_from_plain(plain: Sequence[PlainTask], facts: Sequence[ItemFacts]) -> list[Task]:
    """The tasks `plain_tasks` described, on the same `facts`."""
    from rreview.extract.tasks import Task

    return [
        Task(key, text, first, opened, done, estimate, actual, tuple(facts[i] for i in at))
        for key, text, first, opened, done, estimate, actual, at in plain
    ]


def log_vocabulary(snapshot: LogSnapshot, folder: Path, until: date | None = None) -> Vocabulary:
    """`terms.vocabulary` of every item of the log, summed from each entry's word counts,
    kept in `folder` by entry key and content hash: after a day's edit only that day's words
    are counted again (the whole log's: ~2.5 s at ten years). With `until`, of the items
    dated up to that day, in log order (what a week's report weighs words by): an entry with
    items on both sides of it is counted for its earlier items alone."""
    from rreview.analyze.terms import vocabulary, vocabulary_from_counts, word_counts

    path = folder / ENTRY_WORDS
    stored = read_stamped(path)
    known = stored if isinstance(stored, dict) else {}
    now = {}
    parts = []
    for key in snapshot.entries:  # the order of the log's facts
        tag = f"{key}|{snapshot.heads[key].content_hash}"
        found = known.get(tag)
        facts = snapshot.facts_by_entry[key] if found is None or until is not None else []
        now[tag] = found or word_counts(f.item.text for f in facts)
        if until is None or all(f.item.date <= until for f in facts):
            parts.append(now[tag])
        elif any(f.item.date <= until for f in facts):
            parts.append(word_counts(f.item.text for f in facts if f.item.date <= until))
    if now.keys() != known.keys():
        write_stamped(path, now)
    return vocabulary_from_counts(parts) if parts else vocabulary([])
