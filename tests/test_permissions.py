"""Who may change what: merchants run commands, customers touch only their own
orders, and a room never sees or changes another room's data."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.app import Bot
from bot.config import load_config
from bot.messages import Incoming, Reply
from storage.database import Database
from storage.models import Product, Round
from storage.reports import orders_document

CONFIG = """\
[bot]
id = "bot"
name = "小龙"
admins = ["wxid_boss"]

[[products]]
name = "苹果"
price = 6.5
unit = "斤"
stock = 100

[[products]]
name = "草莓"
price = 35.0
unit = "盒"
stock = 20
"""
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
BOSS = ("wxid_boss", "老板")
LI = ("wxid_li", "李明")
WANG = ("wxid_wang", "王芳")


class Group:
    """A bot and a way to talk to it as anyone, in any room."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.ids = itertools.count(1)

    def say(self, who: tuple[str, str], text: str, room: str = "r1") -> list[Reply]:
        n = next(self.ids)
        mentions = ("bot",) if "@小龙" in text else ()
        return self.bot.handle(Incoming(f"m{n}", T0 + timedelta(minutes=n), room, who[0], who[1], text,
                                        mentions, room_name=room))

    def state(self) -> dict:
        with self.bot.db.session() as session:
            rounds = [(r.id, r.room_id, r.title, r.status) for r in session.scalars(select(Round))]
            products = [(p.name, p.price, p.unit, p.stock, p.on_sale) for p in session.scalars(select(Product))]
        return {"orders": orders_document(self.bot.db), "rounds": rounds, "products": products}

    def orders(self, room: str | None = None) -> list[dict]:
        return orders_document(self.bot.db)["orders"]


@pytest.fixture
def group(tmp_path, sqlite_url):
    path = tmp_path / "shop.toml"
    path.write_text(CONFIG, encoding="utf-8")
    bot = Bot(load_config(path), Database(sqlite_url))
    group = Group(bot)
    group.say(BOSS, "开团 周五水果")
    group.say(LI, "@小龙 苹果2斤")
    group.say(WANG, "@小龙 草莓1盒")
    yield group
    bot.db.dispose()


MERCHANT_COMMANDS = {
    "开团": "开团 我的私人团",
    "截单": "截单",
    "汇总": "汇总",
    "取消": "取消 2",
    "已付": "已付 1",
    "发货": "发货 1",
    "上架": "上架 榴莲 99/个 库存 5",
    "下架": "下架 草莓",
    "库存": "库存 草莓 0",
    "代订": "代订 王芳 苹果10斤",
}


@pytest.mark.parametrize("prefix", ["", "/", "@小龙 "], ids=["bare", "slash", "mention"])
@pytest.mark.parametrize("verb", list(MERCHANT_COMMANDS))
def test_a_merchant_command_from_a_customer_changes_nothing(group, verb, prefix):
    before = group.state()
    replies = group.say(LI, prefix + MERCHANT_COMMANDS[verb])
    assert group.state() == before
    assert [r.text for r in replies] == ["@李明 这个命令只有团长能用哦"]


def test_a_summary_asked_for_by_a_customer_shows_nobody_else_s_order(group):
    replies = group.say(LI, "汇总")
    assert not any("王芳" in r.text or "草莓" in r.text for r in replies)


def test_the_same_commands_from_the_merchant_do_change_things(group):
    before = group.state()
    group.say(BOSS, "已付 1")
    assert group.state() != before


def test_a_customer_s_cancel_takes_back_only_their_own_order(group):
    group.say(LI, "取消")
    assert [o["customer"] for o in group.orders()] == ["王芳"]


def test_a_customer_s_change_never_touches_someone_else_s_order(group):
    group.say(LI, "草莓改成5盒")                    # 李明 has no 草莓: it becomes his own item
    wang = next(o for o in group.orders() if o["customer"] == "王芳")
    assert wang["items"] == [{"product": "草莓", "spec": None, "quantity": 1.0}]
    group.say(LI, "草莓不要了")
    wang = next(o for o in group.orders() if o["customer"] == "王芳")
    assert wang["items"] == [{"product": "草莓", "spec": None, "quantity": 1.0}]


def test_a_repost_without_someone_else_s_line_does_not_cancel_it(group):
    header = "#接龙\n周五水果\n例 张三 苹果2斤\n"
    group.say(WANG, header + "1. 王芳 苹果1斤")
    group.say(LI, header + "1. 王芳 苹果1斤\n2. 李明 草莓2盒")
    group.say(LI, header + "1. 李明 草莓2盒")              # 李明 drops 王芳's line: a race, not a cancel
    assert any(o["customer"] == "王芳" and o["items"][0]["product"] == "苹果" for o in group.orders())


def test_a_customer_editing_someone_else_s_line_does_not_change_their_order(group):
    header = "#接龙\n周五水果\n例 张三 苹果2斤\n"
    group.say(WANG, header + "1. 王芳 苹果1斤")
    group.say(LI, header + "1. 王芳 苹果9斤")              # not his line to change
    wang = [o for o in group.orders() if o["owner"] == "wxid_wang"]
    assert {"product": "苹果", "spec": None, "quantity": 1.0} in [i for o in wang for i in o["items"]]
    assert all(i["quantity"] != 9.0 for o in wang for i in o["items"])


def test_the_same_person_in_two_rooms_changes_only_the_room_they_write_in(group):
    group.say(BOSS, "开团 东门团", room="r2")
    group.say(LI, "@小龙 苹果3斤", room="r2")
    group.say(LI, "苹果改成5斤", room="r2")
    group.say(LI, "取消", room="r1")
    orders = group.orders()
    li = [o for o in orders if o["owner"] == "wxid_li"]
    assert [i["quantity"] for o in li for i in o["items"]] == [5.0]          # r1 gone, r2 changed
    group.say(LI, "取消", room="r2")
    assert [o for o in group.orders() if o["owner"] == "wxid_li"] == []
    assert [o["customer"] for o in group.orders()] == ["王芳"]                # r1's other order untouched


def test_a_summary_never_includes_another_room_s_orders(group):
    group.say(BOSS, "开团 东门团", room="r2")
    group.say(("wxid_zhao", "赵东门"), "@小龙 苹果7斤", room="r2")
    r1 = "\n".join(r.text for r in group.say(BOSS, "汇总", room="r1"))
    r2 = "\n".join(r.text for r in group.say(BOSS, "汇总", room="r2"))
    assert "李明" in r1 and "王芳" in r1 and "赵东门" not in r1
    assert "赵东门" in r2 and "李明" not in r2 and "王芳" not in r2


def test_a_merchant_command_in_one_room_acts_on_that_room_only(group):
    group.say(BOSS, "开团 东门团", room="r2")
    group.say(("wxid_zhao", "赵东门"), "@小龙 苹果7斤", room="r2")
    group.say(BOSS, "取消 1", room="r2")                     # #1 of r2 is 赵东门, not 李明
    assert sorted(o["customer"] for o in group.orders()) == ["李明", "王芳"]
    group.say(BOSS, "截单", room="r2")
    assert "已登记" in group.say(("wxid_sun", "孙姐"), "@小龙 苹果1斤", room="r1")[0].text
