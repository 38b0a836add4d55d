"""Which messages (and scheduled job runs) were handled: the idempotency ledger.

Recorded in the same transaction as the work, so a message delivered twice
changes things once. Prebuilt Core statements: this runs for every message.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select

from storage.models import ProcessedMessage

PROCESSED = ProcessedMessage.__table__

_SEEN = select(PROCESSED.c.id).where(PROCESSED.c.id == bindparam("id"))
_RECORD = insert(PROCESSED)


def seen(connection: Connection, message_id: str) -> bool:
    return connection.execute(_SEEN, {"id": message_id}).first() is not None


def record(connection: Connection, message_id: str, at: datetime) -> None:
    """Mark a message handled; a concurrent duplicate fails here on the primary key."""
    connection.execute(_RECORD, {"id": message_id, "processed_at": at})
