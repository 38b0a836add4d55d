"""Stamps of the products a catalogue is read from, so a worker can keep a
round's catalogue built between messages and still see every change.

A round sells two scopes of products: the configured catalogue (scope 0) and
the round's menu (scope = the round's id). Whenever a session flushes an added,
changed or removed `Product`, the stamp of its scope gets a new random value in
the same transaction (`note_product_changes`, a `before_flush` listener the
database installs on its sessions), so every path that changes products through
the ORM (上架, 下架, 库存, a new round's menu, products seeded from the config,
the web page) moves it, on every worker sharing the database.

Random rather than counted: a stamp written by a transaction that rolls back is
never written again, so a catalogue built inside it cannot be mistaken for a
later one. Stock taken by orders is a Core UPDATE and moves nothing: the
catalogue does not depend on it.

Read the stamps before the products: a change committed between the two reads
then costs one more rebuild, never a stale catalogue.
"""
from __future__ import annotations

import random

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from storage.models import Product, ProductRevision

CONFIGURED = 0                  # the scope of the configured catalogue (products without a round)
_TABLE = ProductRevision.__table__
_STAMPS = select(_TABLE.c.scope, _TABLE.c.stamp).where(_TABLE.c.scope.in_(bindparam("scopes", expanding=True)))
_SET = update(_TABLE).where(_TABLE.c.scope == bindparam("the_scope")).values(stamp=bindparam("stamp"))
_ADD = insert(_TABLE).values(scope=bindparam("the_scope"), stamp=bindparam("stamp"))

Stamps = tuple[int | None, int | None]   # (configured catalogue, the round's menu); None: never stamped


def scope_of(round_id: int | None) -> int:
    return CONFIGURED if round_id is None else round_id


def stamps(connection: Connection, round_id: int | None) -> Stamps:
    """The stamps of what round `round_id` (None: no round) sells, in one statement."""
    found = dict(connection.execute(_STAMPS, {"scopes": [CONFIGURED, scope_of(round_id)]}).all())
    return found.get(CONFIGURED), (found.get(round_id) if round_id is not None else None)


def move(connection: Connection, scopes: set[int]) -> None:
    """A new stamp for each scope (its products changed in this transaction)."""
    for scope in sorted(scopes):       # always in the same order: two workers never deadlock on them
        stamp = random.randint(1, 2**31 - 1)
        if connection.execute(_SET, {"the_scope": scope, "stamp": stamp}).rowcount == 0:
            # first change of this scope; a worker racing to the same insert fails on the key
            # and its unit of work runs again (bot/app.py)
            connection.execute(_ADD, {"the_scope": scope, "stamp": stamp})


def note_product_changes(session: Session, _flush_context, _instances) -> None:
    """`before_flush`: move the stamps of the scopes whose products this flush adds, changes or removes."""
    scopes: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Product):
            scopes.add(scope_of(obj.round_id))
    for obj in session.deleted:
        if isinstance(obj, Product):
            scopes.add(scope_of(obj.round_id))
    for obj in session.dirty:
        if isinstance(obj, Product) and session.is_modified(obj):
            scopes.add(scope_of(obj.round_id))
            # a product moved to another round leaves the old one's menu too
            scopes.update(scope_of(old) for old in inspect(obj).attrs.round_id.history.deleted)
    if scopes:
        move(session.connection(), scopes)
