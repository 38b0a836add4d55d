"""The command registry: every chat command declared once (verbs, who may run it, help,
handler); the dispatcher routes by it and 帮助 is generated from it."""
from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import COMMANDS, Bot
from bot.chat.replies import ORDERING_GUIDE
from bot.chat.commands import ChatCommand, Registry, Who
from bot.config import Config
from bot.messages import Incoming, Reply
from parsers.catalogue import ProductInfo
from parsers.commands import parse_command
from storage.database import Database
from storage.models import Product, Round
from storage.reports import orders_document

GRAMMAR = Path(__file__).resolve().parent.parent / "grammar" / "command.lark"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
BOSS = ("wxid_boss", "老板")
LI = ("wxid_li", "李明")
PREFIXES = {"bare": "", "slash": "/", "mention": "@小龙 "}

# What follows each command's verb in a well-formed use; every registered command needs one.
ARGUMENTS = {
    "open_round": " 周五水果", "close_round": "", "deadline": " 周五20:00", "summary": "", "cancel": " 2",
    "paid": " 1", "ship": " 1", "arrived": "", "list_product": " 榴莲 99/个 库存 5", "delist": " 草莓",
    "set_stock": " 草莓 0", "order_for": " 王芳 苹果10斤", "help": "", "pick_list": "", "bills": "",
    "unpaid": "", "remind_unpaid": "", "delivery": "", "export": "", "schedule": "", "cancel_schedule": "",
    "my_orders": "", "pending": "", "dismiss": " 1", "after_sales": "", "refund": " 1 10", "resend": " 1 苹果 1斤",
    "reject": " 1 不是质量问题", "bind": " 12345678", "who_am_i": "？", "admin_page": "",
}

# 帮助 as the merchant sees it, with 我是谁 (绑定 is not listed: only the one who
# started the bot has its code).
MERCHANT_HELP = (
    "小龙接龙助手：\n"
    "顾客：直接发「苹果2斤 香蕉1斤」或在#接龙里加一行；我问您的时候回复序号或名称就行（如「1」「三鲜的」）；"
    "改量「苹果改成3斤」，加量「再加1斤」，取消「苹果不要了」/「取消」；付款后发「已付」；"
    "收到的有问题发「草莓坏了2盒」「排骨少了半斤」，团长会处理；查自己的订单发「我的订单」；查自己的微信ID和身份发「我是谁」。\n"
    "团长：开团 [标题]｜截单｜汇总 [图/上一团]｜备货单｜对账单｜收款｜未付｜配送单｜待确认｜忽略 N｜"
    "取消 N/名字｜已付 N/名字｜发货 [N/名字]｜到货 [取货时间地点]｜导出｜"
    "上架 名称 价格/单位 [库存 N]｜下架 名称｜库存 名称 N｜代订 名字 商品数量｜"
    "截单时间 周五20:00｜定时｜取消定时｜"
    "售后｜退款 N 金额/商品 数量｜补发 N 商品 数量｜驳回 N 原因｜后台｜帮助"
)


def grammar_rules() -> set[str]:
    """The command rules of grammar/command.lark (the alternatives of `?command`)."""
    text = GRAMMAR.read_text(encoding="utf-8")
    alternatives = re.search(r"^\?command:(.*?)\n\n", text, re.S | re.M).group(1)
    return set(re.findall(r"[a-z_]+", alternatives))


def config() -> Config:
    return Config(bot_id="bot", bot_name="小龙", admins=frozenset({BOSS[0]}),
                  products=(ProductInfo("苹果", 6.5, "斤", stock=100), ProductInfo("草莓", 35.0, "盒", stock=20)))


class Group:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.ids = itertools.count(1)

    def say(self, who: tuple[str, str], text: str, room: str | None = "r1") -> list[Reply]:
        n = next(self.ids)
        mentions = ("bot",) if "@小龙" in text else ()
        return self.bot.handle(Incoming(f"m{n}", T0 + timedelta(minutes=n), room, who[0], who[1], text,
                                        mentions, room_name=room))

    def state(self) -> dict:
        with self.bot.db.session() as session:
            rounds = [(r.id, r.title, r.status, r.deadline) for r in session.scalars(select(Round))]
            products = [(p.name, p.price, p.unit, p.stock, p.on_sale) for p in session.scalars(select(Product))]
        jobs = [j.id for j in self.bot.scheduler.jobs_of("r1")] if self.bot.scheduler else []
        return {"orders": orders_document(self.bot.db), "rounds": rounds, "products": products, "jobs": jobs}


@pytest.fixture
def make_group(sqlite_url):
    bots = []

    def make(commands: Registry = COMMANDS) -> Group:
        bot = Bot(config(), Database(sqlite_url), commands)
        bots.append(bot)
        group = Group(bot)
        group.say(BOSS, "开团 周五水果")
        group.say(LI, "@小龙 苹果2斤")
        return group

    yield make
    for bot in bots:
        bot.db.dispose()


def spying(registry: Registry) -> tuple[Registry, list[str]]:
    """The same commands, each handler replaced by one that notes the command's name."""
    ran: list[str] = []

    def spy(name: str):
        return lambda ctx, command: ran.append(name)

    return Registry(replace(c, handler=spy(c.name)) for c in registry if c.name != "help"), ran


# -- declared once ----------------------------------------------------------------


def test_every_grammar_rule_is_a_registered_command():
    assert {c.name for c in COMMANDS} == grammar_rules()


def test_every_registered_command_has_verbs_usage_and_one_line_help():
    for command in COMMANDS:
        assert command.verbs and command.usage.startswith(command.verbs[0]), command.name
        assert command.help and "\n" not in command.help, command.name


def test_every_verb_parses_as_its_command():
    for command in COMMANDS:
        for verb in command.verbs:
            assert parse_command(verb + ARGUMENTS[command.name]).verb == command.name, verb


def test_two_commands_cannot_share_a_verb():
    twin = ChatCommand("twin", ("汇总",), Who.MERCHANT, "汇总", "again", lambda ctx, command: None)
    with pytest.raises(ValueError):
        Registry([*COMMANDS.commands[:-1], twin])


# -- routing ----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
def test_every_verb_with_and_without_slash_or_mention_routes_to_its_handler(make_group, prefix):
    registry, ran = spying(COMMANDS)
    group = make_group(registry)
    expected = []
    for command in registry:
        if command.name == "help":
            continue
        for verb in command.verbs:
            group.say(BOSS, prefix + verb + ARGUMENTS[command.name])
            expected.append(command.name)
    assert ran[-len(expected):] == expected


@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
def test_help_with_and_without_slash_or_mention_answers_the_merchant_help(make_group, prefix):
    group = make_group()
    assert [r.text for r in group.say(BOSS, prefix + "帮助")] == [MERCHANT_HELP]


@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
@pytest.mark.parametrize("name", [c.name for c in COMMANDS.for_merchant_only() if c.name != "help"])
def test_a_customer_running_a_merchant_command_is_told_it_is_for_the_merchant_and_nothing_changes(
        make_group, name, prefix):
    group = make_group()
    command = COMMANDS.get(name)
    for verb in command.verbs:
        before = group.state()
        replies = group.say(LI, prefix + verb + ARGUMENTS[name])
        assert [r.text for r in replies] == ["@李明 这个命令只有团长能用哦"], verb
        assert group.state() == before, verb


@pytest.mark.parametrize("name", [c.name for c in COMMANDS.for_customers()])
def test_a_customer_command_runs_for_customers_in_the_group_and_in_private(make_group, name):
    registry, ran = spying(COMMANDS)
    group = make_group(registry)
    group.say(LI, COMMANDS.get(name).verbs[0] + ARGUMENTS[name])
    group.say(LI, COMMANDS.get(name).verbs[0] + ARGUMENTS[name], room=None)
    assert ran[-2:] == [name, name]


def test_in_private_a_merchant_command_is_not_run_even_for_the_merchant(make_group):
    registry, ran = spying(COMMANDS)
    group = make_group(registry)
    assert group.say(BOSS, "汇总", room=None) == []
    assert "summary" not in ran


# -- help, generated -----------------------------------------------------------------


def test_merchant_help_is_todays_text_generated_from_the_registry():
    assert COMMANDS.help_text(merchant=True) == MERCHANT_HELP


def test_help_lists_exactly_the_registered_commands_per_role():
    customer_help = COMMANDS.help_text(merchant=False)
    merchant_help = COMMANDS.help_text(merchant=True)
    customers = COMMANDS.for_customers()
    merchant_only = COMMANDS.for_merchant_only()
    assert {c.name for c in customers} == {"my_orders", "who_am_i", "bind"}
    assert {c.name for c in customers} | {c.name for c in merchant_only} == {c.name for c in COMMANDS}
    customers = [c for c in customers if not c.hidden]          # 绑定 works but is not listed
    assert merchant_help.rsplit("团长：", 1)[1].split("｜") == [c.usage for c in merchant_only]
    # after the free-text ordering guide, one 「…」 per customer command
    listed = customer_help.split(ORDERING_GUIDE)[1]
    assert re.findall(r"发「(.+?)」", listed) == [c.usage for c in customers]
    assert re.findall(r"发「(.+?)」", merchant_help.split(ORDERING_GUIDE)[1].split("团长：")[0]) \
        == [c.usage for c in customers]
    assert not any(c.usage in customer_help for c in merchant_only if c.usage not in ("取消",))


def test_a_registry_with_one_more_command_lists_it_in_the_help():
    extra = ChatCommand("feedback", ("留言",), Who.CUSTOMER, "留言 内容", "给团长留言", lambda ctx, command: None)
    registry = Registry([*COMMANDS.commands[:-1], extra])
    assert "给团长留言发「留言 内容」" in registry.help_text(merchant=False)
    assert "留言 内容" not in registry.help_text(merchant=True).split("团长：")[1]
