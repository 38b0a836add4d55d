"""The 接龙 life cycle through the real bot on a real SQLite file (and PostgreSQL)."""
from __future__ import annotations

from chat import ADMIN, Chat, jielong


def test_repost_from_same_base_keeps_both_orders(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))
    # Two people repost the same base at once: both get line 2.
    chat.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
    chat.say("wxid_zhao", jielong("周五水果", "李明 苹果2斤", "赵磊 苹果1斤"))
    assert chat.orders() == {"李明": {("苹果", None): 2.0}, "王芳": {("香蕉", None): 3.0},
                             "赵磊": {("苹果", None): 1.0}}


def test_unchanged_repost_changes_nothing(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    post = jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤")
    chat.say("wxid_wang", post)
    before = chat.orders()
    assert chat.say("wxid_sun", post) == []
    assert chat.orders() == before


def test_owner_edits_own_line_and_others_cannot_remove_it(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))
    chat.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果5斤", "王芳 香蕉3斤"))
    # A repost from an old base lacks 王芳's line: a race, her order stays.
    chat.say("wxid_zhao", jielong("周五水果", "李明 苹果5斤", "赵磊 香蕉1斤"))
    assert chat.orders() == {"李明": {("苹果", None): 5.0}, "王芳": {("香蕉", None): 3.0},
                             "赵磊": {("香蕉", None): 1.0}}


def test_owner_deleting_line_cancels_order(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))
    chat.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
    chat.say("wxid_li", jielong("周五水果", "王芳 香蕉3斤"))
    assert chat.orders() == {"王芳": {("香蕉", None): 3.0}}


def test_same_message_delivered_twice_counts_once(db_url):
    chat = Chat(db_url)
    chat.admin("开团 周五水果")
    chat.say("wxid_li", "苹果2斤", msg_id="m1")
    chat.say("wxid_li", "再加1斤", msg_id="m2")
    assert chat.say("wxid_li", "再加1斤", msg_id="m2") == []
    assert chat.orders() == {"li": {("苹果", None): 3.0}}


def test_admin_free_text_is_never_an_order(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("开团 周五水果")
    chat.admin("苹果每人限2斤，草莓大果3盒起")
    assert chat.orders() == {}


def test_ambiguous_item_is_asked_and_the_rest_stands(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("开团 葡萄季")
    replies = chat.say("wxid_wu", "苹果2斤 葡萄1斤", name="吴敏")
    assert "巨峰葡萄" in replies[0].text and "阳光玫瑰葡萄" in replies[0].text
    assert chat.orders() == {"吴敏": {("苹果", None): 2.0}}
    assert [u["reason"] for u in chat.unresolved()] == ["ambiguous"]
    chat.say("wxid_wu", "巨峰1斤", name="吴敏")
    assert chat.unresolved() == []


def test_stock_is_never_oversold_and_the_rest_is_told(db_url):
    chat = Chat(db_url)
    chat.admin("开团 草莓")
    chat.say("wxid_a", "草莓 大果 8盒")
    replies = chat.say("wxid_b", "草莓 中果 3盒 苹果1斤")
    assert "只剩2盒" in replies[0].text
    assert chat.orders() == {"a": {("草莓", "大果"): 8.0}, "b": {("苹果", None): 1.0}}
    assert [u["reason"] for u in chat.unresolved()] == ["stock"]


def test_limit_counts_per_customer(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("开团 葡萄")
    chat.say("wxid_a", "晴王2斤")
    chat.say("wxid_a", "晴王再加2斤")
    assert chat.orders() == {"a": {("阳光玫瑰葡萄", None): 2.0}}
    assert [u["reason"] for u in chat.unresolved()] == ["limit"]


def test_entries_after_cutoff_are_refused(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))
    chat.admin("截单")
    replies = chat.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
    assert "截单" in replies[0].text
    assert chat.orders() == {"李明": {("苹果", None): 2.0}}
    assert [u["reason"] for u in chat.unresolved()] == ["closed"]


def test_customer_changes_only_touch_their_own_order(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("开团 周五水果")
    chat.say("wxid_a", "苹果2斤 香蕉1斤")
    chat.say("wxid_b", "苹果3斤")
    chat.say("wxid_a", "苹果改成5斤")
    chat.say("wxid_a", "香蕉不要了")
    chat.say("wxid_b", "取消")
    assert chat.orders() == {"a": {("苹果", None): 5.0}}


def test_non_admin_cannot_run_merchant_commands(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("开团 周五水果")
    chat.say("wxid_a", "苹果2斤")
    replies = chat.say("wxid_helper", "截单")
    assert "团长" in replies[0].text
    chat.say("wxid_b", "香蕉1斤")
    assert set(chat.orders()) == {"a", "b"}


def test_chatter_and_questions_get_no_order(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("开团 周五水果")
    for text in ("草莓还有吗？", "今天几点到", "谢谢老板[玫瑰]", "🌹🌹", "香蕉甜不甜"):
        assert chat.say("wxid_a", text) == []
    assert chat.orders() == {}


def test_hostile_text_is_answered_or_ignored(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin("开团 周五水果")
    for text in ("'; DROP TABLE orders; --", "\x00\x01\ufffd" * 50, "苹果" * 60_000, "#接龙\n" + "1. " * 5000):
        replies = chat.say("wxid_a", text)
        assert all("Traceback" not in r.text for r in replies)
    chat.say("wxid_b", "苹果1斤")
    assert chat.orders()["b"] == {("苹果", None): 1.0}
    assert ADMIN not in chat.orders()
