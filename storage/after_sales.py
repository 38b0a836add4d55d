"""After-sales (售后) in the books: cases against order items, and refunds,
resends and rejections, each written with a row in the order's history.

Everything runs inside the caller's unit of work. The rules that keep the
books true live here, next to the rows, so no caller can break them:

* a refund never exceeds what was paid for the item — the item's amount
  (quantity × unit price), whether or not the order is marked paid, minus
  what was already refunded on it — nor what is left of the order's total;
* a resend never exceeds the quantity ordered, minus what was already resent;
* a case closes once (refunded, resent or rejected); an action on an order
  with no open case for that item is recorded on its own.

Bad input raises `AfterSalesRefused` with what was wrong; nothing is written.
Read side: `after_sales_by_order` (for reports, exports, the web page and the
replay document) and `open_cases`, as plain rows.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storage.models import AfterSale, AfterSaleAction, Order, OrderHistory, OrderItem, Product, Round

EPSILON = 1e-6
KINDS = ("damaged", "spoiled", "short", "missing", "wrong", "refund")


class AfterSalesRefused(ValueError):
    """An action the books cannot take. `reason`: over_paid | over_quantity |
    no_item | closed; `limit`: how much is still possible."""

    def __init__(self, reason: str, limit: float = 0.0, unit: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit
        self.unit = unit


# -- writing -------------------------------------------------------------------------

def open_case(session: Session, order: Order, item: OrderItem | None, *, kind: str, quantity: float | None,
              written: str, wants: str, reporter: str, room_id: str, text: str, at: datetime) -> AfterSale:
    """Record a customer's report against one item of their order (or the whole order)."""
    case = AfterSale(order=order, order_id=order.id, product=item.product if item else None,
                     product_id=item.product_id if item else None, spec=item.spec if item else None,
                     kind=kind if kind in KINDS else "damaged", quantity=quantity, written=written, wants=wants,
                     status="open", reporter=reporter, room_id=room_id, text=text[:500], reported_at=at)
    session.add(case)
    _log(session, order, reporter, "after_sale", f"{_label(item)} {KIND_NAMES.get(kind, kind)} {written}".strip(), at)
    return case


def refundable(session: Session, order: Order, item: OrderItem | None) -> float:
    """What may still be refunded on an item (None: on the order as a whole)."""
    actions = _actions(session, order.id)
    left_on_order = order.total - sum(a.amount for a in actions if a.kind == "refund")
    if item is None:
        return round(max(0.0, left_on_order), 2)
    on_item = sum(a.amount for a in actions if a.kind == "refund" and _same(a, item))
    return round(max(0.0, min(item.amount - on_item, left_on_order)), 2)


def refund(session: Session, order: Order, item: OrderItem | None, amount: float, *, quantity: float | None = None,
           actor: str, at: datetime, case: AfterSale | None = None, reason: str = "") -> AfterSaleAction:
    """Money back on an item (or the order): never more than was paid for it."""
    amount = round(amount, 2)
    limit = refundable(session, order, item)
    if amount <= 0 or amount > limit + EPSILON:
        raise AfterSalesRefused("over_paid", limit)
    return _act(session, order, item, "refund", quantity, amount, actor, at, case, reason,
                f"{_label(item)} 退款{amount:g}元")


def resendable(session: Session, order: Order, item: OrderItem) -> float:
    resent = sum(a.quantity or 0.0 for a in _actions(session, order.id) if a.kind == "resend" and _same(a, item))
    return round(max(0.0, item.quantity - resent), 4)


def resend(session: Session, order: Order, item: OrderItem, quantity: float, *, actor: str, at: datetime,
           case: AfterSale | None = None) -> AfterSaleAction:
    """The goods again: on the next pick list and delivery sheet, marked 补发."""
    limit = resendable(session, order, item)
    if quantity <= 0 or quantity > limit + EPSILON:
        raise AfterSalesRefused("over_quantity", limit, item.product.unit)
    return _act(session, order, item, "resend", round(quantity, 4), 0.0, actor, at, case, "",
                f"{_label(item)} 补发{quantity:g}{item.product.unit}")


def reject(session: Session, case: AfterSale, *, reason: str, actor: str, at: datetime) -> AfterSaleAction:
    """Close a case without money or goods."""
    item = item_of(case)
    return _act(session, case.order, item, "rejected", case.quantity, 0.0, actor, at, case, reason,
                f"{_label(item)} 驳回：{reason}".rstrip("："))


def deliver_resends(session: Session, room_id: str, at: datetime) -> int:
    """Resends waiting in a room have gone out (the merchant's 发货 or 到货)."""
    pending = session.scalars(_pending_resends(room_id)).all()
    for action in pending:
        action.delivered_at = at
    return len(pending)


def _act(session: Session, order: Order, item: OrderItem | None, kind: str, quantity: float | None, amount: float,
         actor: str, at: datetime, case: AfterSale | None, reason: str, detail: str) -> AfterSaleAction:
    if case is not None and case.status != "open":
        raise AfterSalesRefused("closed")
    action = AfterSaleAction(order=order, order_id=order.id, case=case, product=item.product if item else None,
                             product_id=item.product_id if item else None, spec=item.spec if item else None,
                             kind=kind, quantity=quantity, amount=amount, reason=reason, actor=actor, at=at)
    session.add(action)
    if case is not None:
        case.status = {"refund": "refund", "resend": "resend"}.get(kind, "rejected")
        case.closed_at = at
    _log(session, order, actor, kind, detail, at)
    session.flush()
    return action


def _log(session: Session, order: Order, actor: str, action: str, detail: str, at: datetime) -> None:
    session.add(OrderHistory(order=order, at=at, actor=actor, action=action, detail=detail))


def _actions(session: Session, order_id: int) -> list[AfterSaleAction]:
    session.flush()
    return list(session.scalars(select(AfterSaleAction).where(AfterSaleAction.order_id == order_id)))


def _same(action: AfterSaleAction, item: OrderItem) -> bool:
    return action.product_id == item.product_id and action.spec == item.spec


def item_of(case: AfterSale) -> OrderItem | None:
    return next((i for i in case.order.items if i.product_id == case.product_id and i.spec == case.spec), None)


def _label(item: OrderItem | None) -> str:
    if item is None:
        return "整单"
    return f"{item.product.name}({item.spec})" if item.spec else item.product.name


KIND_NAMES = {"damaged": "坏了", "spoiled": "不新鲜", "short": "少了", "missing": "没收到", "wrong": "发错了",
              "refund": "要退款"}


# -- reading -------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseRow:
    """One after-sales case as reports show it."""

    id: int
    order_id: int
    round_id: int
    seq: int                     # the order's number in its round
    customer: str
    owner: str
    product: str | None          # None: the order as a whole
    spec: str | None
    unit: str
    kind: str                    # damaged spoiled short missing wrong refund
    quantity: float | None       # in the selling unit
    written: str                 # the amount as the customer typed it
    wants: str                   # refund | resend | ""
    status: str                  # open refund resend rejected
    text: str
    reported_at: datetime


@dataclass(frozen=True)
class ActionRow:
    """A refund, resend or rejection."""

    id: int
    order_id: int
    case_id: int | None
    product: str | None
    spec: str | None
    unit: str
    kind: str                    # refund | resend | rejected
    quantity: float | None
    amount: float                # yuan back (0 for resends and rejections)
    reason: str
    at: datetime
    delivered: bool              # resends: gone out already
    seq: int = 0                 # the order's number and customer, for pick lists and delivery sheets
    customer: str = ""


@dataclass(frozen=True)
class OrderAfterSales:
    """An order's after-sales: what the merchant's web page, reports and exports show."""

    order_id: int
    refunded: float = 0.0
    open_cases: tuple[CaseRow, ...] = ()
    actions: tuple[ActionRow, ...] = ()

    @property
    def entries(self) -> list[dict]:
        """`after_sales` of the replay document: actions in order, then open cases."""
        done = [{"kind": a.kind, "product": a.product, "quantity": a.quantity, "amount": round(a.amount, 2)}
                for a in self.actions]
        return done + [{"kind": "open", "product": c.product, "quantity": c.quantity, "amount": 0.0}
                       for c in self.open_cases]


def after_sales_by_order(session: Session, *, order_ids: Iterable[int] | None = None,
                         round_id: int | None = None) -> dict[int, OrderAfterSales]:
    """Open cases and refunded totals per order (of a round, or of the given orders).

    Orders with no after-sales are left out: `.get(order_id, OrderAfterSales(order_id))`.
    """
    session.flush()
    cases_q = select(AfterSale).options(joinedload(AfterSale.order), joinedload(AfterSale.product))
    actions_q = select(AfterSaleAction).options(joinedload(AfterSaleAction.product), joinedload(AfterSaleAction.order))
    if round_id is not None:
        cases_q = cases_q.join(Order, Order.id == AfterSale.order_id).where(Order.round_id == round_id)
        actions_q = actions_q.join(Order, Order.id == AfterSaleAction.order_id).where(Order.round_id == round_id)
    if order_ids is not None:
        ids = list(order_ids)
        cases_q = cases_q.where(AfterSale.order_id.in_(ids))
        actions_q = actions_q.where(AfterSaleAction.order_id.in_(ids))
    cases: dict[int, list[CaseRow]] = {}
    for case in session.scalars(cases_q.where(AfterSale.status == "open").order_by(AfterSale.id)).unique():
        cases.setdefault(case.order_id, []).append(_case_row(case))
    actions: dict[int, list[ActionRow]] = {}
    for action in session.scalars(actions_q.order_by(AfterSaleAction.id)).unique():
        actions.setdefault(action.order_id, []).append(_action_row(action))
    out = {}
    for order_id in sorted(set(cases) | set(actions)):
        done = tuple(actions.get(order_id, ()))
        out[order_id] = OrderAfterSales(order_id, round(sum(a.amount for a in done if a.kind == "refund"), 2),
                                        tuple(cases.get(order_id, ())), done)
    return out


def open_cases(session: Session, *, room_id: str | None = None, owner: str | None = None) -> list[CaseRow]:
    """Open cases, oldest first: of a room's orders, of one customer's, or all."""
    session.flush()
    query = (select(AfterSale).join(Order, Order.id == AfterSale.order_id).join(Round, Round.id == Order.round_id)
             .where(AfterSale.status == "open")
             .options(joinedload(AfterSale.order), joinedload(AfterSale.product)).order_by(AfterSale.id))
    if room_id is not None:
        query = query.where(Round.room_id == room_id)
    if owner is not None:
        query = query.where(Order.owner == owner)
    return [_case_row(case) for case in session.scalars(query).unique()]


def pending_resends(session: Session, room_id: str) -> list[ActionRow]:
    """Resends of a room's orders that have not gone out yet."""
    session.flush()
    return [_action_row(a) for a in session.scalars(_pending_resends(room_id)).unique()]


def _pending_resends(room_id: str):
    return (select(AfterSaleAction).join(Order, Order.id == AfterSaleAction.order_id)
            .join(Round, Round.id == Order.round_id)
            .where(Round.room_id == room_id, AfterSaleAction.kind == "resend", AfterSaleAction.delivered_at.is_(None))
            .options(joinedload(AfterSaleAction.product), joinedload(AfterSaleAction.order))
            .order_by(AfterSaleAction.id))


def _case_row(case: AfterSale) -> CaseRow:
    order = case.order
    product: Product | None = case.product
    return CaseRow(case.id, order.id, order.round_id, order.seq, order.customer, order.owner,
                   product.name if product else None, case.spec, product.unit if product else "", case.kind,
                   case.quantity, case.written, case.wants, case.status, case.text, case.reported_at)


def _action_row(action: AfterSaleAction) -> ActionRow:
    product: Product | None = action.product
    return ActionRow(action.id, action.order_id, action.case_id, product.name if product else None, action.spec,
                     product.unit if product else "", action.kind, action.quantity, action.amount, action.reason,
                     action.at, action.delivered_at is not None, action.order.seq, action.order.customer)
