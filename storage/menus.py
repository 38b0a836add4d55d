"""A round's menu in the database: the products its opening post named.

A menu product is a `Product` row with the round's id. One that names a
configured product has that product's name and stands in for it in its round
(the round's price, unit, specs, stock and limit); the configured row stays as
it is for every other round. A round's products are its menu, in menu order,
then the configured ones it does not stand in for, in config order.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from parsers.catalogue import ProductInfo
from storage.models import Product

# The configured catalogue and one round's menu, in one statement.
ROUND_PRODUCTS = select(Product).where(or_(Product.round_id.is_(None), Product.round_id == bindparam("round")))
CONFIGURED = select(Product).where(Product.round_id.is_(None))
_PRODUCTS = Product.__table__
ROUND_PRODUCT_ROWS = select(_PRODUCTS).where(or_(_PRODUCTS.c.round_id.is_(None),
                                                 _PRODUCTS.c.round_id == bindparam("round")))


@dataclass(slots=True)
class ProductRow:
    """A product as one message reads it: a `Product` row's columns, read without
    building ORM objects (every message reads its round's products; the ORM
    took most of that time). Reads like a `Product`; `stock` follows what the
    message took (OrderBook.take_stock). Changing a product goes through the ORM
    (`named`)."""

    id: int
    name: str
    aliases: list[str]
    price: float
    unit: str
    stock: float | None
    limit: float | None
    specs: list[str]
    on_sale: bool
    position: int
    round_id: int | None
    code: str | None
    spec_prices: list[float]
    is_default: bool
    confirm_over: float


def save_menu(session: Session, round_id: int, products: Sequence[ProductInfo]) -> list[Product]:
    """Store the round's menu products (in menu order); returns the new rows."""
    rows = [Product(name=p.name, aliases=list(p.aliases), price=p.price, unit=p.unit, stock=p.stock,
                    limit=p.limit, specs=list(p.specs), on_sale=p.on_sale, position=position,
                    round_id=round_id, code=p.code, spec_prices=list(p.spec_prices),
                    is_default=p.default, confirm_over=p.confirm_over)
            for position, p in enumerate(products)]
    session.add_all(rows)
    session.flush()
    return rows


def round_rows(products: Iterable[Product | ProductRow], round_id: int | None) -> list:
    """The products of a round, in catalogue order: its menu, then the configured
    products its menu does not stand in for. Rows of other rounds are ignored."""
    menu, configured = [], []
    for p in products:
        if p.round_id is None:
            configured.append(p)
        elif round_id is not None and p.round_id == round_id:
            menu.append(p)
    menu.sort(key=lambda p: (p.position, p.id))
    configured.sort(key=lambda p: (p.position, p.id))
    taken = {p.name for p in menu}
    return menu + [p for p in configured if p.name not in taken]


def load_round_products(session: Session, round_id: int | None) -> list[Product]:
    return round_rows(session.scalars(ROUND_PRODUCTS, {"round": round_id}), round_id)


def round_product_rows(session: Session, round_id: int | None) -> list[ProductRow]:
    """`load_round_products` as rows: what a message reads its catalogue and prices from."""
    return round_rows([ProductRow(**row._mapping) for row in session.execute(ROUND_PRODUCT_ROWS, {"round": round_id})],
                      round_id)


def product_info(row: Product | ProductRow) -> ProductInfo:
    """The catalogue's view of one row."""
    return ProductInfo(
        name=row.name, price=row.price, unit=row.unit, aliases=tuple(row.aliases or ()), stock=row.stock,
        limit=row.limit, specs=tuple(row.specs or ()), on_sale=row.on_sale, code=row.code,
        spec_prices=tuple(row.spec_prices or ()), default=bool(row.is_default),
        confirm_over=row.confirm_over if row.confirm_over is not None else 50.0,
    )


def named(session: Session, round_id: int | None, name: str) -> Product | None:
    """The product a merchant's 上架/下架/库存 means by `name` in a round: the
    round's menu product when there is one, else the configured one."""
    rows = [p for p in load_round_products(session, round_id) if p.name == name]
    return rows[0] if rows else None
