"""The WeChat transport against a real Wechaty puppet service.

`tests/wechaty_service/server.mjs` runs wechaty-puppet-service's PuppetServer
(what real deployments connect to) in front of wechaty-puppet-mock. The test
starts it on a free port, starts `jielong run` against it, and chats as mock
room members; then it reads the orders the bot stored and the replies the
Node side saw. A second run kills and restarts the service mid-chat: the bot
reconnects and ends with the same orders.

Needs node, npm and `npm install` in tests/wechaty_service (and the wechat
extra). Without them the test skips, unless JIELONG_REQUIRE_WECHATY or CI is
set: then it fails.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from puppet_service import BOT, BOT_NAME, free_port as _free_port, unavailable as _unavailable
from puppet_service import PuppetServiceProcess, _die_with_the_caller as _die_with_the_test, _tail

JIELONG = Path(sys.executable).parent / "jielong"
ADMIN, CHEN, LI, WANG, ZHAO, SUN = "wxid_admin", "wxid_chen", "wxid_li", "wxid_wang", "wxid_zhao", "wxid_sun"
ROOM, OTHER_ROOM = "fruit@chatroom", "chat@chatroom"
SETUP = {
    "contacts": [
        {"id": ADMIN, "name": "团长"},
        {"id": CHEN, "name": "陈静"},
        {"id": LI, "name": "李明"},
        {"id": WANG, "name": "王芳"},
        {"id": ZHAO, "name": "赵强"},
        {"id": SUN, "name": "孙丽"},
    ],
    "rooms": [
        {"id": ROOM, "topic": "周五水果群", "members": [ADMIN, CHEN, LI, WANG, ZHAO, SUN]},
        {"id": OTHER_ROOM, "topic": "小区闲聊", "members": [LI, ZHAO]},
    ],
}
# 李明 starts the 接龙; 王芳 reposts it with her line added (after the restart).
FIRST_POST = "#接龙\n周五水果\n例 张三 苹果2斤\n1. 李明 苹果2斤"
REPOST = "#接龙\n周五水果\n例 张三 苹果2斤\n1. 李明 苹果2斤\n2. 王芳 香蕉3斤"
# (customer, owner, product, quantity), one row per order line: nothing doubled.
BEFORE_RESTART = sorted([
    ("陈静", CHEN, "苹果", 2.0),      # free-form "@小龙 苹果2斤"
    ("李明", LI, "苹果", 2.0),        # 接龙 line 1, by 李明
])
EXPECTED = sorted(BEFORE_RESTART + [
    ("王芳", WANG, "香蕉", 3.0),      # 接龙 line 2, added in 王芳's repost
    ("赵强", ZHAO, "苹果", 3.0),      # free-form
    ("孙丽", SUN, "香蕉", 1.0),       # 接龙 line 3, made with WeChat's 接龙 button (XML)
])

TEXT, GROUP_NOTE = 7, 10      # wechaty-puppet's message types: text, a WeChat 接龙 (app msg 53)


def _solitaire_xml(sender: str, title: str) -> str:
    """A WeChat 接龙 app message; each numbered line is credited to `sender`."""
    units = lambda text: len(text.encode("utf-16-le")) // 2  # noqa: E731  (WeChat counts UTF-16)
    items, offset = [], 0
    for line in title.split("\n"):
        number, dot, rest = line.partition(". ")
        if number.isdigit() and dot:
            start = offset + units(number + dot)
            items.append(f"<i><u>{sender}</u><h>0</h><s>.</s><t>1700000000</t><r>{start}-{units(rest)}</r></i>")
        offset += units(line) + 1
    info = f"<solitaire><s>.</s><au>{sender}</au><content>{''.join(items)}</content></solitaire>"
    return (f'{sender}:\n<?xml version="1.0"?>\n<msg><appmsg appid="" sdkver="0"><title>{title}</title>'
            f"<des /><type>53</type><extinfo><solitaire_info><![CDATA[{info}]]></solitaire_info></extinfo>"
            f"</appmsg><fromusername>{sender}</fromusername></msg>")


CONFIG = """\
[bot]
id = "{bot}"
name = "{bot_name}"
transport = "wechaty"
admins = ["{admin}"]

[[products]]
name = "苹果"
price = 8
unit = "斤"

[[products]]
name = "香蕉"
price = 5
unit = "斤"

[wechaty]
endpoint = "127.0.0.1:{port}"
token = "{token}"
rooms = ["周五水果群"]
allow_private = false
"""


@pytest.fixture(scope="module")
def _wechaty_available() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("JIELONG_REQUIRE_WECHATY") or os.environ.get("CI"):
        pytest.fail(f"the Wechaty integration test must run here but cannot: {reason}")
    pytest.skip(f"Wechaty puppet service unavailable ({reason}); "
                "set JIELONG_REQUIRE_WECHATY=1 to make this a failure")


def _orders_document(db_url: str) -> dict:
    from storage.database import Database
    from storage.reports import orders_document

    database = Database(db_url, create=False)      # the bot owns the schema
    try:
        return orders_document(database)
    finally:
        database.dispose()


def _ordered(document: dict) -> list[tuple[str, str, str, float]]:
    return sorted(
        (order["customer"], order["owner"], item["product"], float(item["quantity"]))
        for order in document.get("orders", [])
        for item in order["items"]
    )


def _summary(document: dict) -> list:
    """The document without what differs between two runs of the same chat."""
    orders = [
        (o["customer"], o.get("owner"), o.get("status"),
         sorted((i["product"], i.get("spec"), float(i["quantity"])) for i in o["items"]), o.get("note"))
        for o in document.get("orders", [])
    ]
    return [sorted(orders, key=repr), len(document.get("unresolved", []))]


class Run:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.token = "test-" + secrets.token_hex(8)
        self.db_url = f"sqlite:///{tmp / 'orders.db'}"
        self.bot_log = tmp / "bot.log"
        self.service_log = tmp / "service.log"
        self.bot_said: list[dict] = []
        self.document: dict = {}

    def explain(self) -> str:
        return (f"\n--- jielong run log ---\n{_tail(self.bot_log)}"
                f"\n--- service log ---\n{_tail(self.service_log, 15)}")


def _wait_for_orders(run: Run, match: Callable[[list], bool], timeout: float, what: str) -> dict:
    deadline = time.monotonic() + timeout
    document: dict = {}
    while time.monotonic() < deadline:
        try:
            document = _orders_document(run.db_url)
        except Exception as exc:       # the bot may still be creating the schema
            document = {"error": repr(exc)}
        else:
            if match(_ordered(document)):
                return document
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; orders: {document}{run.explain()}")


def _chat(tmp: Path, *, restart: bool) -> Run:
    if not JIELONG.exists():
        pytest.fail(f"{JIELONG} not found: install the project (pip install -e '.[wechat,test]')")
    run = Run(tmp)
    (tmp / "config.toml").write_text(
        CONFIG.format(bot=BOT, bot_name=BOT_NAME, admin=ADMIN, port=run.port, token=run.token),
        encoding="utf-8")
    service = PuppetServiceProcess(run.port, run.token, run.service_log, SETUP).start()
    with open(run.bot_log, "wb") as log:
        bot = subprocess.Popen(
            [str(JIELONG), "run", "--config", str(tmp / "config.toml"), "--db", run.db_url],
            cwd=tmp, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_the_test,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        def online(since: int = 0) -> None:
            if bot.poll() is not None:
                raise AssertionError(f"jielong run exited with {bot.returncode}{run.explain()}")
            service.wait_for(lambda e: e["event"] == "online", 30, "the bot to connect and log in", since)

        def replied(to: str, since: int) -> dict:
            return service.wait_for(
                lambda e: e["event"] == "bot-said" and e["room"] == ROOM and to in e["mentions"],
                15, f"a reply mentioning {to}", since)

        online()
        mark = len(service.events)
        service.say(ADMIN, ROOM, "开团 周五水果")
        service.wait_for(lambda e: e["event"] == "bot-said" and e["room"] == ROOM, 15,
                         "the bot to announce the round", mark)
        mark = len(service.events)
        service.say(CHEN, ROOM, f"@{BOT_NAME} 苹果2斤", mentions=(BOT,))
        replied(CHEN, mark)
        service.say(LI, ROOM, FIRST_POST)
        _wait_for_orders(run, lambda got: got == BEFORE_RESTART, 10, "陈静's and 李明's orders")

        if restart:
            run.bot_said += service.bot_said()
            service.kill()
            service = PuppetServiceProcess(run.port, run.token, run.service_log, SETUP).start()
            online()

        # None of these is an order: a private chat, another room, the bot's own account.
        service.command("private", contact=ZHAO, text="苹果5斤")
        service.say(LI, OTHER_ROOM, f"@{BOT_NAME} 苹果9斤", mentions=(BOT,))
        service.command("bot-say", room=ROOM, text="香蕉9斤")

        mark = len(service.events)
        service.say(WANG, ROOM, REPOST)
        service.say(ZHAO, ROOM, f"@{BOT_NAME} 苹果3斤", mentions=(BOT,))
        replied(ZHAO, mark)
        service.say(SUN, ROOM, _solitaire_xml(SUN, REPOST + "\n3. 孙丽 香蕉1斤"), type=GROUP_NOTE)
        run.document = _wait_for_orders(run, lambda got: any(o[1] == SUN for o in got), 10, "孙丽's order")
        run.bot_said += service.bot_said()
        return run
    finally:
        bot.terminate()
        try:
            bot.wait(10)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait(5)
        service.stop()


@pytest.fixture(scope="module")
def uninterrupted(_wechaty_available, tmp_path_factory) -> Run:
    return _chat(tmp_path_factory.mktemp("wechaty-uninterrupted"), restart=False)


@pytest.fixture(scope="module")
def restarted(_wechaty_available, tmp_path_factory) -> Run:
    return _chat(tmp_path_factory.mktemp("wechaty-restarted"), restart=True)


def test_free_form_orders_and_a_jielong_repost_are_stored(uninterrupted: Run) -> None:
    assert _ordered(uninterrupted.document) == EXPECTED, uninterrupted.explain()


def test_replies_mention_the_customer_in_the_room(uninterrupted: Run) -> None:
    mentioned = {m for e in uninterrupted.bot_said if e["room"] == ROOM for m in e["mentions"]}
    assert {CHEN, ZHAO} <= mentioned, uninterrupted.bot_said


def test_private_chats_other_rooms_and_own_messages_are_ignored(uninterrupted: Run) -> None:
    # EXPECTED has no 苹果5斤 (private), 苹果9斤 (other room) or 香蕉9斤 (the bot's account)
    assert _ordered(uninterrupted.document) == EXPECTED, uninterrupted.explain()
    assert all(e["room"] == ROOM for e in uninterrupted.bot_said), uninterrupted.bot_said


def test_a_service_restart_mid_chat_changes_nothing(uninterrupted: Run, restarted: Run) -> None:
    assert _summary(restarted.document) == _summary(uninterrupted.document), restarted.explain()
    log = restarted.bot_log.read_text(encoding="utf-8", errors="replace")
    assert "disconnected from" in log and log.count("logged in to WeChat") >= 2, restarted.explain()


# A WeChat 接龙 made with the app arrives as XML (type 53): its <title> is the
# list as members see it, and solitaire_info says who wrote which line, as
# UTF-16 offsets into the title (the emoji counts twice).
SOLITAIRE_XML = (
    'wxid_wang:\n<?xml version="1.0"?>\n<msg><appmsg appid="" sdkver="0">'
    '<title>#接龙\n周五水果🍎\n例 张三 苹果2斤\n\n1. 李明 苹果2斤\n2. 王芳 香蕉3斤</title>'
    '<des /><type>53</type><appattach><aeskey></aeskey></appattach>'
    '<extinfo><solitaire_info><![CDATA[<solitaire><tt>0-20</tt><s>.</s><au>wxid_li</au>'
    '<content><s>3</s>'
    '<i><u>wxid_li</u><h>0</h><s>.</s><t>1700000000</t><r>25-7</r></i>'
    '<i><u>wxid_wang</u><h>0</h><s>.</s><t>1700000060</t><r>36-7</r></i>'
    '</content></solitaire>]]></solitaire_info></extinfo></appmsg>'
    '<fromusername>wxid_wang</fromusername></msg>'
)


def test_a_wechat_solitaire_app_message_reads_as_a_jielong_post() -> None:
    from bot.transports.wechaty import parse_solitaire

    solitaire = parse_solitaire(SOLITAIRE_XML)
    assert solitaire is not None
    assert solitaire.text == "#接龙\n周五水果🍎\n例 张三 苹果2斤\n\n1. 李明 苹果2斤\n2. 王芳 香蕉3斤"
    assert [(e.author, e.text) for e in solitaire.entries] == [
        ("wxid_li", "李明 苹果2斤"), ("wxid_wang", "王芳 香蕉3斤")]


@pytest.mark.parametrize("text", [
    "苹果2斤",
    "<msg><appmsg><title>a link</title><type>5</type></appmsg></msg>",
    "<msg><appmsg><title>broken",
])
def test_other_messages_are_not_solitaires(text: str) -> None:
    from bot.transports.wechaty import parse_solitaire

    assert parse_solitaire(text) is None


# -- first run: no admins configured ------------------------------------------

def test_first_run_draws_the_login_qr_and_binds_the_merchant_with_the_printed_code(_wechaty_available, tmp_path):
    """No admins in the config: `run` logs a one-time code, 绑定 CODE in the room
    makes the sender the merchant (开团 then works), 我是谁 tells the id and role,
    and each new login QR is drawn in the log once."""
    import re

    run = Run(tmp_path)
    (tmp_path / "config.toml").write_text(
        CONFIG.format(bot=BOT, bot_name=BOT_NAME, admin=ADMIN, port=run.port, token=run.token)
        .replace(f'admins = ["{ADMIN}"]', "admins = []"), encoding="utf-8")
    service = PuppetServiceProcess(run.port, run.token, run.service_log, SETUP).start()
    with open(run.bot_log, "wb") as log:
        bot = subprocess.Popen(
            [str(JIELONG), "run", "--config", str(tmp_path / "config.toml"), "--db", run.db_url],
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_the_test,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        service.wait_for(lambda e: e["event"] == "online", 30, "the bot to connect and log in")
        code = re.search(r'绑定 (\d+)', run.bot_log.read_text(encoding="utf-8")).group(1)

        def reply_to(who: str, text: str) -> str:
            mark = len(service.events)
            service.say(who, ROOM, text)
            return service.wait_for(lambda e: e["event"] == "bot-said" and who in e["mentions"], 15,
                                    f"a reply to {text}", mark)["text"]

        assert "只有团长" in reply_to(LI, "开团 周五水果")
        assert "绑定成功" in reply_to(ADMIN, f"绑定 {code}")
        assert "绑定码不对或已经用过了" in reply_to(LI, f"绑定 {code}")
        assert reply_to(LI, "我是谁") == f"@李明 你的微信ID：{LI}，身份：顾客"
        assert "身份：团长" in reply_to(ADMIN, "我是谁")
        mark = len(service.events)
        service.say(ADMIN, ROOM, "开团 周五水果")
        service.wait_for(lambda e: e["event"] == "bot-said" and "只有团长" not in e["text"], 15, "the round", mark)

        for qr in ("qr-one", "qr-one", "qr-two"):
            service.command("scan", qrcode=qr)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "qrcode/qr-two" not in run.bot_log.read_text(encoding="utf-8"):
            time.sleep(0.2)
        log_text = run.bot_log.read_text(encoding="utf-8")
        assert log_text.count("qrcode/qr-one") == 1 and log_text.count("qrcode/qr-two") == 1, run.explain()
        assert "█" in log_text and "▄" in log_text            # the code itself, drawn in half blocks
        assert f"({ROOM})" in log_text and f"({ADMIN}, customer)" in log_text   # the ids `admins` needs
    finally:
        bot.terminate()
        try:
            bot.wait(10)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait(5)
        service.stop()
