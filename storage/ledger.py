"""Which messages (and scheduled job runs) were handled: the idempotency ledger.

Recorded in the same transaction as the work, so a message delivered twice
changes things once. Prebuilt Core statements: this runs for every message.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib import import_module

from sqlalchemy import Connection, Insert, bindparam, insert, select

from storage.models import ProcessedMessage

PROCESSED = ProcessedMessage.__table__
_SKIPS_KNOWN_IDS = ("sqlite", "postgresql")     # INSERT … ON CONFLICT DO NOTHING
_SEEN = select(PROCESSED.c.id).where(PROCESSED.c.id == bindparam("id"))
_RECORD = insert(PROCESSED)


def claim(connection: Connection, message_id: str, at: datetime) -> bool:
    """Record a message as handled now; False if it already was (a re-delivery).

    Elsewhere a concurrent duplicate fails on the primary key instead, and
    the caller's retry then finds it claimed.
    """
    values = {"id": message_id, "processed_at": at}
    if connection.dialect.name in _SKIPS_KNOWN_IDS:
        return connection.execute(_claim(connection.dialect.name), values).first() is not None
    if connection.execute(_SEEN, {"id": message_id}).first() is not None:
        return False
    connection.execute(_RECORD, values)
    return True


@lru_cache(maxsize=None)
def _claim(dialect: str) -> Insert:
    """One statement where the database skips a known id itself; on PostgreSQL
    a concurrent duplicate waits for the first to commit, then inserts nothing.
    RETURNING, not rowcount: psycopg reports no rowcount for it. Built on first
    use, so only the dialect in use is imported."""
    dialect_insert = import_module(f"sqlalchemy.dialects.{dialect}").insert
    return dialect_insert(PROCESSED).on_conflict_do_nothing().returning(PROCESSED.c.id)
