"""Read a round's orders into plain typed rows for reports, exports and charts.

Reports work on these rows, never on live ORM objects, so every figure is a
pure function of what was loaded, and the same rows serve the chat, the
Excel export and the command line.

Payment is read from the order history: an order is paid once someone marked
it `paid`, even after it moved on to shipped or done (a merchant may ship
before the money arrives; the bill must still say who owes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.after_sales import ActionRow, CaseRow, OrderAfterSales, after_sales_by_order, pending_resends
from storage.menus import load_round_products
from storage.models import Order, OrderHistory, OrderItem, Question, Round

LIVE = ("open", "paid", "shipped", "done")


@dataclass(frozen=True)
class ItemRow:
    product: str
    spec: str | None
    quantity: float              # in the selling unit
    unit: str
    unit_price: float
    position: int = 0            # the product's place in the round's catalogue (its menu first)
    code: str | None = None      # the product's number or letter in the round's menu

    @property
    def amount(self) -> float:
        return round(self.quantity * self.unit_price, 2)


@dataclass(frozen=True)
class OrderRow:
    id: int
    seq: int
    customer: str
    owner: str                   # contact id of whoever placed it
    status: str                  # open | paid | shipped | done
    note: str
    source: str
    created_at: datetime
    paid: bool
    items: tuple[ItemRow, ...]
    refunded: float = 0.0        # yuan given back after sales (售后)

    @property
    def total(self) -> float:
        return round(sum(item.amount for item in self.items), 2)

    @property
    def net(self) -> float:
        """What the order brings in once refunds are given back."""
        return round(self.total - self.refunded, 2)


@dataclass(frozen=True)
class QuestionRow:
    sender: str
    customer: str
    text: str
    reason: str


@dataclass(frozen=True)
class RoundRows:
    id: int
    room_id: str
    title: str
    status: str                  # open | closed
    opened_at: datetime
    closed_at: datetime | None
    number: int                  # 1, 2, 3... the round's place among its room's rounds
    orders: tuple[OrderRow, ...]
    questions: tuple[QuestionRow, ...]   # unsettled: entries still waiting for an answer
    specs: dict[str, tuple[str, ...]]    # product -> specs in catalogue order
    # After sales (售后): per order id, its open cases, refunds, resends and rejections;
    # resends of the room's orders still to go out (on the newest round's lists only).
    after_sales: dict[int, OrderAfterSales] = field(default_factory=dict)
    resends: tuple[ActionRow, ...] = ()

    @property
    def name(self) -> str:
        return self.title or f"第{self.number}团"

    @property
    def open_cases(self) -> tuple[CaseRow, ...]:
        return tuple(c for a in self.after_sales.values() for c in a.open_cases)

    @property
    def refunded(self) -> float:
        return round(sum(a.refunded for a in self.after_sales.values()), 2)


def load_round(session: Session, round_id: int) -> RoundRows | None:
    rnd = session.get(Round, round_id)
    if rnd is None:
        return None
    orders = session.scalars(
        select(Order).where(Order.round_id == round_id, Order.status.in_(LIVE))
        .options(selectinload(Order.items).joinedload(OrderItem.product))
        .order_by(Order.seq)).all()
    paid_ids = set(session.scalars(
        select(OrderHistory.order_id).join(Order, Order.id == OrderHistory.order_id)
        .where(Order.round_id == round_id, OrderHistory.action == "paid")))
    questions = session.scalars(select(Question).where(
        Question.round_id == round_id, Question.settled.is_(False)).order_by(Question.id)).all()
    number = len(session.scalars(select(Round.id).where(Round.room_id == rnd.room_id,
                                                        Round.id <= rnd.id)).all())
    products = load_round_products(session, round_id)
    places = {p.id: place for place, p in enumerate(products)}
    after_sales = after_sales_by_order(session, round_id=round_id)
    newest = session.scalar(select(Round.id).where(Round.room_id == rnd.room_id).order_by(Round.id.desc()).limit(1))
    rows = []
    for order in orders:
        items = tuple(ItemRow(i.product.name, i.spec, round(i.quantity, 4), i.product.unit, i.unit_price,
                              places.get(i.product.id, len(places) + i.product.position), i.product.code)
                      for i in order.items)
        if not items:
            continue
        rows.append(OrderRow(order.id, order.seq, order.customer, order.owner, order.status, order.note or "",
                             order.source, order.created_at, order.status == "paid" or order.id in paid_ids,
                             items, after_sales[order.id].refunded if order.id in after_sales else 0.0))
    return RoundRows(
        id=rnd.id, room_id=rnd.room_id, title=rnd.title or "", status=rnd.status, opened_at=rnd.opened_at,
        closed_at=rnd.closed_at, number=number, orders=tuple(rows),
        questions=tuple(QuestionRow(q.sender, q.customer, q.text, q.reason) for q in questions),
        specs={p.name: tuple(p.specs or ()) for p in products},
        after_sales=after_sales,
        resends=tuple(pending_resends(session, rnd.room_id)) if newest == rnd.id else ())


def room_round_ids(session: Session, room_id: str) -> list[int]:
    """The room's rounds, oldest first."""
    return list(session.scalars(select(Round.id).where(Round.room_id == room_id).order_by(Round.id)))


def pick_round(session: Session, room_id: str, which: str = "") -> int | None:
    """The round a report asks for: "" (open, else latest), 上一团, 上上团, 第N团."""
    ids = room_round_ids(session, room_id)
    if not ids:
        return None
    which = which.replace(" ", "")
    if which.startswith("第") and which.rstrip("团期").lstrip("第").isdigit():
        n = int(which.rstrip("团期").lstrip("第"))
        return ids[n - 1] if 1 <= n <= len(ids) else None
    back = which.count("上") if which.startswith("上") else 0
    if back:
        return ids[-1 - back] if back < len(ids) else None
    return ids[-1]


def latest_round_id(session: Session) -> int | None:
    return session.scalar(select(Round.id).order_by(Round.id.desc()).limit(1))


def latest_round_of_owner(session: Session, owner: str) -> int | None:
    """The newest round, in any room, where `owner` placed a live order (for a private 我的订单)."""
    return session.scalar(select(Order.round_id).where(Order.owner == owner, Order.status.in_(LIVE))
                          .order_by(Order.round_id.desc()).limit(1))
