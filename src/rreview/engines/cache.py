"""Responses cached in SQLite, and the token usage of every call.

A response is keyed by engine, model, prompt id and version and a hash of the exact
(redacted) messages sent, so re-running a week costs nothing and changing a prompt's
version, the model or the log's text asks again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from rreview.paths import data_home

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(func: Migration) -> Migration:
    """Register a schema change; each runs once, in order of definition."""
    MIGRATIONS.append((func.__name__, func))
    return func


@migration
def m001_responses_and_usage(db: sqlite3.Connection) -> None:
    db.execute(
        """create table responses (
            key text primary key, engine text not null, model text not null,
            prompt text not null, version integer not null, text text not null,
            input_tokens integer, output_tokens integer, created real not null)"""
    )
    db.execute(
        """create table usage (
            id integer primary key, at real not null, engine text not null,
            model text not null, prompt text not null, version integer not null,
            input_tokens integer, output_tokens integer, cached integer not null,
            seconds real not null)"""
    )


@dataclass(frozen=True)
class Usage:
    """Tokens of one call, as the server reported them (None when it did not)."""

    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True)
class UsageRow:
    """Usage summed over the calls of one day, engine, model and prompt."""

    day: date
    engine: str
    model: str
    prompt: str
    calls: int
    cached: int
    input_tokens: int
    output_tokens: int


def cache_key(engine: str, model: str, prompt: str, version: int, messages: object) -> str:
    """The cache key: what was sent, to whom, with which prompt version."""
    payload = json.dumps([engine, model, prompt, version, messages], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class EngineCache:
    """`RREVIEW_HOME/engines.sqlite`: cached responses and the usage log."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or data_home() / "engines.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self._migrate()

    def _migrate(self) -> None:
        self.db.execute("create table if not exists _migrations (name text primary key)")
        done = {row[0] for row in self.db.execute("select name from _migrations")}
        for name, func in MIGRATIONS:
            if name not in done:
                with self.db:
                    func(self.db)
                    self.db.execute("insert into _migrations values (?)", (name,))

    def get(self, key: str) -> tuple[str, Usage] | None:
        """A cached response and the usage it cost when it was first made."""
        row = self.db.execute(
            "select text, input_tokens, output_tokens from responses where key = ?", (key,)
        ).fetchone()
        return (row[0], Usage(row[1], row[2])) if row else None

    def put(
        self, key: str, engine: str, model: str, prompt: str, version: int, text: str, usage: Usage
    ) -> None:
        """Keep a response for next time."""
        with self.db:
            self.db.execute(
                "insert or replace into responses values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    engine,
                    model,
                    prompt,
                    version,
                    text,
                    usage.input_tokens,
                    usage.output_tokens,
                    time.time(),
                ),
            )

    def record(
        self,
        engine: str,
        model: str,
        prompt: str,
        version: int,
        usage: Usage,
        cached: bool,
        seconds: float,
    ) -> None:
        """Log one call (a cache hit is logged too, with the tokens it saved)."""
        with self.db:
            self.db.execute(
                "insert into usage (at, engine, model, prompt, version, input_tokens,"
                " output_tokens, cached, seconds) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    engine,
                    model,
                    prompt,
                    version,
                    usage.input_tokens,
                    usage.output_tokens,
                    int(cached),
                    seconds,
                ),
            )

    def usage(self, since: date | None = None) -> list[UsageRow]:
        """Usage per day, engine, model and prompt, oldest first."""
        start = datetime.combine(since, datetime.min.time()).timestamp() if since else 0.0
        rows = self.db.execute(
            "select at, engine, model, prompt, cached, input_tokens, output_tokens "
            "from usage where at >= ? order by at",
            (start,),
        ).fetchall()
        return _group(rows)

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def _group(
    rows: Sequence[tuple[float, str, str, str, int, int | None, int | None]],
) -> list[UsageRow]:
    groups: dict[tuple[date, str, str, str], list[int]] = {}
    for at, engine, model, prompt, cached, tokens_in, tokens_out in rows:
        key = (datetime.fromtimestamp(at).date(), engine, model, prompt)
        sums = groups.setdefault(key, [0, 0, 0, 0])
        sums[0] += 1
        sums[1] += cached
        if not cached:  # a cache hit cost nothing
            sums[2] += tokens_in or 0
            sums[3] += tokens_out or 0
    return [UsageRow(*key, *sums) for key, sums in groups.items()]
