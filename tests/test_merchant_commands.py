"""Merchant command lines as merchants type them (grammar/command.lark)."""
from __future__ import annotations

import pytest

from chat import ADMIN, Chat, fruit_config
from parsers.commands import parse_command


@pytest.mark.parametrize("text", ["截单", "截单！", "截单了", "截单啦～", "截单。", "截单 谢谢大家",
                                  "截单了 明天统一发货"])
def test_close_round_is_read_with_what_merchants_add_to_it(text):
    assert parse_command(text).verb == "close_round"


@pytest.mark.parametrize("text", ["截单后统一发货", "今天截单", "截单了吗？", "截单时间"])
def test_words_that_only_talk_about_closing_are_not_the_command(text):
    command = parse_command(text)
    assert command is None or command.verb != "close_round"


def test_deadline_command_is_not_taken_for_close_round():
    assert parse_command("截单时间 周五20:00").verb == "deadline"


def test_close_round_with_a_thank_you_closes_and_refuses_later_entries(sqlite_url):
    chat = Chat(sqlite_url, fruit_config())
    chat.admin("开团 周五水果")
    chat.say("wxid_li", "苹果2斤")
    chat.say(ADMIN, "截单！谢谢大家支持", name="团长")
    replies = chat.say("wxid_wang", "香蕉3斤")
    assert "截单" in replies[0].text
    assert chat.orders() == {"li": {("苹果", None): 2.0}}


def test_every_command_begins_with_a_character_the_verb_shortcut_lets_through():
    # parse_command answers None without the parser for a line starting with no verb's first
    # character: every terminal a command can begin with must be a quoted word starting so.
    from parsers import commands

    parser = commands._parser()
    terminals = {t.name: t.pattern for t in parser.terminals}
    first = [terminals[name] for name in parser.parse_interactive("").choices() if name in terminals]
    assert first and all(pattern.type == "str" for pattern in first)
    assert {pattern.value[0] for pattern in first} <= commands._verb_starts()
    assert parse_command("张阿姨 白菜饺子2袋") is None and parse_command("汇总").verb == "summary"
