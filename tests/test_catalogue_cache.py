"""A worker keeps each round's catalogue built between messages (bot/chat/catalogues.py),
and still sells what the products are now: a product listed, renamed or taken off
sale, a new round's menu, products added to the config, through this worker or
another one on the same database (storage/product_revisions.py)."""
from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.app import build_bot
from bot.messages import Incoming
from chat import ADMIN, START, Chat, fruit_config, jielong
from parsers.catalogue import ProductInfo
from storage import product_revisions
from storage.models import Product, Round

_clock = itertools.count(1000)


def other_worker(chat: Chat, config=None):
    """A second bot on the same database, in the same room; returns its `say`."""
    bot = build_bot(config or fruit_config(), chat.bot.db.url, scheduler=False)
    ids = itertools.count(1)

    def say(sender: str, text: str):
        msg = Incoming(id=f"other-{next(ids)}", ts=START + timedelta(minutes=next(_clock)), room=chat.room,
                       sender=sender, name="团长" if sender == ADMIN else sender.removeprefix("wxid_"), text=text)
        return bot.handle(msg)
    return bot, say


def test_orders_reuse_the_built_catalogue_and_stock_taken_moves_no_stamp(db_url):
    chat = Chat(db_url)
    chat.admin("开团 周末团")
    chat.say("wxid_li", "草莓大果2盒")
    round_id = _round_id(chat)
    built = chat.bot.catalogue(round_id)
    chat.say("wxid_wang", "草莓大果1盒")       # stock 10 -> 7: no product change the catalogue depends on
    chat.say("wxid_zhao", "苹果2斤")
    assert chat.bot.catalogue(round_id) is built
    assert chat.orders()["wang"] == {("草莓", "大果"): 1.0}


def test_a_product_listed_on_one_worker_is_sold_by_the_other(db_url):
    chat = Chat(db_url)
    chat.admin("开团 周末团")
    chat.say("wxid_li", "苹果1斤")             # this worker has built the round's catalogue
    _, other = other_worker(chat)
    other(ADMIN, "上架 榴莲 80/个")
    chat.say("wxid_wang", "榴莲1个")
    assert chat.orders()["wang"] == {("榴莲", None): 1.0}


def test_a_product_taken_off_sale_on_one_worker_is_refused_by_the_other(db_url):
    chat = Chat(db_url)
    chat.admin("开团 周末团")
    chat.say("wxid_li", "香蕉1斤")
    _, other = other_worker(chat)
    other(ADMIN, "下架 香蕉")
    replies = chat.say("wxid_wang", "香蕉2斤")
    assert "下架" in replies[0].text
    assert "wang" not in chat.orders()


def test_a_product_renamed_in_the_database_is_sold_under_its_new_name(db_url):
    chat = Chat(db_url)
    chat.admin("开团 周末团")
    chat.say("wxid_li", "香蕉1斤")
    with chat.bot.db.unit_of_work() as session:   # as any other tool changing the row through the ORM would
        session.scalar(select(Product).where(Product.name == "香蕉")).name = "海南香蕉"
    chat.say("wxid_wang", "海南香蕉2斤")
    assert chat.orders()["wang"] == {("海南香蕉", None): 2.0}


def test_a_new_rounds_menu_is_sold_by_a_worker_that_served_the_round_before(db_url):
    chat = Chat(db_url)
    chat.admin("开团 周末团")
    chat.say("wxid_li", "苹果1斤")
    _, other = other_worker(chat)
    other(ADMIN, jielong("周一团", "张三 苹果1斤").replace("苹果 6.8元/斤", "苹果 6.8元/斤\n山竹 45元/盒"))
    chat.say("wxid_wang", "山竹1盒")
    assert chat.orders()["wang"] == {("山竹", None): 1.0}


def test_products_added_to_the_config_reach_a_worker_already_running(db_url):
    chat = Chat(db_url)
    chat.admin("开团 周末团")
    chat.say("wxid_li", "苹果1斤")
    config = fruit_config()
    other_worker(chat, replace(config, products=config.products + (ProductInfo("火龙果", 12.0, "个"),)))
    chat.say("wxid_wang", "火龙果3个")
    assert chat.orders()["wang"] == {("火龙果", None): 3.0}


def test_each_product_change_moves_its_scopes_stamp_only(db_url):
    chat = Chat(db_url)
    chat.admin("开团 周末团")
    round_id = _round_id(chat)
    with chat.bot.db.session() as session:
        before = product_revisions.stamps(session.connection(), round_id)
    chat.admin("上架 榴莲 80/个")                  # joins the open round's menu
    with chat.bot.db.session() as session:
        after = product_revisions.stamps(session.connection(), round_id)
    assert after[0] == before[0] and after[1] not in (None, before[1])
    chat.admin("下架 苹果")                        # a configured product
    with chat.bot.db.session() as session:
        last = product_revisions.stamps(session.connection(), round_id)
    assert last[0] != after[0] and last[1] == after[1]


def test_a_stamp_written_by_a_transaction_rolled_back_is_not_kept(db_url):
    chat = Chat(db_url)
    with chat.bot.db.session() as session:
        before = product_revisions.stamps(session.connection(), None)
    with chat.bot.db.session() as session:
        session.add(Product(name="试吃", aliases=[], price=1.0, unit="份", specs=[], position=99))
        session.flush()
        assert product_revisions.stamps(session.connection(), None) != before
        session.rollback()
    with chat.bot.db.session() as session:
        assert product_revisions.stamps(session.connection(), None) == before


def _round_id(chat: Chat) -> int:
    with chat.bot.db.session() as session:
        return session.scalar(select(Round.id).order_by(Round.id.desc()).limit(1))
