"""After-sales in the books (storage/after_sales.py): cases, refunds capped by what
was paid for the item, resends capped by what was ordered, rejections, and the
history rows each leaves — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from chat import ADMIN, Chat, fruit_config
from storage import after_sales as books
from storage.models import AfterSale, Order, OrderHistory

AT = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def _chat_with_orders(url: str) -> Chat:
    chat = Chat(url, fruit_config())
    chat.admin("开团 周五水果")
    chat.say("wxid_li", "苹果2斤 草莓 大果 2盒")      # #1: 13.6 + 70 = 83.6
    chat.say("wxid_wang", "香蕉3斤")                  # #2: 10.5
    chat.admin("截单")
    return chat


def _order(session, seq: int) -> Order:
    return session.scalar(select(Order).where(Order.seq == seq))


def _item(order: Order, product: str):
    return next(i for i in order.items if i.product.name == product)


def test_a_refund_closes_the_case_and_counts_in_the_order_total_refunded(db_url):
    chat = _chat_with_orders(db_url)
    with chat.bot.db.unit_of_work() as session:
        order = _order(session, 1)
        case = books.open_case(session, order, _item(order, "草莓"), kind="damaged", quantity=1.0, written="1盒",
                               wants="refund", reporter="wxid_li", room_id=chat.room, text="草莓坏了1盒", at=AT)
        books.refund(session, order, _item(order, "草莓"), 35.0, quantity=1.0, actor=ADMIN, at=AT, case=case)
    with chat.bot.db.session() as session:
        found = books.after_sales_by_order(session, order_ids=[_order(session, 1).id])
        (entry,) = found.values()
        assert entry.refunded == 35.0 and entry.open_cases == ()
        assert entry.entries == [{"kind": "refund", "product": "草莓", "quantity": 1.0, "amount": 35.0}]
        assert session.scalar(select(AfterSale.status)) == "refund"
        actions = [h.action for h in session.scalars(select(OrderHistory).order_by(OrderHistory.id))]
        assert actions[-2:] == ["after_sale", "refund"]


def test_a_refund_never_exceeds_what_was_paid_for_the_item(db_url):
    chat = _chat_with_orders(db_url)
    with chat.bot.db.unit_of_work() as session:
        order = _order(session, 1)
        strawberries = _item(order, "草莓")
        books.refund(session, order, strawberries, 50.0, actor=ADMIN, at=AT)
        with pytest.raises(books.AfterSalesRefused) as refused:
            books.refund(session, order, strawberries, 20.01, actor=ADMIN, at=AT)
        assert refused.value.reason == "over_paid" and refused.value.limit == 20.0
        books.refund(session, order, strawberries, 20.0, actor=ADMIN, at=AT)
    with chat.bot.db.session() as session:
        assert books.after_sales_by_order(session, round_id=1)[_order(session, 1).id].refunded == 70.0


def test_a_refund_on_the_whole_order_is_capped_by_the_order_total(db_url):
    chat = _chat_with_orders(db_url)
    with chat.bot.db.unit_of_work() as session:
        order = _order(session, 2)
        with pytest.raises(books.AfterSalesRefused):
            books.refund(session, order, None, 1000, actor=ADMIN, at=AT)
        books.refund(session, order, None, 10.5, actor=ADMIN, at=AT)
        with pytest.raises(books.AfterSalesRefused):
            books.refund(session, order, None, 0.01, actor=ADMIN, at=AT)


def test_a_resend_waits_for_the_next_delivery_and_never_exceeds_what_was_ordered(sqlite_url):
    chat = _chat_with_orders(sqlite_url)
    with chat.bot.db.unit_of_work() as session:
        order = _order(session, 1)
        apples = _item(order, "苹果")
        with pytest.raises(books.AfterSalesRefused) as refused:
            books.resend(session, order, apples, 3.0, actor=ADMIN, at=AT)
        assert refused.value.limit == 2.0 and refused.value.unit == "斤"
        books.resend(session, order, apples, 0.5, actor=ADMIN, at=AT)
    with chat.bot.db.unit_of_work() as session:
        (waiting,) = books.pending_resends(session, chat.room)
        assert (waiting.product, waiting.quantity, waiting.kind) == ("苹果", 0.5, "resend")
        assert books.deliver_resends(session, chat.room, AT) == 1
    with chat.bot.db.session() as session:
        assert books.pending_resends(session, chat.room) == []


def test_a_rejected_case_is_closed_without_money_and_cannot_be_acted_on_again(sqlite_url):
    chat = _chat_with_orders(sqlite_url)
    with chat.bot.db.unit_of_work() as session:
        order = _order(session, 2)
        case = books.open_case(session, order, order.items[0], kind="spoiled", quantity=None, written="",
                               wants="", reporter="wxid_wang", room_id=chat.room, text="香蕉不新鲜", at=AT)
        books.reject(session, case, reason="已超过售后时间", actor=ADMIN, at=AT)
        with pytest.raises(books.AfterSalesRefused):
            books.refund(session, order, order.items[0], 1.0, actor=ADMIN, at=AT, case=case)
    with chat.bot.db.session() as session:
        assert books.open_cases(session, room_id=chat.room) == []
        (entry,) = books.after_sales_by_order(session, round_id=1).values()
        assert entry.refunded == 0.0
        assert entry.entries == [{"kind": "rejected", "product": "香蕉", "quantity": None, "amount": 0.0}]


def test_open_cases_are_listed_per_room_and_per_customer(sqlite_url):
    chat = _chat_with_orders(sqlite_url)
    with chat.bot.db.unit_of_work() as session:
        for seq, owner in ((1, "wxid_li"), (2, "wxid_wang")):
            order = _order(session, seq)
            books.open_case(session, order, order.items[0], kind="short", quantity=0.5, written="半斤", wants="",
                            reporter=owner, room_id=chat.room, text="少了半斤", at=AT)
    with chat.bot.db.session() as session:
        assert [c.seq for c in books.open_cases(session, room_id=chat.room)] == [1, 2]
        assert [c.customer for c in books.open_cases(session, owner="wxid_wang")] == ["wang"]
        assert books.open_cases(session, room_id="other@chatroom") == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=-50, max_value=200, allow_nan=False), max_size=8))
def test_refunds_in_any_order_never_add_up_to_more_than_the_item(tmp_path_factory, amounts):
    chat = _chat_with_orders(f"sqlite:///{tmp_path_factory.mktemp('books')}/t.db")
    with chat.bot.db.unit_of_work() as session:
        order = _order(session, 1)
        strawberries = _item(order, "草莓")
        for amount in amounts:
            try:
                books.refund(session, order, strawberries, amount, actor=ADMIN, at=AT)
            except books.AfterSalesRefused:
                pass
    with chat.bot.db.session() as session:
        refunded = books.after_sales_by_order(session, round_id=1).get(_order(session, 1).id)
        assert refunded is None or 0 < refunded.refunded <= 70.0 + 1e-9
