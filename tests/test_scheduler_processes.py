"""Several bot processes on one database: one runs the jobs, each job fires once.

On PostgreSQL the process holding the advisory lock runs the scheduler; the
others write jobs into the shared store and take over when the holder dies.
The holder here is a real subprocess (tests/scheduler_worker.py) killed with
SIGKILL. Virtual clocks drive the job times; the only real waiting is for the
killed process's database session to end, and in the two tests of
APScheduler's own thread, for a job due a second or two ahead.
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select as sql_select, update

from bot.app import build_bot
from bot.clock import SystemClock
from bot.messages import Incoming
from storage.models import OutboxMessage, Round
from test_scheduler import JIELONG, ROOM, Group, at, config

WORKER = Path(__file__).with_name("scheduler_worker.py")
ROOT = Path(__file__).resolve().parents[1]


class Worker:
    """A bot process answering one line per command."""

    def __init__(self, url: str, start: datetime, *extra: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, str(WORKER), url, start.isoformat(), *extra],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        assert self.read() == "ready"

    def read(self, timeout: float = 30.0) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, "the worker did not answer"
        return self.proc.stdout.readline().strip()

    def ask(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.read()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def job_rows(bot) -> dict[str, int]:
    """Outbox rows per job run: {kind: count}."""
    with bot.db.session() as session:
        rows = session.execute(sql_select(OutboxMessage.message_id, func.count())
                               .where(OutboxMessage.message_id.like("job:%"))
                               .group_by(OutboxMessage.message_id)).all()
    counts: dict[str, int] = {}
    for message_id, count in rows:
        kind = message_id.split(":")[1]
        counts[kind] = counts.get(kind, 0) + count
    return counts


def until(condition, seconds: float = 20.0) -> None:
    """Wait for something another process or thread does (never for a time of day)."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "gave up waiting"
        time.sleep(0.05)


def post(group: Group, text: str, when: datetime) -> None:
    """The merchant's message, handled without running jobs (which would take the lock)."""
    group.bot.handle(Incoming(id=f"post-{when.isoformat()}", ts=when, room=ROOM, sender="wxid_boss",
                              name="团长", text=text))


@pytest.fixture
def groups():
    made: list[Group] = []
    yield made
    for g in made:
        g.stop()


def test_two_schedulers_on_one_postgres_database_fire_each_job_once(pg_url, groups):
    a = Group(pg_url, config(remind_before_minutes=30), at(18, 9))
    b = Group(pg_url, config(remind_before_minutes=30), at(18, 9))
    groups += [a, b]
    a.admin(JIELONG + "1. 团长 苹果1斤", at(18, 10))
    b.say("wxid_li", JIELONG + "1. 团长 苹果1斤\n2. 李明 苹果2斤", at(18, 11))
    assert [r.job_id.split(":")[0] for r in a.tick(at(20, 19, 45))] == ["remind"]
    assert b.tick(at(21, 9)) == []                       # not the lock holder
    assert [r.job_id.split(":")[0] for r in a.tick(at(21, 9))] == ["close"]
    assert b.tick(at(22, 9)) == [] and a.tick(at(22, 9)) == []
    assert job_rows(a.bot) == {"remind": 1, "close": 1}
    assert a.round().status == "closed"


def test_a_killed_lock_holder_is_taken_over_and_no_job_is_lost_or_repeated(pg_url, groups):
    b = Group(pg_url, config(remind_before_minutes=30), at(18, 9))
    groups.append(b)
    post(b, JIELONG + "1. 团长 苹果1斤", at(18, 10))     # remind Fri 19:30, cut-off Fri 20:00
    worker = Worker(pg_url, at(18, 10))
    try:
        assert worker.ask("lead") == "lead yes"
        assert b.tick(at(20, 19, 45)) == []
        assert worker.ask(f"tick {at(20, 19, 45).isoformat()}") == f'fired ["remind:{ROOM}:1"]'
        worker.kill()                                       # before the cut-off fires
    finally:
        worker.close()
    until(b.bot.scheduler.leadership.hold)
    runs = b.tick(at(21, 9))
    assert [(r.job_id.split(":")[0], r.at) for r in runs] == [("close", at(20, 20))]
    assert job_rows(b.bot) == {"remind": 1, "close": 1}


def test_a_standby_does_not_run_jobs_while_the_holder_lives(pg_url, groups):
    b = Group(pg_url, config(), at(18, 9))
    groups.append(b)
    post(b, JIELONG, at(18, 10))
    worker = Worker(pg_url, at(18, 10))
    try:
        assert worker.ask("lead") == "lead yes"
        assert b.bot.scheduler.leadership.hold() is False
        assert b.tick(at(25, 0)) == []
        assert b.round().status == "open"
        assert json.loads(worker.ask(f"tick {at(25, 0).isoformat()}").removeprefix("fired ")) == [f"close:{ROOM}:1"]
    finally:
        worker.close()
    assert job_rows(b.bot) == {"close": 1}


def _open_round_closing_in(bot, seconds: float) -> datetime:
    """A round opened now whose deadline is `seconds` of wall-clock time away."""
    now = datetime.now(timezone.utc)
    bot.handle(Incoming(id=f"open-{now.timestamp()}", ts=now, room=ROOM, sender="wxid_boss", name="团长",
                        text="开团 马上截单"))
    deadline = now + timedelta(seconds=seconds)
    with bot.db.unit_of_work() as session:
        round_id = session.scalar(sql_select(Round.id).where(Round.status == "open"))
        session.execute(update(Round).where(Round.id == round_id).values(deadline=deadline))
    bot.scheduler.set_deadline(ROOM, round_id, deadline)
    return deadline


def _status(bot) -> str:
    with bot.db.session() as session:
        return session.scalar(sql_select(Round.status).order_by(Round.id.desc()))


def test_apschedulers_own_thread_closes_the_round_on_the_wall_clock(sqlite_url):
    bot = build_bot(config(), sqlite_url, clock=SystemClock())
    try:
        bot.scheduler.start(poll_seconds=0.05)
        _open_round_closing_in(bot, 0.5)
        until(lambda: _status(bot) == "closed", 15)
        until(lambda: job_rows(bot) == {"close": 1}, 5)
    finally:
        bot.scheduler.shutdown()
        bot.db.dispose()


def test_live_standby_takes_over_from_a_killed_holder_and_fires_once(pg_url):
    worker = Worker(pg_url, at(18, 9), "live")
    bot = build_bot(config(), pg_url, clock=SystemClock())
    try:
        assert worker.ask("live 0.05") == "live"
        until(lambda: worker.ask("leading") == "leading yes")
        bot.scheduler.start(poll_seconds=0.05)
        _open_round_closing_in(bot, 1.5)
        assert bot.scheduler.leading is False
        worker.kill()                                       # the holder dies before the cut-off
        until(lambda: bot.scheduler.leading)
        until(lambda: _status(bot) == "closed", 15)
        assert job_rows(bot) == {"close": 1}
    finally:
        worker.close()
        bot.scheduler.shutdown()
        bot.db.dispose()
