"""The page's words that are not in its templates: statuses, question reasons, amounts."""
from __future__ import annotations

from dataclasses import dataclass

from bot.chat.replies import amount, money  # noqa: F401 (the page shows figures as the chat does)
from parsers.address import find_phones, mask_phones
from bot.merchant.reports import Bill
from storage.queries import OrderRow

STATUS = {"open": "待付款", "paid": "已付款", "shipped": "已发货", "done": "已到货"}

REASONS = {
    "unknown_product": "没有这个商品",
    "ambiguous": "不确定是哪一样",
    "missing_spec": "没写规格",
    "unit": "单位对不上",
    "unclear": "没看懂要什么",
    "stock": "库存不够",
    "limit": "超过限购",
    "closed": "截单后才发来",
}


def reason(code: str) -> str:
    return REASONS.get(code, code)


def without_phones(note: str) -> str:
    """A note with its phone numbers taken out: the page shows them apart, as links to call."""
    return " ".join(mask_phones(note, "").split())


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order as its card shows it, formatted once (a round page may show 500)."""

    id: int
    seq: int
    customer: str
    total: str
    items: tuple[str, ...]
    note: str
    phones: tuple[str, ...]
    status: str
    paid: bool


def order_view(order: OrderRow) -> OrderView:
    items = tuple(f"{i.product}({i.spec}) {amount(i.quantity, i.unit)}" if i.spec
                  else f"{i.product} {amount(i.quantity, i.unit)}" for i in order.items)
    return OrderView(order.id, order.seq, order.customer, money(order.total), items, without_phones(order.note),
                     tuple(find_phones(f"{order.customer} {order.note}")), order.status, order.paid)


@dataclass(frozen=True, slots=True)
class BillView:
    """A customer's bill as its card shows it, formatted once."""

    customer: str
    seqs: str
    total: str
    items: tuple[str, ...]
    paid: bool
    state: str


def bill_view(bill: Bill) -> BillView:
    items = tuple(f"{i.product}({i.spec}) {amount(i.quantity, i.unit)} ¥{money(i.amount)}" if i.spec
                  else f"{i.product} {amount(i.quantity, i.unit)} ¥{money(i.amount)}" for i in bill.items)
    if bill.paid:
        state = "已付"
    elif bill.paid_amount:
        state = f"已付¥{money(bill.paid_amount)} 还差¥{money(bill.due)}"
    else:
        state = f"未付 ¥{money(bill.due)}"
    return BillView(bill.customer, " ".join(f"#{s}" for s in bill.seqs), money(bill.total), items, bill.paid, state)
