"""Rounds whose products come from the merchant's post (CONTRACT 3b): the opening
post makes the round's menu, the bot answers with it, customers order from it,
reposts change nothing of it, and 上架/下架/库存 act on it."""
from __future__ import annotations

from pathlib import Path

from bot.config import Config, load_config
from chat import ADMIN, Chat, fruit_config
from parsers.catalogue import ProductInfo

BARE = Config(bot_id="bot", bot_name="小龙", admins=frozenset({ADMIN}))

BAKERY = ("#接龙\n周末烘焙团\n周六10点后自提\n"
          "①酥饼（咸蛋黄/肉松）18.8/20.8\n②蛋挞 12元/盒 限量5盒\n③吐司 15 每人限2\n"
          "④ 这一行 元 看不懂\n例 张三 酥饼肉松1")


def test_the_opening_post_is_answered_with_the_menu_as_read(sqlite_url):
    chat = Chat(sqlite_url, BARE)
    reply = chat.admin(BAKERY)[0].text
    assert "周末烘焙团" in reply
    assert "1. 酥饼 咸蛋黄18.8/肉松20.8元/份" in reply
    assert "2. 蛋挞 12元/盒，限量5" in reply
    assert "3. 吐司 15元/份，每人限2份" in reply
    assert "没看懂：「④ 这一行 元 看不懂」" in reply
    assert "上架" in reply


def test_a_config_with_only_bot_sells_what_the_post_names(sqlite_url):
    chat = Chat(sqlite_url, BARE)
    chat.admin(BAKERY)
    chat.say("wxid_li", BAKERY + "\n1. 李姐 蛋挞2盒")
    chat.say("wxid_wu", "酥饼 肉松 2")
    assert chat.orders() == {"李姐": {("蛋挞", None): 2.0}, "wu": {("酥饼", "肉松"): 2.0}}


def test_a_spec_sells_at_its_own_price_from_the_menu(sqlite_url):
    chat = Chat(sqlite_url, BARE)
    chat.admin(BAKERY)
    reply = chat.say("wxid_wu", "酥饼 肉松 2")[0].text
    assert "41.6元" in reply


def test_stock_and_limits_of_the_menu_hold(sqlite_url):
    chat = Chat(sqlite_url, BARE)
    chat.admin(BAKERY)
    assert "只剩5" in chat.say("wxid_a", "蛋挞6盒")[0].text
    assert "限购" in chat.say("wxid_b", "吐司3份")[0].text
    assert chat.orders() == {}


def test_customers_reposts_change_nothing_of_the_menu(sqlite_url):
    chat = Chat(sqlite_url, BARE)
    chat.admin(BAKERY)
    changed = BAKERY.replace("12元/盒 限量5盒", "99元/盒").replace("③吐司 15 每人限2\n", "")
    chat.say("wxid_li", changed + "\n1. 李姐 蛋挞2盒")
    chat.say("wxid_wu", "吐司1份")
    assert chat.orders() == {"李姐": {("蛋挞", None): 2.0}, "wu": {("吐司", None): 1.0}}
    assert "只剩3" in chat.say("wxid_x", "蛋挞4盒")[0].text


def test_a_menu_line_naming_a_configured_product_is_that_product_for_this_round_only(sqlite_url):
    chat = Chat(sqlite_url, fruit_config())
    chat.admin("#接龙\n周一水果\n红富士 8.8元/斤 每人限3斤\n蒜香苹果干 20元/袋\n例 张三 苹果2斤")
    chat.say("wxid_a", "苹果2斤 苹果干1袋")
    assert chat.orders() == {"a": {("苹果", None): 2.0, ("蒜香苹果干", None): 1.0}}
    assert "限购" in chat.say("wxid_b", "苹果4斤")[0].text
    chat.admin("截单")
    chat.admin("开团 周三水果")
    assert "27.2元" in chat.say("wxid_c", "苹果4斤")[0].text     # the configured price, and no limit again


def test_kaituan_with_a_description_makes_the_menu_too(sqlite_url):
    chat = Chat(sqlite_url, BARE)
    reply = chat.admin("开团 海鲜\nA：大虾 45元/斤\nB：花蟹（公/母）58/68元一斤\n下午三点到")[0].text
    assert "A. 大虾 45元/斤" in reply and "B. 花蟹 公58/母68元/斤" in reply
    chat.say("wxid_a", "花蟹 母 2斤")
    assert chat.orders() == {"a": {("花蟹", "母"): 2.0}}


def test_listing_delisting_and_stock_act_on_the_rounds_menu(sqlite_url):
    chat = Chat(sqlite_url, BARE)
    chat.admin(BAKERY)
    chat.admin("库存 蛋挞 1")
    assert "只剩1" in chat.say("wxid_a", "蛋挞2盒")[0].text
    chat.admin("下架 吐司")
    chat.say("wxid_b", "吐司1份")
    chat.admin("上架 司康 8元/个")
    chat.say("wxid_c", "司康3个")
    assert chat.orders() == {"c": {("司康", None): 3.0}}
    chat.admin("截单")
    chat.admin("开团 下周烘焙团\n蛋挞 13元/盒")
    chat.say("wxid_d", "蛋挞3盒")                              # the new round's own stock (none)
    assert chat.orders()["d"] == {("蛋挞", None): 3.0}


def test_reports_show_the_menu_numbers(sqlite_url):
    chat = Chat(sqlite_url, BARE)
    chat.admin(BAKERY)
    chat.say("wxid_a", "蛋挞2盒")
    assert "2. 蛋挞" in chat.admin("汇总")[0].text


def test_config_keys_default_and_confirm_over_load(tmp_path: Path):
    path = tmp_path / "bot.toml"
    path.write_text('[bot]\nadmins = ["boss"]\n\n[[products]]\nname = "工作餐"\nprice = 20\ndefault = true\n'
                    'confirm_over = 10\n', encoding="utf-8")
    config = load_config(path)
    assert config.products == (ProductInfo("工作餐", 20, "份", default=True, confirm_over=10),)
    path.write_text('[bot]\nadmins = ["boss"]\n', encoding="utf-8")
    assert load_config(path).products == ()


def test_pick_list_and_export_rows_carry_the_menu_numbers(sqlite_url):
    from bot.merchant.exports import order_rows, pick_rows
    from storage.queries import latest_round_id, load_round

    chat = Chat(sqlite_url, BARE)
    chat.admin(BAKERY)
    chat.say("wxid_a", "蛋挞2盒 酥饼 肉松 1")
    assert "2. 蛋挞 2盒" in chat.admin("备货单")[0].text
    with chat.bot.db.session() as session:
        rnd = load_round(session, latest_round_id(session))
    assert [row[0] for row in pick_rows(rnd)] == ["1. 酥饼", "2. 蛋挞"]
    assert {row[2] for row in order_rows(rnd)} == {"1. 酥饼", "2. 蛋挞"}
