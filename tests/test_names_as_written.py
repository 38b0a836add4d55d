"""Customer names are kept as written (traditional characters included); products
are matched after normalising (CONTRACT 3b)."""
from __future__ import annotations

from chat import Chat, jielong


def test_a_jielong_line_keeps_a_traditional_customer_name(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_a", jielong("周五水果", "陳老師 苹果2斤", "葉葉 香蕉3斤"))
    assert chat.orders() == {"陳老師": {("苹果", None): 2.0}, "葉葉": {("香蕉", None): 3.0}}


def test_a_free_form_message_keeps_a_traditional_customer_name(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("开团 周五水果")
    chat.say("wxid_b", "劉先生 蘋果2斤")
    assert chat.orders() == {"劉先生": {("苹果", None): 2.0}}


def test_an_opening_post_with_bare_prices_orders_nothing_for_the_merchant(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("#接龙\n周六面包团\n1. 全麦方包 16\n2. 法棍 7.5")
    chat.say("wxid_c", "#接龙\n周六面包团\n1. 全麦方包 16\n2. 法棍 7.5\n\n1. 阿芳 2x3")
    assert chat.orders() == {"阿芳": {("法棍", None): 3.0}}
