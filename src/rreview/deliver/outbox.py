"""The outbox: every weekly e-mail is written here before it is sent, and stays until it is.

Layout under `RREVIEW_HOME/email/`:
- `outbox/2026-W47.eml`  written (atomically) before sending; removed once the server took it
- `sent/2026-W47.20261123T080012.eml`  what was sent, kept
- `sent.json`  the record of sent weeks: a week in it is not sent again unless forced
- `email.lock`  one run at a time sends
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout

from rreview.analyze.weeks import Week, parse_week, week_of
from rreview.config import SmtpSettings
from rreview.deliver.mail import envelope, smtp_session
from rreview.errors import OperationError
from rreview.log.capture import atomic_write

LOCK_TIMEOUT_S = 2  # a second run does not queue up behind the first: it says so and stops


@dataclass(frozen=True)
class SentWeek:
    """The record of one sent week."""

    week: str
    sent_at: str  # ISO timestamp with offset
    message_id: str
    recipients: list[str]
    file: str  # the sent copy, relative to the email folder


def next_week(week: Week) -> Week:
    """The week after."""
    return week_of(week.start + timedelta(days=7))


def missed_weeks(last_sent: Week | None, until: Week) -> list[Week]:
    """The weeks after `last_sent` up to `until`, oldest first (just `until` if none sent)."""
    if last_sent is None or last_sent.start >= until.start:
        return [until] if last_sent is None else []
    weeks = [next_week(last_sent)]
    while weeks[-1] != until:
        weeks.append(next_week(weeks[-1]))
    return weeks


class Outbox:
    """Queued messages, the sent record and the run lock, in one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.queue_dir = root / "outbox"
        self.sent_dir = root / "sent"
        self.record_file = root / "sent.json"
        self.lock_file = root / "email.lock"

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the run lock, or fail at once if another run holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_file), timeout=LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except Timeout:
            raise OperationError(
                f"another `rreview email` is running (lock {self.lock_file}); "
                "nothing sent by this one, the next run catches up"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def queued(self) -> list[Path]:
        """Messages waiting to be sent, oldest week first."""
        if not self.queue_dir.is_dir():
            return []
        return sorted(self.queue_dir.glob("*.eml"), key=lambda p: _week_key(p.stem))

    def queued_path(self, week: str) -> Path:
        """Where the message of `week` waits."""
        return self.queue_dir / f"{week}.eml"

    def queue(self, week: str, text: str) -> Path:
        """Store the message of `week` in the outbox (replacing an older one of that week)."""
        self.queue_dir.mkdir(parents=True, exist_ok=True)
        path = self.queued_path(week)
        atomic_write(path, text)
        return path

    def record(self) -> dict[str, SentWeek]:
        """Every sent week by label."""
        if not self.record_file.exists():
            return {}
        try:
            data = json.loads(self.record_file.read_text(encoding="utf-8"))
            return {label: SentWeek(**entry) for label, entry in data["weeks"].items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OperationError(
                f"{self.record_file}: unreadable record of sent weeks ({exc}); "
                "fix or delete it (deleting it means weeks may be sent again)"
            ) from None

    def sent(self, week: str) -> SentWeek | None:
        """The record of `week`, if it was sent."""
        return self.record().get(week)

    def last_sent(self) -> Week | None:
        """The latest week ever sent."""
        weeks = [parse_week(label) for label in self.record()]
        return max(weeks, key=lambda w: w.start) if weeks else None

    def mark_sent(
        self, path: Path, week: str, message_id: str, recipients: list[str], when: datetime
    ) -> SentWeek:
        """Record `week` as sent, then move its message from the outbox to `sent/`.
        (Recorded first: a message left in the outbox after a crash here is recognised by
        its Message-ID and not sent twice.)"""
        kept = self._free_name(f"{week}.{when:%Y%m%dT%H%M%S}")
        entry = SentWeek(
            week=week,
            sent_at=when.isoformat(timespec="seconds"),
            message_id=message_id,
            recipients=recipients,
            file=str(kept.relative_to(self.root)),
        )
        weeks = self.record()
        weeks[week] = entry
        ordered = dict(sorted(weeks.items(), key=lambda kv: _week_key(kv[0])))
        body = {"weeks": {label: asdict(e) for label, e in ordered.items()}}
        atomic_write(self.record_file, json.dumps(body, indent=2) + "\n")
        self.archive(path, kept)
        return entry

    def _free_name(self, stem: str) -> Path:
        """`sent/<stem>.eml`, or `<stem>.2.eml`… if a send in the same second took it."""
        candidate, n = self.sent_dir / f"{stem}.eml", 1
        while candidate.exists():
            n += 1
            candidate = self.sent_dir / f"{stem}.{n}.eml"
        return candidate

    def archive(self, path: Path, kept: Path | None = None) -> None:
        """Move a sent message out of the outbox."""
        self.sent_dir.mkdir(parents=True, exist_ok=True)
        os.replace(path, kept or self._free_name(path.stem))


def send_queued(
    outbox: Outbox, smtp: SmtpSettings, on_sent: Callable[[SentWeek], None] | None = None
) -> list[SentWeek]:
    """Send every queued message in one SMTP session, oldest first, recording each as it
    goes (and telling `on_sent`). The first failure stops the run (OperationError); what is
    unsent stays queued for the next run."""
    queued = outbox.queued()
    if not queued:
        return []
    done: list[SentWeek] = []
    recorded = {entry.message_id for entry in outbox.record().values()}
    with smtp_session(smtp) as session:
        for path in queued:
            raw = path.read_bytes()
            head = envelope(raw)
            if head.message_id and head.message_id in recorded:
                outbox.archive(path)  # sent, but the run stopped before moving it
                continue
            session.send(raw)
            when = datetime.now().astimezone()
            label = head.week or path.stem
            entry = outbox.mark_sent(path, label, head.message_id or "", head.recipients, when)
            done.append(entry)
            if on_sent:
                on_sent(entry)
    return done


def _week_key(label: str) -> tuple[int, int, str]:
    try:
        week = parse_week(label)
    except Exception:
        return (0, 0, label)
    return (week.year, week.number, label)
