"""A transport that fails or is down for a while loses no reply and sends none twice."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.app import Bot
from bot.config import load_config
from bot.messages import Incoming, Reply
from bot.transports.outbox import Outbox
from figures import record
from storage.database import Database
from storage.models import OutboxMessage

CONFIG = """\
[bot]
id = "bot"
name = "小龙"
admins = ["wxid_boss"]

[[products]]
name = "苹果"
price = 6.5
unit = "斤"
"""
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FlakySend:
    """Fails its first `failures` calls (a network that is down), then delivers."""

    def __init__(self, failures: int = 0, *, down_for: set[str] = frozenset()) -> None:
        self.failures = failures
        self.down_for = set(down_for)
        self.calls = 0
        self.delivered: list[Reply] = []

    def __call__(self, reply: Reply) -> None:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("puppet service unreachable")
        if reply.to in self.down_for:
            raise ConnectionError("bot was removed from the room")
        self.delivered.append(reply)


@pytest.fixture
def bot(tmp_path, sqlite_url):
    path = tmp_path / "shop.toml"
    path.write_text(CONFIG, encoding="utf-8")
    bot = Bot(load_config(path), Database(sqlite_url))
    yield bot
    bot.db.dispose()


def _say(bot: Bot, n: int, text: str, *, sender="wxid_boss", name="老板", room="r1") -> list[Reply]:
    return bot.handle(Incoming(id=f"{room}-m{n}", ts=T0 + timedelta(minutes=n), room=room, sender=sender,
                               name=name, text=text))


def _busy_chat(bot: Bot, room: str = "r1", start: int = 0) -> list[Reply]:
    replies = _say(bot, start, "开团 周五苹果", room=room)
    for i in range(1, 11):
        replies += _say(bot, start + i, f"@小龙 苹果{i}斤", sender=f"wxid_{i}", name=f"顾客{i}", room=room)
    return replies


def _rows(bot: Bot) -> list[OutboxMessage]:
    with bot.db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_replies_wait_unsent_in_the_outbox_until_a_transport_delivers_them(bot):
    replies = _busy_chat(bot)
    rows = _rows(bot)
    assert [r.text for r in rows] == [r.text for r in replies]
    assert all(r.sent_at is None and r.attempts == 0 for r in rows)


def test_a_send_that_fails_five_times_then_works_loses_nothing_and_repeats_nothing(bot):
    replies = _busy_chat(bot)
    clock, send = FakeClock(), FlakySend(failures=5)
    outbox = Outbox(bot.db, send, clock=clock)
    waits = []
    while outbox.pending():
        result = outbox.drain()
        if outbox.next_due() is not None:
            waits.append(outbox.next_due() - clock.now)
            clock.now = outbox.next_due()
        assert result.sent or result.failed or result.waiting
    assert [r.text for r in send.delivered] == [r.text for r in replies]       # all, in order, once
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0]                                 # exponential backoff
    first = _rows(bot)[0]
    assert first.attempts == 6 and first.sent_at is not None
    assert outbox.drain().sent == 0                                            # nothing left to send twice
    record("outbox", flaky_failures=5, replies_delivered=len(send.delivered), replies_lost=0,
           replies_sent_twice=0, backoff_seconds=waits)


def test_a_transport_down_for_an_hour_delivers_the_backlog_in_order_when_it_returns(bot):
    clock, send = FakeClock(), FlakySend(failures=10**9)
    outbox = Outbox(bot.db, send, clock=clock)
    replies: list[Reply] = []
    for minute in range(60):                      # an hour of chat while every send fails
        replies += _say(bot, 100 + minute, f"@小龙 苹果{minute % 3 + 1}斤", sender=f"wxid_{minute % 7}",
                        name=f"顾客{minute % 7}") if minute else _say(bot, 100, "开团 周五苹果")
        clock.now += 60
        outbox.drain()
    assert send.delivered == [] and outbox.pending() == len(replies)
    tries_while_down = send.calls
    assert tries_while_down < 20                  # backing off, not hammering the service
    send.failures = 0
    clock.now += 300                              # the longest backoff has passed
    outbox.drain()
    assert [r.text for r in send.delivered] == [r.text for r in replies]
    assert outbox.pending() == 0
    record("outbox", down_for_minutes=60, backlog_delivered=len(replies), send_attempts_while_down=tries_while_down)


def test_a_room_that_keeps_failing_does_not_hold_up_other_rooms(bot):
    broken = _busy_chat(bot, room="r-broken")
    healthy = _busy_chat(bot, room="r-ok", start=50)
    send = FlakySend(down_for={"r-broken"})
    outbox = Outbox(bot.db, send, clock=FakeClock())
    result = outbox.drain()
    assert [r.text for r in send.delivered] == [r.text for r in healthy]
    assert result.failed == 1 and result.waiting == len(broken)        # one try, the rest keep their turn
    assert outbox.pending() == len(broken)


def test_a_new_outbox_after_a_restart_sends_what_the_old_one_could_not(bot):
    replies = _busy_chat(bot)
    Outbox(bot.db, FlakySend(failures=1), clock=FakeClock()).drain()        # dies after a failure
    send = FlakySend()
    Outbox(bot.db, send, clock=FakeClock()).drain()                         # the restarted process
    assert [r.text for r in send.delivered] == [r.text for r in replies]


class FakePuppet:
    """The two calls the Wechaty transport sends with; down for its first `failures` sends."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.said: list[tuple[str, str, list[str]]] = []

    async def message_send_text(self, to: str, text: str, mentions: list[str]) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("grpc: UNAVAILABLE")
        self.said.append((to, text, mentions))


def test_the_wechaty_transport_sends_from_the_outbox_and_retries_after_an_outage(bot):
    import asyncio

    from bot.config import ConfigError
    try:
        from bot.transports.wechaty import WechatyTransport
        transport = WechatyTransport(bot.config, bot)
    except ConfigError as exc:
        pytest.skip(f"the wechat extra is not installed: {exc}")
    clock = FakeClock()
    transport.outbox.clock = clock
    puppet = FakePuppet(failures=3)

    async def chat() -> None:
        for n, text in enumerate(["开团 周五苹果", "@小龙 苹果2斤", "@小龙 苹果3斤"]):
            sender = ("wxid_boss", "老板") if n == 0 else (f"wxid_{n}", f"顾客{n}")
            replies = _say(bot, n, text, sender=sender[0], name=sender[1])
            await transport._deliver(puppet, "wxid_me", replies)     # the service is down
            clock.now += 100
        puppet.failures = 0
        clock.now += 300
        await transport._deliver(puppet, "wxid_me", ())               # the periodic retry

    asyncio.run(chat())
    assert [text for _, text, _ in puppet.said] == [r.text for r in _rows(bot)]
    assert len(puppet.said) == 3 and puppet.said[1][2] == ["wxid_1"]
    assert all(r.sent_at is not None for r in _rows(bot))
