"""The merchant's and the customer's side of the conversation (issue 12):
待确认 and 忽略, 开团 while a round is open, replies that name and @ the
right people, 帮助 for customers, and a customer's word that they paid."""
from __future__ import annotations

import pytest

from chat import ADMIN, Chat
from test_conversation import dumpling_shop


@pytest.fixture
def shop(sqlite_url) -> Chat:
    chat = Chat(sqlite_url, dumpling_shop())
    chat.admin("开团 冬至")
    return chat


def test_pending_lists_the_open_questions_with_numbers_senders_and_texts(shop):
    shop.say("wxid_xu", "水饺 2袋", name="许文")
    shop.say("wxid_gao", "汤圆3袋", name="高飞")
    shop.say("wxid_gao", "花生", name="高飞")        # answered: no longer waiting
    [reply] = shop.admin("待确认")
    assert reply.text.splitlines()[:2] == ["【待确认】1条", "1. 许文：「水饺 2袋」选哪种"]


def test_dismissing_a_question_takes_it_off_the_list_and_out_of_unresolved(shop):
    shop.say("wxid_xu", "水饺 2袋", name="许文")
    shop.say("wxid_a", "五花肉100斤", name="阿龙")
    [reply] = shop.admin("忽略 1")
    assert reply.text == "已忽略：许文「水饺 2袋」"
    assert [u["sender"] for u in shop.unresolved()] == ["wxid_a"]
    assert shop.admin("忽略 5")[0].text.startswith("没有第「5」条")


def test_the_summary_counts_only_the_questions_still_open(shop):
    shop.say("wxid_xu", "水饺 2袋", name="许文")
    shop.say("wxid_gao", "汤圆3袋", name="高飞")
    shop.say("wxid_gao", "算了", name="高飞")
    [summary] = shop.admin("汇总")
    assert "待确认1条：许文" in summary.text


def test_pending_and_dismiss_are_for_the_merchant(shop):
    assert shop.say("wxid_xu", "待确认", name="许文")[0].text == "@许文 这个命令只有团长能用哦"


def test_opening_a_round_while_one_takes_orders_asks_to_close_it_first(shop):
    shop.say("wxid_xu", "三鲜水饺1袋", name="许文")
    [reply] = shop.admin("开团 又一团")
    assert "先发「截单」" in reply.text
    shop.say("wxid_ma", "三鲜水饺1袋", name="马丽")      # still taken by the open round
    assert shop.orders() == {"许文": {("三鲜水饺", None): 1.0}, "马丽": {("三鲜水饺", None): 1.0}}


def test_opening_a_round_over_an_empty_one_says_so(shop):
    replies = [r.text for r in shop.admin("开团 又一团")]
    assert replies[0].startswith("开团啦：又一团") and replies[-1] == "没人下单的「冬至」已结束"


def test_a_change_after_the_cut_off_gets_a_reply(shop):
    shop.say("wxid_xu", "五花肉2斤", name="许文")
    shop.admin("截单")
    [reply] = shop.say("wxid_xu", "五花肉改成5斤", name="许文")
    assert "已截单" in reply.text
    assert shop.orders() == {"许文": {("五花肉", None): 2.0}}


def test_an_order_for_someone_names_them_in_the_reply(shop):
    [reply] = shop.admin("代订 王奶奶 五花肉2斤")
    assert reply.text.startswith("@团长 已为王奶奶登记：五花肉")


def test_cancelling_an_order_by_number_mentions_its_customer(shop):
    shop.say("wxid_xu", "五花肉2斤", name="许文")
    [reply] = shop.admin("取消 1")
    assert "@许文" in reply.text and reply.mentions == ("wxid_xu",)


def test_a_customers_help_is_the_customer_help(shop):
    [reply] = shop.say("wxid_xu", "帮助", name="许文")
    assert "回复序号或名称" in reply.text and "我的订单" in reply.text and "开团" not in reply.text


@pytest.mark.parametrize("claim", ["已付", "已转账", "付了", "微信转你了"])
def test_a_customer_saying_they_paid_is_acknowledged_and_shown_to_the_merchant(shop, claim):
    shop.say("wxid_xu", "五花肉2斤", name="许文")
    [reply] = shop.say("wxid_xu", claim, name="许文")
    assert reply.text.startswith("@许文 收到")
    assert "1. 许文 五花肉2斤 39.6元 自称已付" in shop.admin("汇总")[0].text
    assert "自称已付" in shop.admin("对账单")[0].text
    assert "自称已付" in shop.admin("未付")[0].text
    shop.admin("已付 1")
    assert "自称已付" not in shop.admin("汇总")[0].text


def test_a_deadline_read_from_the_post_says_which_words_it_came_from(sqlite_url):
    chat = Chat(sqlite_url, dumpling_shop())
    replies = chat.admin("开团 冬至水饺\n明天中午12点截单\n已定餐要取消的请于10点50前通知店里")
    [notice] = [r.text for r in replies if "截单时间" in r.text]
    assert "12:00" in notice and "按「明天中午12点截单」" in notice
