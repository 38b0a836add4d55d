"""Rounds that sell one product (eggs, crabs): +1 and a bare amount mean that
product, in a 接龙 line as in a message to the bot; with several products on
sale they are asked about, and a 接龙 line that orders nothing is asked about
once instead of being skipped."""
from __future__ import annotations

from bot.config import Config
from chat import ADMIN, Chat, fruit_config, jielong
from parsers.catalogue import ProductInfo

EGGS = Config(bot_id="bot", bot_name="小龙", admins=frozenset({ADMIN}),
              products=(ProductInfo("散养土鸡蛋", 25.0, "盒", aliases=("土鸡蛋", "鸡蛋")),))


def egg_list(*lines: str) -> str:
    body = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
    return f"#接龙\n土鸡蛋团\n25元/盒\n例 张三 2盒\n{body}"


def test_plus_one_in_a_jielong_line_is_one_unit_of_the_only_product(sqlite_url):
    chat = Chat(sqlite_url, EGGS)
    chat.admin(egg_list())
    replies = chat.say("wxid_a", egg_list("王姐 +1"))
    assert "散养土鸡蛋 1盒" in replies[0].text
    chat.say("wxid_b", egg_list("王姐 +1", "李明 +2"))
    assert chat.orders() == {"王姐": {("散养土鸡蛋", None): 1.0}, "李明": {("散养土鸡蛋", None): 2.0}}


def test_amount_without_a_product_in_a_jielong_line_is_the_only_product(sqlite_url):
    chat = Chat(sqlite_url, EGGS)
    chat.admin(egg_list())
    chat.say("wxid_b", egg_list("老王 两盒 要新鲜的"))
    chat.say("wxid_c", egg_list("老王 两盒 要新鲜的", "5-302 3盒"))
    assert chat.orders() == {"老王": {("散养土鸡蛋", None): 2.0}, "5-302": {("散养土鸡蛋", None): 3.0}}


def test_amount_said_to_the_bot_orders_the_only_product_but_chatter_does_not(sqlite_url):
    chat = Chat(sqlite_url, EGGS)
    chat.admin("开团 土鸡蛋团")
    assert chat.say("wxid_li", "上次的 两盒 很好吃") == []
    chat.say("wxid_li", "@小龙 两盒", mentions=("bot",))
    assert chat.orders() == {"li": {("散养土鸡蛋", None): 2.0}}


def test_plus_one_in_a_jielong_with_several_products_is_asked_once(sqlite_url):
    chat = Chat(sqlite_url, fruit_config())
    chat.admin(jielong("周五水果"))
    replies = chat.say("wxid_li", jielong("周五水果", "李明 +1"))
    assert "是要哪个" in replies[0].text
    assert chat.say("wxid_wang", jielong("周五水果", "李明 +1", "王芳 香蕉3斤"))[0].text.startswith("@wang 已登记")
    assert chat.orders() == {"王芳": {("香蕉", None): 3.0}}
    assert [u["reason"] for u in chat.unresolved()] == ["unclear"]


def test_jielong_line_that_orders_nothing_is_asked_about_not_skipped(sqlite_url):
    chat = Chat(sqlite_url, fruit_config())
    chat.admin(jielong("周五水果"))
    replies = chat.say("wxid_li", jielong("周五水果", "小李 随便来点"))
    assert "没看懂" in replies[0].text
    assert chat.say("wxid_wang", jielong("周五水果", "小李 随便来点")) == []     # not asked again
    assert [(u["sender"], u["reason"]) for u in chat.unresolved()] == [("wxid_li", "unclear")]
    assert chat.orders() == {}

