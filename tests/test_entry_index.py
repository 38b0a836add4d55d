"""The 接龙 lines a bot remembers between messages (bot/chat/entry_index.py) never
stand in for what the database says: another worker's changes, a command, or
a message that failed half-way all make the bot read the lines again."""
from __future__ import annotations

import itertools
from datetime import timedelta

from bot.app import Bot, build_bot
from bot.messages import Incoming
from chat import ADMIN, START, Chat, jielong


class Worker:
    """A second bot on the same database (another process, as far as the
    bot can tell), taking messages of the same chat."""

    def __init__(self, chat: Chat, db_url: str) -> None:
        self.bot = build_bot(chat.bot.config, db_url)
        self.chat = chat
        self._ids = itertools.count(1)

    def say(self, sender: str, text: str) -> None:
        self.bot.handle(Incoming(id=f"worker2-{next(self._ids)}",
                                 ts=START + timedelta(minutes=next(self.chat._clock)), room=self.chat.room,
                                 sender=sender, name=sender.removeprefix("wxid_"), text=text))


def test_lines_added_by_another_worker_are_not_ordered_twice(db_url):
    chat = Chat(db_url)
    other = Worker(chat, db_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))
    other.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
    chat.say("wxid_zhao", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤", "赵磊 苹果1斤"))
    chat.say("wxid_sun", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤", "赵磊 苹果1斤"))
    assert chat.orders() == {"李明": {("苹果", None): 2.0}, "王芳": {("香蕉", None): 3.0},
                             "赵磊": {("苹果", None): 1.0}}


def test_line_edited_on_another_worker_is_not_cancelled_by_a_stale_memory(db_url):
    chat = Chat(db_url)
    other = Worker(chat, db_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))
    chat.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
    # 李明 edits his line on the other worker; this bot still remembers the old line.
    other.say("wxid_li", jielong("周五水果", "李明 苹果5斤", "王芳 香蕉3斤"))
    # His next repost (from the new base) must neither cancel nor re-order anything.
    chat.say("wxid_li", jielong("周五水果", "李明 苹果5斤", "王芳 香蕉3斤", "李明 香蕉1斤"))
    assert chat.orders() == {"李明": {("苹果", None): 5.0, ("香蕉", None): 1.0},
                             "王芳": {("香蕉", None): 3.0}}


def test_merchant_cancelling_an_order_is_seen_by_the_next_repost(sqlite_url):
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))
    chat.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
    chat.admin("取消 王芳")
    chat.say("wxid_zhao", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤", "赵磊 苹果1斤"))
    assert chat.orders() == {"李明": {("苹果", None): 2.0}, "赵磊": {("苹果", None): 1.0}}


def test_message_failing_after_its_lines_were_read_leaves_nothing_half_remembered(sqlite_url, monkeypatch):
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))

    def broken_queue(*_args, **_kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(Bot, "_queue", broken_queue)
        replies = chat.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
    assert "没处理成功" in replies[0].text
    assert chat.orders() == {"李明": {("苹果", None): 2.0}}
    # The line the failed message carried is new again for the next repost.
    chat.say("wxid_zhao", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤", "赵磊 苹果1斤"))
    assert chat.orders() == {"李明": {("苹果", None): 2.0}, "王芳": {("香蕉", None): 3.0},
                             "赵磊": {("苹果", None): 1.0}}


def test_long_list_reposted_by_everyone_orders_each_line_once(sqlite_url):
    reposts = 30
    chat = Chat(sqlite_url)
    chat.admin(jielong("周五水果"))
    names = [surname + given for surname in "王李张刘陈杨" for given in ("芳", "伟", "静", "磊", "敏")]
    lines: list[str] = []
    for n in range(reposts):
        lines.append(f"{names[n]} 苹果{n % 3 + 1}斤")
        chat.say(f"wxid_{n}", jielong("周五水果", *lines))
    chat.say("wxid_late", jielong("周五水果", *lines))          # unchanged: nothing new
    orders = chat.orders()
    assert len(orders) == reposts
    assert all(orders[names[n]] == {("苹果", None): float(n % 3 + 1)} for n in range(reposts))
    assert ADMIN not in orders
