"""Delivering the outbox: queued replies sent in order, at least once.

`Bot.handle` writes every reply to the `outbox` table, unsent, in the same
transaction as the change it reports; a transport then calls `Outbox.drain`
with its own `send`. A reply is marked sent only after `send` returned, so a
crash or a network outage never loses one: it is retried on the next drain.
(A crash between a successful send and the mark sends that one reply again
on restart; nothing can close that window without the network's help.)

Failures back off exponentially per recipient: replies to the same room keep
their order (a later one never overtakes a failed one), while other rooms go
on being served. The clock is injectable so tests never sleep.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from bot.messages import Attachment, Reply
from storage import outbox as store
from storage.database import Database

if TYPE_CHECKING:
    from sqlalchemy import Connection

log = logging.getLogger("jielong.outbox")

BACKOFF_FIRST = 1.0      # seconds before the first retry of a recipient
BACKOFF_MAX = 300.0      # never wait longer than this between tries
BATCH = 200              # rows read per query


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0              # send attempts that raised in this drain
    waiting: int = 0             # replies left pending (recipient backing off)


@dataclass
class Outbox:
    """Sends pending replies through `send(reply)`, which raises on failure."""

    db: Database
    send: Callable[[Reply], None]
    clock: Callable[[], float] = time.monotonic
    first: float = BACKOFF_FIRST
    cap: float = BACKOFF_MAX
    _not_before: dict[str, float] = field(default_factory=dict)   # recipient -> clock time
    _failures: dict[str, int] = field(default_factory=dict)       # recipient -> failures in a row

    def pending(self) -> int:
        with self.db.transaction() as connection:
            return store.count_pending(connection)

    def next_due(self) -> float | None:
        """Clock time of the earliest retry, or None when nobody is backing off."""
        return min(self._not_before.values(), default=None)

    def drain(self) -> DrainResult:
        """Send every pending reply whose recipient is not backing off, oldest first."""
        result = DrainResult()
        blocked: set[str] = set()
        after = 0
        while True:
            with self.db.transaction() as connection:
                rows = store.pending(connection, after, BATCH)
                if rows:
                    # the first reply is sent in the transaction that found it: one
                    # BEGIN/COMMIT fewer per message, which mostly has one reply
                    after = self._take(rows[0], blocked, result, connection)
            if not rows:
                return result
            for row in rows[1:]:
                after = self._take(row, blocked, result)
            if len(rows) < BATCH:
                return result

    def _take(self, row, blocked: set[str], result: DrainResult, connection: Connection | None = None) -> int:
        """Send one pending row unless its recipient is blocked; returns its id."""
        if row.to in blocked or self.clock() < self._not_before.get(row.to, float("-inf")):
            blocked.add(row.to)       # keep this recipient's order: skip the rest of theirs
            result.waiting += 1
            return row.id
        outcome = self._send_one(row, connection)
        if outcome is None:           # another worker is sending it, or has sent it
            blocked.add(row.to)
        elif outcome:
            result.sent += 1
        else:
            result.failed += 1
            result.waiting += 1
            blocked.add(row.to)
        return row.id

    def _send_one(self, row, connection: Connection | None = None) -> bool | None:
        """Send one reply while holding its row: True sent, False failed, None not ours.

        The row is claimed with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), so
        two processes draining one outbox never send the same reply twice. In
        `connection`'s transaction if given, else in one of its own.
        """
        if connection is None:
            with self.db.transaction() as own:
                return self._send_one(row, own)
        attachments = tuple(Attachment(Path(a["path"]), a.get("kind", "file")) for a in row.attachments or ())
        reply = Reply(row.to, row.text, tuple(row.mentions or ()), attachments)
        if not store.claim(connection, row.id):
            return None
        try:
            self.send(reply)
        except Exception as exc:  # the network's problem, not the reply's: try again later
            failures = self._failures.get(row.to, 0) + 1
            self._failures[row.to] = failures
            wait = min(self.cap, self.first * 2 ** (failures - 1))
            self._not_before[row.to] = self.clock() + wait
            store.tried(connection, row.id)
            log.warning("could not send reply %s to %s (try %d, next in %.0fs): %s",
                        row.id, row.to, failures, wait, _one_line(exc))
            return False
        self._failures.pop(row.to, None)
        self._not_before.pop(row.to, None)
        store.sent(connection, row.id, datetime.now(timezone.utc))
        return True


def mark_delivered(db: Database, message_id: str) -> None:
    """Mark one message's replies sent: for a transport that shows what
    `Bot.handle` returned on the spot and cannot fail (the console)."""
    with db.transaction() as connection:
        store.message_sent(connection, message_id, datetime.now(timezone.utc))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
