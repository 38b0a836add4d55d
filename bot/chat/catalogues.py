"""What a round sells, as the bot reads orders: its catalogue, kept built between messages.

Building a catalogue means reading every product of the round (its menu, then
the configured catalogue) and indexing their names; a community shop has
thousands. A worker keeps the last few rounds' catalogues and reads a round's
products again only when the stamps of its products moved
(storage/product_revisions.py): one small statement per message instead of
every product row, and a change made through any worker is seen by the next
message on every other.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from parsers.catalogue import Catalogue
from storage import menus, product_revisions
from storage.models import Product

_PRODUCTS = Product.__table__
_ROUND_ROWS = select(_PRODUCTS).where(or_(_PRODUCTS.c.round_id.is_(None), _PRODUCTS.c.round_id == bindparam("round")))
KEPT = 16   # rounds whose catalogues stay built between messages (rooms with their own menus take turns)


@dataclass(frozen=True)
class RoundCatalogue:
    """A round's catalogue, and the row id of each of its products by name (on sale or not)."""

    catalogue: Catalogue
    ids: Mapping[str, int]


def catalogue_from(products: Iterable[Product]) -> Catalogue:
    """The catalogue of a round's products, in the order given (the menu's, then the config's)."""
    on, off = [], []
    for p in products:
        (on if p.on_sale else off).append(menus.product_info(p))
    return Catalogue(tuple(on), tuple(off))


def read_round(session: Session, round_id: int | None) -> RoundCatalogue:
    """A round's catalogue read from its products now (no cache).

    Plain rows, not ORM objects (they carry the same attributes): a shop's
    10,000 products load several times faster, and the book reads the one
    product row an order needs when it needs it."""
    session.flush()
    rows = menus.round_rows(session.execute(_ROUND_ROWS, {"round": round_id}), round_id)
    return RoundCatalogue(catalogue_from(rows), {p.name: p.id for p in rows})


class Catalogues:
    """The catalogues of recent rounds, each kept while the stamps it was built at stay."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._built: OrderedDict[tuple, RoundCatalogue] = OrderedDict()   # most recently used last

    def of_round(self, session: Session, round_id: int | None) -> RoundCatalogue:
        # Changes still pending in this session move the stamps when flushed: flush
        # first, so the stamps read are those of the products read next.
        session.flush()
        key = (round_id, *product_revisions.stamps(session.connection(), round_id))
        built = self._built.get(key)
        if built is None:
            built = read_round(session, round_id)
            self._built[key] = built
            while len(self._built) > self._kept:
                self._built.popitem(last=False)
        else:
            self._built.move_to_end(key)
        return built
