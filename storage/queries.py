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
from functools import cached_property

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from storage.after_sales import ActionRow, CaseRow, OrderAfterSales, after_sales_by_order, pending_resends
from storage.menus import load_round_products
from storage.models import Order, OrderHistory, OrderItem, Product, Question, Room, Round
from storage.questions import waiting_in_round

LIVE = ("open", "paid", "shipped", "done")
# The history action of a customer's own word that they paid (the merchant's 已付 is "paid").
SAID_PAID = "said_paid"


@dataclass(frozen=True)
class ItemRow:
    product: str
    spec: str | None
    quantity: float              # in the selling unit
    unit: str
    unit_price: float
    position: int = 0            # the product's place in the round's catalogue (its menu first)
    code: str | None = None      # the product's number or letter in the round's menu

    @cached_property        # rows never change once loaded; reports ask often
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
    said_paid: bool = False      # the customer said they paid (已付/已转账); not yet marked paid

    @cached_property
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
    questions: tuple[QuestionRow, ...]   # open: entries still waiting for an answer
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


_ORDERS, _ITEMS, _PRODUCTS = Order.__table__, OrderItem.__table__, Product.__table__
# One statement for a round's orders and items: plain rows, no ORM objects
# (a 500-order round loads in a fraction of what the ORM's identity map costs).
_ROUND_ITEMS = (
    select(_ORDERS.c.id, _ORDERS.c.seq, _ORDERS.c.customer, _ORDERS.c.owner, _ORDERS.c.status, _ORDERS.c.note,
           _ORDERS.c.source, _ORDERS.c.created_at, _PRODUCTS.c.name, _ITEMS.c.spec, _ITEMS.c.quantity,
           _PRODUCTS.c.unit, _ITEMS.c.unit_price, _PRODUCTS.c.id, _PRODUCTS.c.position, _PRODUCTS.c.code)
    .join(_ITEMS, _ITEMS.c.order_id == _ORDERS.c.id).join(_PRODUCTS, _PRODUCTS.c.id == _ITEMS.c.product_id)
    .where(_ORDERS.c.round_id == bindparam("round"), _ORDERS.c.status.in_(LIVE))
    .order_by(_ORDERS.c.seq, _ITEMS.c.id))
_PAID_IDS = (select(OrderHistory.__table__.c.order_id).join(_ORDERS, _ORDERS.c.id == OrderHistory.__table__.c.order_id)
             .where(_ORDERS.c.round_id == bindparam("round"), OrderHistory.__table__.c.action == "paid"))
_SAID_PAID_IDS = (select(OrderHistory.__table__.c.order_id)
                  .join(_ORDERS, _ORDERS.c.id == OrderHistory.__table__.c.order_id)
                  .where(_ORDERS.c.round_id == bindparam("round"), OrderHistory.__table__.c.action == SAID_PAID))


def load_round(session: Session, round_id: int) -> RoundRows | None:
    rnd = session.get(Round, round_id)
    if rnd is None:
        return None
    session.flush()      # the rows below are read on the connection, past the ORM's autoflush
    connection = session.connection()
    paid_ids = set(connection.execute(_PAID_IDS, {"round": round_id}).scalars())
    said_ids = set(connection.execute(_SAID_PAID_IDS, {"round": round_id}).scalars())
    questions = waiting_in_round(session, round_id)
    number = len(session.scalars(select(Round.id).where(Round.room_id == rnd.room_id,
                                                        Round.id <= rnd.id)).all())
    products = load_round_products(session, round_id)
    places = {p.id: place for place, p in enumerate(products)}
    after_sales = after_sales_by_order(session, round_id=round_id)
    newest = session.scalar(select(Round.id).where(Round.room_id == rnd.room_id).order_by(Round.id.desc()).limit(1))

    def refunded(order_id: int) -> float:
        return after_sales[order_id].refunded if order_id in after_sales else 0.0

    rows: list[OrderRow] = []
    current = None
    items: list[ItemRow] = []
    for (order_id, seq, customer, owner, status, note, source, created_at, product, spec, quantity, unit,
         unit_price, product_id, position, code) in connection.execute(_ROUND_ITEMS, {"round": round_id}):
        if current is None or current[0] != order_id:
            if current is not None:
                rows.append(OrderRow(*current, tuple(items), refunded(current[0]),
                                 said_paid=not current[-1] and current[0] in said_ids))
            current = (order_id, seq, customer, owner, status, note or "", source, created_at,
                       status == "paid" or order_id in paid_ids)
            items = []
        items.append(ItemRow(product, spec, round(quantity, 4), unit, unit_price,
                             places.get(product_id, len(places) + position), code))
    if current is not None:
        rows.append(OrderRow(*current, tuple(items), refunded(current[0]),
                                 said_paid=not current[-1] and current[0] in said_ids))
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


@dataclass(frozen=True)
class RoundSummary:
    """A round's headline figures, for the web page's list of rounds."""

    id: int
    room_id: str
    room_name: str
    title: str
    status: str
    opened_at: datetime
    number: int
    orders: int
    customers: int
    revenue: float
    paid_amount: float
    waiting: int                 # questions still open

    @property
    def name(self) -> str:
        return self.title or f"第{self.number}团"

    @property
    def unpaid_amount(self) -> float:
        return round(self.revenue - self.paid_amount, 2)


def round_summaries(session: Session) -> list[RoundSummary]:
    """Every round with its totals: open ones first, then the newest first."""
    rounds = session.execute(select(Round.id, Round.room_id, Room.name, Round.title, Round.status, Round.opened_at)
                             .join(Room, Room.id == Round.room_id).order_by(Round.id)).all()
    amounts = session.execute(
        select(Order.round_id, Order.id, Order.customer, Order.status,
               func.sum(OrderItem.quantity * OrderItem.unit_price))
        .join(OrderItem, OrderItem.order_id == Order.id)
        .where(Order.status.in_(LIVE)).group_by(Order.round_id, Order.id, Order.customer, Order.status)).all()
    paid_ids = set(session.scalars(select(OrderHistory.order_id).where(OrderHistory.action == "paid")))
    waiting = dict(session.execute(select(Question.round_id, func.count()).where(Question.settled.is_(False))
                                   .group_by(Question.round_id)).all())
    figures: dict[int, list] = {}
    for round_id, order_id, customer, status, amount in amounts:
        entry = figures.setdefault(round_id, [0, set(), 0.0, 0.0])
        entry[0] += 1
        entry[1].add(customer)
        entry[2] += amount or 0.0
        if status == "paid" or order_id in paid_ids:
            entry[3] += amount or 0.0
    numbers: dict[str, int] = {}
    out = []
    for round_id, room_id, room_name, title, status, opened_at in rounds:
        numbers[room_id] = numbers.get(room_id, 0) + 1
        count, customers, revenue, paid = figures.get(round_id, [0, set(), 0.0, 0.0])
        out.append(RoundSummary(round_id, room_id, room_name or "", title or "", status, opened_at,
                                numbers[room_id], count, len(customers), round(revenue, 2), round(paid, 2),
                                waiting.get(round_id, 0)))
    return sorted(out, key=lambda r: (r.status != "open", -r.id))


@dataclass(frozen=True)
class OpenQuestion:
    """An entry the bot asked about and nobody has settled yet."""

    id: int
    round_id: int | None
    room_id: str
    sender: str
    customer: str
    text: str
    reason: str
    suggestions: tuple[str, ...]
    created_at: datetime


def open_questions(session: Session) -> list[OpenQuestion]:
    """Every open question, oldest first (a queue)."""
    return [OpenQuestion(q.id, q.round_id, q.room_id, q.sender, q.customer, q.text, q.reason,
                         tuple(q.suggestions or ()), q.created_at)
            for q in session.scalars(select(Question).where(Question.settled.is_(False)).order_by(Question.id))]


def count_open_questions(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Question).where(Question.settled.is_(False))) or 0
