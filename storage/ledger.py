"""Which messages (and scheduled job runs) were handled: the idempotency ledger.

Recorded in the same transaction as the work, so a message delivered twice
changes things once. Prebuilt Core statements: this runs for every message.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import ProcessedMessage

PROCESSED = ProcessedMessage.__table__

# One statement where the database can skip a known id itself. On PostgreSQL a
# concurrent duplicate waits for the first to commit, then inserts nothing.
# RETURNING, not rowcount: psycopg reports no rowcount for it.
_CLAIM = {"sqlite": sqlite_insert(PROCESSED).on_conflict_do_nothing().returning(PROCESSED.c.id),
          "postgresql": postgresql_insert(PROCESSED).on_conflict_do_nothing().returning(PROCESSED.c.id)}
_SEEN = select(PROCESSED.c.id).where(PROCESSED.c.id == bindparam("id"))
_RECORD = insert(PROCESSED)


def claim(connection: Connection, message_id: str, at: datetime) -> bool:
    """Record a message as handled now; False if it already was (a re-delivery).

    Elsewhere a concurrent duplicate fails on the primary key instead, and
    the caller's retry then finds it claimed.
    """
    values = {"id": message_id, "processed_at": at}
    statement = _CLAIM.get(connection.dialect.name)
    if statement is not None:
        return connection.execute(statement, values).first() is not None
    if connection.execute(_SEEN, {"id": message_id}).first() is not None:
        return False
    connection.execute(_RECORD, values)
    return True
