"""The rows every 接龙 line writes: a new order with its items and history,
the line's entry key, and the round's revision.

Prebuilt Core statements on the caller's connection (inside its unit of
work). A 300-person 接龙 writes these once per message; through the ORM's
unit of work the same rows cost about ten times as much (bench/), so the
hot path writes them here, while rarer changes (edits, payments, cancels)
keep the ORM.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, insert, select, update

from storage.models import EntryKey, Order, OrderHistory, OrderItem, Round

ORDERS, ITEMS, HISTORY = Order.__table__, OrderItem.__table__, OrderHistory.__table__
KEYS, ROUNDS = EntryKey.__table__, Round.__table__


class KeyRow(NamedTuple):
    """A 接龙 line's content key and the order it became (None: nothing ordered)."""

    id: int
    content: str
    order_id: int | None
    owner: str
    current: bool


class ItemValues(NamedTuple):
    product_id: int
    spec: str | None
    quantity: float
    unit_price: float


_INSERT_ORDER = insert(ORDERS)
_INSERT_ITEMS = insert(ITEMS)
_INSERT_HISTORY = insert(HISTORY)
_INSERT_KEY = insert(KEYS)
_KEYS_OF_ROUND = (select(KEYS.c.id, KEYS.c.content, KEYS.c.order_id, KEYS.c.owner, KEYS.c.current)
                  .where(KEYS.c.round_id == bindparam("round")))
_ATTACH_KEY = update(KEYS).where(KEYS.c.id == bindparam("key")).values(order_id=bindparam("order"))
_RETIRE_KEY = update(KEYS).where(KEYS.c.id == bindparam("key")).values(current=False)
_BUMP = update(ROUNDS).where(ROUNDS.c.id == bindparam("round")).values(revision=ROUNDS.c.revision + 1)
_BUMP_RETURNING = _BUMP.returning(ROUNDS.c.revision)
_REVISION = select(ROUNDS.c.revision).where(ROUNDS.c.id == bindparam("round"))


def insert_order(connection: Connection, *, round_id: int, seq: int, customer: str, owner: str, note: str,
                 source: str, at: datetime, items: Sequence[ItemValues], detail: str,
                 actor: str | None = None) -> int:
    """A new open order, its items and its `created` history row (by `actor`,
    default the owner); returns its id."""
    order_id = connection.execute(_INSERT_ORDER, {
        "round_id": round_id, "seq": seq, "customer": customer, "owner": owner, "status": "open",
        "note": note, "source": source, "created_at": at, "updated_at": at}).inserted_primary_key[0]
    connection.execute(_INSERT_ITEMS, [{"order_id": order_id, **item._asdict()} for item in items])
    connection.execute(_INSERT_HISTORY, {"order_id": order_id, "at": at, "actor": actor or owner, "action": "created",
                                         "detail": detail})
    return order_id


def entry_keys(connection: Connection, round_id: int) -> list[KeyRow]:
    return [KeyRow(*row) for row in connection.execute(_KEYS_OF_ROUND, {"round": round_id})]


def add_entry_key(connection: Connection, round_id: int, content: str, order_id: int | None,
                  owner: str) -> KeyRow:
    key_id = connection.execute(_INSERT_KEY, {"round_id": round_id, "content": content, "order_id": order_id,
                                              "owner": owner, "current": True}).inserted_primary_key[0]
    return KeyRow(key_id, content, order_id, owner, True)


def retire_entry_key(connection: Connection, key: KeyRow) -> KeyRow:
    """The line was edited or removed: its old content no longer stands for the order."""
    connection.execute(_RETIRE_KEY, {"key": key.id})
    return key._replace(current=False)


def attach_entry_key(connection: Connection, key_id: int, order_id: int) -> None:
    """A line that ordered nothing until its sender answered the bot's question
    now stands for the order the answer made."""
    connection.execute(_ATTACH_KEY, {"key": key_id, "order": order_id})


def bump_revision(connection: Connection, round_id: int) -> int:
    """Count one more change to the round; returns its new revision.

    The UPDATE holds the round's row until commit (PostgreSQL) and SQLite has
    one writer, so the value read back is this transaction's own.
    """
    if connection.dialect.update_returning:
        return connection.execute(_BUMP_RETURNING, {"round": round_id}).scalar_one()
    connection.execute(_BUMP, {"round": round_id})
    return connection.execute(_REVISION, {"round": round_id}).scalar_one()
