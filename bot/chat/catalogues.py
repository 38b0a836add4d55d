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

from parsers.catalogue import Catalogue, ProductInfo
from storage import menus, product_revisions
from storage.models import Product

_PRODUCTS = Product.__table__
_ROUND_ROWS = select(_PRODUCTS).where(or_(_PRODUCTS.c.round_id.is_(None), _PRODUCTS.c.round_id == bindparam("round")))
_CONFIGURED_ROWS = select(_PRODUCTS).where(_PRODUCTS.c.round_id.is_(None))
_MENU_ROWS = select(_PRODUCTS).where(_PRODUCTS.c.round_id == bindparam("round"))
KEPT = 16   # rounds whose catalogues stay built between messages (rooms with their own menus take turns)


@dataclass(frozen=True)
class RoundCatalogue:
    """A round's catalogue, and the row id of each of its products by name (on sale or not)."""

    catalogue: Catalogue
    ids: Mapping[str, int]


def catalogue_from(products: Iterable[Product], infos: Mapping[int, ProductInfo] | None = None) -> Catalogue:
    """The catalogue of a round's products, in the order given (the menu's, then the config's);
    `infos`: the catalogue's view of rows already made, by row id."""
    on, off = [], []
    for p in products:
        info = infos.get(p.id) if infos is not None else None
        (on if p.on_sale else off).append(info or menus.product_info(p))
    return Catalogue(tuple(on), tuple(off))


def read_round(session: Session, round_id: int | None) -> RoundCatalogue:
    """A round's catalogue read from its products now (no cache)."""
    session.flush()
    return _round_catalogue(list(session.execute(_ROUND_ROWS, {"round": round_id})), round_id)


def _round_catalogue(rows: list, round_id: int | None, infos: Mapping[int, ProductInfo] | None = None
                     ) -> RoundCatalogue:
    # Plain rows, not ORM objects (they carry the same attributes): a shop's 10,000
    # products load several times faster, and the book reads the one product row an
    # order needs when it needs it.
    rows = menus.round_rows(rows, round_id)
    return RoundCatalogue(catalogue_from(rows, infos), {p.name: p.id for p in rows})


@dataclass
class _Configured:
    """The configured products as read at one stamp: plain rows (no session) and their infos."""

    stamp: int | None
    rows: tuple
    infos: dict[int, ProductInfo]
    alone: RoundCatalogue | None = None       # the catalogue of a round without a menu


class Catalogues:
    """The catalogues of recent rounds, each kept while the stamps it was built at stay."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._built: OrderedDict[tuple, RoundCatalogue] = OrderedDict()   # most recently used last
        self._configured: _Configured | None = None

    def of_round(self, session: Session, round_id: int | None) -> RoundCatalogue:
        # Changes still pending in this session move the stamps when flushed: flush
        # first, so the stamps read are those of the products read next.
        session.flush()
        key = (round_id, *product_revisions.stamps(session.connection(), round_id))
        built = self._built.get(key)
        if built is None:
            built = self._read(session, round_id, key[1])
            self._built[key] = built
            while len(self._built) > self._kept:
                self._built.popitem(last=False)
        else:
            self._built.move_to_end(key)
        return built

    def _read(self, session: Session, round_id: int | None, configured_stamp: int | None) -> RoundCatalogue:
        """Read the round's menu, and the configured products only when their stamp moved
        (a new round's menu in a 10,000-product shop reads its few rows, not the shop)."""
        configured = self._configured
        if configured is None or configured.stamp != configured_stamp:
            rows = tuple(session.execute(_CONFIGURED_ROWS))
            configured = self._configured = _Configured(configured_stamp, rows,
                                                        {p.id: menus.product_info(p) for p in rows})
        menu = list(session.execute(_MENU_ROWS, {"round": round_id})) if round_id is not None else []
        if menu:
            return _round_catalogue([*menu, *configured.rows], round_id, configured.infos)
        if configured.alone is None:   # a round without a menu sells the configured catalogue as it is
            configured.alone = _round_catalogue(list(configured.rows), None, configured.infos)
        return configured.alone
