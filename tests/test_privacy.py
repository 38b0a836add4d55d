"""Phone numbers and home addresses stay out of group messages and logs; only
the export the merchant receives privately carries them in full."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import chatgen
from bot import logs
from bot.app import Bot
from bot.config import load_config
from bot.messages import Incoming
from bot.transports.replay import read_chat
from figures import record
from parsers.address import find_phones
from storage.database import Database
from storage.models import OutboxMessage

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
PHONE = "13812345678"


@pytest.fixture
def bot(tmp_path, sqlite_url):
    path = tmp_path / "shop.toml"
    path.write_text(chatgen.CONFIG, encoding="utf-8")
    bot = Bot(load_config(path), Database(sqlite_url))
    yield bot
    bot.db.dispose()


def _say(bot: Bot, n: int, who: tuple[str, str], text: str, room: str | None = "r1"):
    mentions = ("bot",) if "@小龙" in text else ()
    return bot.handle(Incoming(f"p{n}", T0 + timedelta(minutes=n), room, who[0], who[1], text, mentions))


def _group_texts(bot: Bot) -> list[str]:
    with bot.db.session() as session:
        return [r.text for r in session.scalars(select(OutboxMessage).where(OutboxMessage.to.like("r%")))]


def test_a_phone_number_in_an_order_never_reaches_the_group_in_full(bot):
    boss = ("wxid_boss", "老板娘")
    _say(bot, 0, boss, "开团 周五水果")
    _say(bot, 1, ("wxid_li", f"李明{PHONE}"), f"@小龙 苹果2斤 电话{PHONE} 幸福路88号3栋502")
    _say(bot, 2, ("wxid_wang", "王芳"), "#接龙\n周五水果\n例 张三 苹果2斤\n1. 王芳 138-1234-5678 草莓1盒")
    _say(bot, 3, ("wxid_zhao", "赵姐"), f"@小龙 {PHONE}")                    # a bare number, asked about
    for command in ("汇总", "配送单", "对账单", "备货单", "未付"):
        _say(bot, 10 + len(command), boss, command)
    texts = _group_texts(bot)
    assert texts and all(find_phones(t) == [] for t in texts), [t for t in texts if find_phones(t)]
    assert any("138****5678" in t for t in texts)                           # masked, still recognisable
    assert not any("幸福路88号" in t for t in texts)                          # the note is never echoed


def test_the_export_goes_privately_to_the_merchant_with_the_full_number(bot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    boss = ("wxid_boss", "老板娘")
    _say(bot, 0, boss, "开团 周五水果")
    _say(bot, 1, ("wxid_li", "李明"), f"@小龙 苹果2斤 3栋502 电话{PHONE}")
    replies = _say(bot, 2, boss, "导出")
    exported = [r for r in replies if r.attachments]
    assert exported and all(r.to == "wxid_boss" for r in exported)          # to the merchant, not the group
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(exported[0].attachments[0].path)
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any(PHONE in c for c in cells)


def test_a_long_busy_chat_puts_no_full_phone_number_in_any_group_reply(bot, tmp_path):
    path = tmp_path / "chat.jsonl"
    chatgen.write(path, seed=99, size=250)
    for message in read_chat(path):
        bot.handle(message)
    texts = _group_texts(bot)
    leaked = [t for t in texts if find_phones(t)]
    assert leaked == []
    record("privacy", group_replies_checked=len(texts), full_phone_numbers_in_group=len(leaked))


def test_log_lines_mask_phones_and_house_numbers(capsys, monkeypatch, cli_logging):
    monkeypatch.delenv(logs.DEBUG_ENV, raising=False)
    logs.configure(logging.INFO)
    logging.getLogger("jielong.wechaty").info("in 幸福里 from 王芳: 苹果2斤 %s 3号楼2单元502室 5-302", PHONE)
    err = capsys.readouterr().err
    assert PHONE not in err and "138****5678" in err
    assert "502" not in err and "5-302" not in err and "苹果2斤" in err


@pytest.fixture
def cli_logging():
    """Let a test call logs.configure(); the root logger is put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
