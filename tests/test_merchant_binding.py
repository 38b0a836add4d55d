"""First-run admin: a one-time code binds whoever sends it as a merchant."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from chat import Chat, fruit_config
from storage import merchants
from storage.database import Database

AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_the_same_unused_code_is_printed_at_every_start_until_it_is_used(db_url):
    db = Database(db_url)
    with db.unit_of_work() as session:
        code = merchants.pending_code(session, AT)
    with db.unit_of_work() as session:
        assert merchants.pending_code(session, AT) == code
        assert len(code) == merchants.CODE_DIGITS and code.isdigit()
    db.dispose()


def test_a_code_binds_one_sender_once(db_url):
    db = Database(db_url)
    with db.unit_of_work() as session:
        code = merchants.pending_code(session, AT)
    with db.unit_of_work() as session:
        assert not merchants.redeem(session, "00000000" if code != "00000000" else "11111111", "wxid_x", "X", AT)
        assert merchants.redeem(session, code, "wxid_boss", "老板", AT)
    with db.unit_of_work() as session:
        assert not merchants.redeem(session, code, "wxid_other", "别人", AT)
        assert merchants.merchant_ids(session) == {"wxid_boss"}
        assert merchants.pending_code(session, AT) != code      # a new start would print a fresh one
    db.dispose()



# -- in chat: 绑定 CODE and 我是谁 -------------------------------------------

@pytest.fixture
def shop(sqlite_url):
    """A bot with no admins configured, as a merchant starts it the first time."""
    chat = Chat(sqlite_url, replace(fruit_config(), admins=frozenset()))
    yield chat
    chat.bot.db.dispose()


def _texts(replies) -> list[str]:
    return [r.text for r in replies]


def test_with_no_admins_the_start_prints_a_code_that_makes_its_sender_the_merchant(shop, caplog):
    with caplog.at_level(logging.WARNING, logger="jielong.bot"):
        code = shop.bot.announce_bind_code()
    assert code and f"绑定 {code}" in caplog.text
    assert _texts(shop.say("wxid_li", "开团 周五水果", name="李明")) == ["@李明 这个命令只有团长能用哦"]

    bound = shop.say("wxid_li", f"绑定 {code}", name="李明")
    assert "绑定成功" in bound[0].text and "wxid_li" in bound[0].text
    assert "wxid_li" in shop.bot.config.admins
    assert "开团" in "".join(_texts(shop.say("wxid_li", "开团 周五水果", name="李明")))
    assert "这个命令只有团长能用哦" not in "".join(_texts(shop.say("wxid_li", "汇总", name="李明")))


def test_the_code_works_once(shop):
    code = shop.bot.announce_bind_code()
    shop.say("wxid_li", f"绑定 {code}", name="李明")
    again = shop.say("wxid_wang", f"绑定 {code}", name="王芳")
    assert "绑定码不对或已经用过了" in again[0].text
    assert "wxid_wang" not in shop.bot.config.admins


def test_a_wrong_code_binds_nobody_and_a_missing_one_is_explained(shop):
    code = shop.bot.announce_bind_code()
    wrong = "1" * len(code) if code != "1" * len(code) else "2" * len(code)
    assert "绑定码不对" in shop.say("wxid_li", f"绑定 {wrong}", name="李明")[0].text
    assert "例如「绑定 12345678」" in shop.say("wxid_li", "绑定", name="李明")[0].text
    assert shop.bot.config.admins == frozenset()


def test_a_bound_merchant_is_kept_across_restarts_and_no_new_code_is_printed(sqlite_url):
    first = Chat(sqlite_url, replace(fruit_config(), admins=frozenset()))
    first.say("wxid_li", f"绑定 {first.bot.announce_bind_code()}", name="李明")
    first.bot.db.dispose()
    again = Chat(sqlite_url, replace(fruit_config(), admins=frozenset()))
    assert again.bot.config.admins == {"wxid_li"}
    assert again.bot.announce_bind_code() is None
    again.bot.db.dispose()


def test_configured_admins_still_count_and_get_no_code(sqlite_url):
    chat = Chat(sqlite_url)                   # admins = ["wxid_boss"]
    assert chat.bot.announce_bind_code() is None
    assert "已经是团长" in chat.admin("绑定 12345678")[0].text
    chat.bot.db.dispose()


def test_who_am_i_answers_anyone_with_their_id_and_role(shop, sqlite_url):
    assert _texts(shop.say("wxid_li", "我是谁", name="李明")) == ["@李明 你的微信ID：wxid_li，身份：顾客"]
    shop.say("wxid_li", f"绑定 {shop.bot.announce_bind_code()}", name="李明")
    assert "身份：团长" in shop.say("wxid_li", "@小龙 我是谁？", name="李明", mentions=("bot",))[0].text


def test_the_log_names_each_new_room_and_sender_with_their_ids(shop, caplog):
    with caplog.at_level(logging.INFO, logger="jielong.bot"):
        shop.say("wxid_li", "你好", name="李明")
        shop.say("wxid_li", "在吗", name="李明")
    assert "new room" in caplog.text and shop.room in caplog.text
    assert caplog.text.count("sender 李明 (wxid_li, customer)") == 1
