"""SQLite store of entries and item facts, with a list of small migrations."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rreview.extract.facts import ItemFacts

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(func: Migration) -> Migration:
    """Register a schema change; each runs once, in order of definition."""
    MIGRATIONS.append((func.__name__, func))
    return func


@migration
def m001_entries_and_items(db: sqlite3.Connection) -> None:
    db.execute(
        """create table entries (
            key text primary key, date text not null, file text not null,
            line integer not null, hash text not null, n_items integer not null)"""
    )
    db.execute(
        """create table items (
            id text primary key, entry_key text not null references entries(key),
            date text not null, section text not null, text text not null, tags text not null,
            file text not null, line integer not null, checked integer, depth integer not null,
            code text not null, task text not null, task_key text not null,
            is_todo integer not null, done integer not null,
            estimate_hours real, actual_hours real, is_bug integer not null,
            is_idea integer not null, predicted text, outcome text, predicted_value real,
            outcome_value real, source text, source_kind text, origin text not null)"""
    )
    db.execute("create index items_date on items(date)")
    db.execute("create index items_entry on items(entry_key)")


@migration
def m002_entry_index(db: sqlite3.Connection) -> None:
    """When each entry was last embedded, and in which log format (for `rreview status`)."""
    db.execute(
        "create table entry_index (key text primary key, indexed_at text not null, reader text)"
    )


@migration
def m003_vector_journal(db: sqlite3.Connection) -> None:
    """Vector writes waiting for the embedded Chroma store (see store/journal.py): entries
    whose vectors are replaced, their new rows, and new metadata of items that moved."""
    db.execute("create table pending_entries (key text primary key)")
    db.execute(
        """create table pending_items (
            id text primary key, entry_key text not null, embedding blob not null,
            document text not null, metadata text not null)"""
    )
    db.execute(
        """create table pending_moves (
            id text primary key, entry_key text not null, metadata text not null)"""
    )


@dataclass(frozen=True)
class IndexedEntry:
    """An entry as the index knows it: where, which content, how many items, since when."""

    key: str
    date: str
    file: str
    line: int
    digest: str
    n_items: int
    indexed_at: str | None
    reader: str | None


@dataclass(frozen=True)
class EntryRow:
    """One entry as the facts store keeps it: where it is, its content hash, its facts."""

    key: str
    date: str
    file: str
    line: int
    digest: str
    facts: list[ItemFacts]


def item_ids(entry_key: str, count: int) -> list[str]:
    """The ids of an entry's items, shared by the facts and the vector store."""
    return [f"{entry_key}#{index}" for index in range(count)]


class FactStore:
    """The SQLite half of the index: one row per entry (with its hash), one per item."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")  # a cache: durable enough, no fsync per commit
        self._migrate()

    def _migrate(self) -> None:
        self.db.execute("create table if not exists _migrations (name text primary key)")
        done = {row[0] for row in self.db.execute("select name from _migrations")}
        for name, func in MIGRATIONS:
            if name not in done:
                with self.db:
                    func(self.db)
                    self.db.execute("insert into _migrations values (?)", (name,))

    def entry_states(self) -> dict[str, tuple[str, int]]:
        """Entry key -> (content hash, first line) of every indexed entry."""
        rows = self.db.execute("select key, hash, line from entries")
        return {key: (digest, line) for key, digest, line in rows}

    def replace_entry(
        self, key: str, date: str, file: str, line: int, digest: str, facts: list[ItemFacts]
    ) -> list[str]:
        """Store one entry's facts, replacing what was there; returns the item ids."""
        self.replace_entries([EntryRow(key, date, file, line, digest, facts)])
        return item_ids(key, len(facts))

    def replace_entries(self, rows: Sequence[EntryRow]) -> None:
        """Store several entries' facts in one transaction, replacing what was there."""
        with self.db:
            self.db.executemany(
                "delete from items where entry_key = ?", [(row.key,) for row in rows]
            )
            self.db.executemany(
                "insert or replace into entries values (?, ?, ?, ?, ?, ?)",
                [
                    (row.key, row.date, row.file, row.line, row.digest, len(row.facts))
                    for row in rows
                ],
            )
            self.db.executemany(
                f"insert into items values ({', '.join('?' * 26)})",
                [
                    _row(item_id, row.key, f)
                    for row in rows
                    for item_id, f in zip(item_ids(row.key, len(row.facts)), row.facts, strict=True)
                ],
            )

    def move_entry(self, key: str, line: int, facts: list[ItemFacts]) -> list[str]:
        """Update line numbers of an unchanged entry that moved inside its file."""
        ids = item_ids(key, len(facts))
        with self.db:
            self.db.execute("update entries set line = ? where key = ?", (line, key))
            self.db.executemany(
                "update items set line = ? where id = ?",
                [(f.item.line, item_id) for item_id, f in zip(ids, facts, strict=True)],
            )
        return ids

    def mark_indexed(self, keys: Sequence[str], readers: Sequence[str], when: str) -> None:
        """Record that these entries were embedded at `when` (ISO time), read by `readers`."""
        with self.db:
            self.db.executemany(
                "insert or replace into entry_index values (?, ?, ?)",
                [(key, when, reader) for key, reader in zip(keys, readers, strict=True)],
            )

    def indexed_entries(self) -> list[IndexedEntry]:
        """Every indexed entry with its index time and format."""
        rows = self.db.execute(
            """select e.key, e.date, e.file, e.line, e.hash, e.n_items, i.indexed_at, i.reader
               from entries e left join entry_index i on i.key = e.key order by e.key"""
        )
        return [IndexedEntry(*row) for row in rows]

    def delete_entries(self, keys: Iterable[str]) -> None:
        """Forget entries that are no longer in the log."""
        with self.db:
            for key in keys:
                self._delete(key)

    def _delete(self, key: str) -> None:
        self.db.execute("delete from items where entry_key = ?", (key,))
        self.db.execute("delete from entries where key = ?", (key,))

    def forget_all(self) -> None:
        """Forget every entry (their vectors are gone: everything is embedded again), and
        the vector writes waiting for them."""
        with self.db:
            for table in ("items", "entries", "pending_entries", "pending_items", "pending_moves"):
                self.db.execute(f"delete from {table}")

    def count(self, table: str) -> int:
        """Rows in `entries` or `items`."""
        if table not in {"entries", "items"}:
            raise ValueError(table)
        return int(self.db.execute(f"select count(*) from {table}").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def _row(item_id: str, entry_key: str, f: ItemFacts) -> tuple[object, ...]:
    item, p = f.item, f.prediction
    return (
        item_id,
        entry_key,
        item.date.isoformat(),
        item.section.value,
        item.text,
        json.dumps(item.tags),
        item.file,
        item.line,
        item.checked,
        item.depth,
        item.code,
        f.task,
        f.task_key,
        f.is_todo,
        f.done,
        f.estimate_hours,
        f.actual_hours,
        f.is_bug,
        f.is_idea,
        p.predicted if p else None,
        p.outcome if p else None,
        p.predicted_value if p else None,
        p.outcome_value if p else None,
        f.source,
        f.source_kind.value if f.source_kind else None,
        f.origin,
    )
