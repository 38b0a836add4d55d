"""The pure figures behind the reports, on hand-made rows."""
from __future__ import annotations

from datetime import datetime, timezone

from bot.chat import replies
from bot.merchant.reports import bills, figures, product_totals, unpaid_bills
from storage.queries import ItemRow, OrderRow, RoundRows

AT = datetime(2026, 11, 20, tzinfo=timezone.utc)
APPLE = ("苹果", None, "斤", 6.8, 0)
BIG, MID = ("草莓", "大果", "盒", 39.0, 1), ("草莓", "中果", "盒", 29.0, 1)


def item(kind, quantity) -> ItemRow:
    product, spec, unit, price, position = kind
    return ItemRow(product, spec, quantity, unit, price, position)


def order(seq, customer, *items, owner=None, paid=False, status="open") -> OrderRow:
    return OrderRow(seq, seq, customer, owner or f"w_{customer}", status, "", "chat", AT, paid, tuple(items))


def round_of(*orders) -> RoundRows:
    return RoundRows(1, "r", "周末团", "closed", AT, None, 1, tuple(orders), (), {"草莓": ("大果", "中果")})


def test_specs_follow_the_catalogue_order_and_amounts_round_per_line():
    rnd = round_of(order(1, "李", item(MID, 1), item(APPLE, 1.5)), order(2, "王", item(BIG, 2), item(APPLE, 0.3)))
    totals = product_totals(rnd)
    assert [(t.label, t.quantity, t.amount, t.orders) for t in totals] == [
        ("苹果", 1.8, 12.24, 2), ("草莓(大果)", 2.0, 78.0, 1), ("草莓(中果)", 1.0, 29.0, 1)]
    assert figures(rnd).revenue == 119.24


def test_a_customer_with_one_paid_and_one_unpaid_order_owes_the_difference():
    rnd = round_of(order(1, "李", item(APPLE, 2), paid=True), order(2, "王", item(BIG, 1)),
                   order(3, "李", item(MID, 1)))
    (li, wang) = bills(rnd)
    assert (li.seqs, li.total, li.paid_amount, li.due, li.paid) == ((1, 3), 42.6, 13.6, 29.0, False)
    assert "已付13.6元 还差29元" in replies.bill_line(li)
    assert [b.customer for b in unpaid_bills(rnd)] == ["李", "王"]
    f = figures(rnd)
    assert (f.paid_orders, f.paid_amount, f.unpaid_orders, f.unpaid_amount) == (1, 13.6, 2, 68.0)


def test_a_merchants_order_for_a_customer_mentions_nobody():
    rnd = round_of(order(1, "王阿姨", item(APPLE, 1), owner="boss"))
    (bill,) = bills(rnd, admins={"boss"})
    assert bill.owners == ()
    (text,) = replies.payment_reminder(rnd, [bill])
    assert "@王阿姨 6.8元" in text


def test_long_lists_are_split_into_phone_sized_messages():
    rnd = round_of(*(order(n, f"顾客{n}", item(APPLE, 1)) for n in range(1, 61)))
    messages = replies.bills_report(rnd, bills(rnd))
    assert len(messages) == 3 and all(m.count("\n") <= replies.REPORT_CHUNK for m in messages)
    assert messages[0].split("\n")[0].endswith("（1/3）")
