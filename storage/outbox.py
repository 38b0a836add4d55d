"""The outbox table's statements: queue replies, read pending ones, claim, mark.

Plain SQLAlchemy Core, built once at import: every message queues a reply
and every reply is claimed and marked, so this runs several times per
message, and an ORM flush or a freshly built statement costs ten times a
prebuilt one (bench/replay_bench.py). Rows come back as named tuples.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from storage.models import OutboxMessage

OUTBOX = OutboxMessage.__table__


class QueuedReply(NamedTuple):
    """One reply as the bot queues it."""

    to: str
    text: str
    mentions: list[str]
    attachments: list[dict]


_QUEUE = insert(OUTBOX)

_PENDING = (select(OUTBOX.c.id, OUTBOX.c.to, OUTBOX.c.text, OUTBOX.c.mentions, OUTBOX.c.attachments)
            .where(OUTBOX.c.sent_at.is_(None), OUTBOX.c.id > bindparam("after"))
            .order_by(OUTBOX.c.id).limit(bindparam("limit")))

_COUNT_PENDING = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None))

# SKIP LOCKED (PostgreSQL): a row another process is sending is not ours;
# SQLite has one writer at a time and ignores the clause.
_CLAIM = (select(OUTBOX.c.id).where(OUTBOX.c.id == bindparam("row"), OUTBOX.c.sent_at.is_(None))
          .with_for_update(skip_locked=True))

_TRIED = (update(OUTBOX).where(OUTBOX.c.id == bindparam("row"))
          .values(attempts=OUTBOX.c.attempts + 1))

_SENT = (update(OUTBOX).where(OUTBOX.c.id == bindparam("row"))
         .values(attempts=OUTBOX.c.attempts + 1, sent_at=bindparam("at")))

_MESSAGE_SENT = (update(OUTBOX).where(OUTBOX.c.message_id == bindparam("message"), OUTBOX.c.sent_at.is_(None))
                 .values(attempts=OUTBOX.c.attempts + 1, sent_at=bindparam("at")))


def queue(connection: Connection, message_id: str, at: datetime, replies: Sequence[QueuedReply]) -> None:
    """Queue a message's replies, unsent, in the caller's transaction."""
    if replies:
        connection.execute(_QUEUE, [{"message_id": message_id, "to": r.to, "text": r.text,
                                     "mentions": r.mentions, "attachments": r.attachments,
                                     "created_at": at, "sent_at": None, "attempts": 0} for r in replies])


def pending(connection: Connection, after: int, limit: int) -> Sequence[Row]:
    """Unsent replies with an id above `after`, oldest first."""
    return connection.execute(_PENDING, {"after": after, "limit": limit}).all()


def count_pending(connection: Connection) -> int:
    return connection.execute(_COUNT_PENDING).scalar_one()


def claim(connection: Connection, row_id: int) -> bool:
    """Hold an unsent reply's row for this transaction; False if it is not ours to send."""
    return connection.execute(_CLAIM, {"row": row_id}).first() is not None


def tried(connection: Connection, row_id: int) -> None:
    connection.execute(_TRIED, {"row": row_id})


def sent(connection: Connection, row_id: int, at: datetime) -> None:
    connection.execute(_SENT, {"row": row_id, "at": at})


def message_sent(connection: Connection, message_id: str, at: datetime) -> None:
    """Every unsent reply to one message, marked sent at once."""
    connection.execute(_MESSAGE_SENT, {"message": message_id, "at": at})
