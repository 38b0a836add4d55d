"""Scheduled jobs: cut-offs, reminders, unpaid reminders and daily summaries.

Time is a VirtualClock moved by each message and by `run_due_jobs(until)`,
the way replay moves it, so nothing here sleeps. The job store is the bot's
own database: a "restart" is a new Bot and Scheduler on the same file.
"""
from __future__ import annotations

import itertools
import pickle
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import build_bot
from bot.clock import VirtualClock
from bot.config import Config, ConfigError, ScheduleConfig
from bot.messages import Incoming
from parsers.catalogue import ProductInfo
from storage.models import OutboxMessage, Round
from storage.reports import orders_document

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = "wxid_boss"
ROOM = "fruit@chatroom"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A time in November 2026, Shanghai; the 18th is a Wednesday, the 20th a Friday."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


def config(**schedule) -> Config:
    products = (ProductInfo("苹果", 6.8, "斤", aliases=("红富士",)), ProductInfo("香蕉", 3.5, "斤"))
    defaults = {"remind_before_minutes": 0}
    return Config(bot_id="bot", bot_name="小龙", admins=frozenset({ADMIN}), products=products,
                  schedule=ScheduleConfig(**{**defaults, **schedule}))


class Group:
    """One room, a bot on a database, and the clock; `say` ticks the clock like replay does."""

    _ids = itertools.count(1)

    def __init__(self, url: str, cfg: Config, start: datetime) -> None:
        self.url, self.cfg = url, cfg
        self.clock = VirtualClock(start)
        self.bot = build_bot(cfg, url, clock=self.clock)
        self.fired = []

    def tick(self, until: datetime) -> list:
        runs = self.bot.scheduler.run_due_jobs(until)
        self.fired += runs
        return runs

    def say(self, sender: str, text: str, when: datetime, name: str | None = None):
        self.tick(when)
        msg = Incoming(id=f"m{next(self._ids)}", ts=when, room=ROOM, sender=sender,
                       name=name or sender.removeprefix("wxid_"), text=text, room_name="水果团")
        return self.bot.handle(msg)

    def admin(self, text: str, when: datetime):
        return self.say(ADMIN, text, when, name="团长")

    def restart(self) -> None:
        """A new process: new Bot and Scheduler on the same database, the clock where it was."""
        self.stop()
        self.clock = VirtualClock(self.clock.now())
        self.bot = build_bot(self.cfg, self.url, clock=self.clock)

    def stop(self) -> None:
        self.bot.scheduler.shutdown()
        self.bot.db.dispose()

    def orders(self) -> dict[str, float]:
        return {o["customer"]: sum(i["quantity"] for i in o["items"])
                for o in orders_document(self.bot.db)["orders"]}

    def unresolved_reasons(self) -> list[str]:
        return [u["reason"] for u in orders_document(self.bot.db)["unresolved"]]

    def round(self) -> Round:
        with self.bot.db.session() as session:
            return session.scalars(select(Round).order_by(Round.id.desc())).first()

    def jobs(self) -> list[str]:
        return [j.kind for j in self.bot.scheduler.jobs_of(ROOM)]

    def outbox_texts(self) -> list[str]:
        with self.bot.db.session() as session:
            return list(session.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id)))


@pytest.fixture
def group(sqlite_url):
    made = []

    def make(cfg: Config | None = None, start: datetime = at(18, 9)) -> Group:
        g = Group(sqlite_url, cfg or config(), start)
        made.append(g)
        return g

    yield make
    for g in made:
        g.stop()


JIELONG = "#接龙\n周五晚8点截单\n苹果 6.8元/斤 香蕉 3.5元/斤\n例 张三 苹果2斤\n"


# -- the cut-off ---------------------------------------------------------------------


def test_title_deadline_accepts_an_entry_at_1959_and_refuses_one_at_20_00_01(group):
    g = group()
    g.admin(JIELONG + "1. 团长 苹果1斤", at(18, 10))
    assert g.round().deadline is not None
    g.say("wxid_li", JIELONG + "1. 团长 苹果1斤\n2. 李明 苹果2斤", at(20, 19, 59))
    replies = g.say("wxid_wang", "王芳 香蕉3斤", at(20, 20, 0, 1))
    assert g.orders() == {"团长": 1.0, "李明": 2.0}
    assert "截单" in replies[0].text and g.unresolved_reasons() == ["closed"]


def test_late_entry_is_refused_even_when_the_cutoff_job_has_not_run(group):
    g = group()
    g.admin(JIELONG, at(18, 10))
    g.bot.scheduler.cancel_room(ROOM)            # the job store lost it; the database still knows
    late = Incoming(id="late", ts=at(20, 20, 0, 1), room=ROOM, sender="wxid_wang", name="王芳",
                    text="王芳 香蕉3斤")
    g.bot.handle(late)
    repost = Incoming(id="late-repost", ts=at(20, 20, 5), room=ROOM, sender="wxid_li", name="李明",
                      text=JIELONG + "1. 李明 苹果2斤")
    g.bot.handle(repost)
    assert g.orders() == {}
    assert g.unresolved_reasons() == ["closed", "closed"]


def test_cutoff_closes_the_round_like_the_merchants_jiedan_and_says_so(group):
    g = group()
    g.admin(JIELONG + "1. 团长 苹果1斤", at(18, 10))
    runs = g.tick(at(21, 9))
    assert [(r.job_id.split(":")[0], r.at) for r in runs] == [("close", at(20, 20))]
    assert "已截单" in runs[0].replies[0].text and "共1单" in runs[0].replies[0].text
    rnd = g.round()
    assert rnd.status == "closed"
    assert g.tick(at(28, 9)) == []                   # once
    assert g.jobs() == []


def test_deadline_spellings_in_the_description_are_read_relative_to_the_opening(group):
    g = group()
    g.admin("#接龙\n周末水果团\n明天中午12点截止，周六自提\n例 张三 苹果2斤", at(18, 10))
    closes = [r for r in g.tick(at(25, 0)) if r.job_id.startswith("close")]
    assert [r.at for r in closes] == [at(19, 12)]


def test_text_without_a_deadline_opens_a_round_that_stays_open(group):
    g = group()
    g.admin("#接龙\n周五水果团\n明天下午4点到，北门自提\n例 张三 苹果2斤", at(18, 10))
    assert g.round().deadline is None and g.jobs() == []
    g.say("wxid_li", "李明 苹果2斤", at(27, 10))
    assert g.orders() == {"李明": 2.0}


def test_config_deadline_applies_when_the_post_names_none(group):
    g = group(config(deadline="周五20:00"))
    g.admin("开团 周末水果", at(18, 10))
    assert [r.at for r in g.tick(at(21, 0)) if r.job_id.startswith("close")] == [at(20, 20)]


def test_merchant_closing_early_drops_the_cutoff_job(group):
    g = group()
    g.admin(JIELONG, at(18, 10))
    g.admin("截单", at(19, 10))
    assert g.jobs() == []
    assert g.tick(at(25, 0)) == []


def test_a_new_round_closes_the_old_one_and_its_cutoff_no_longer_fires(group):
    g = group()
    g.admin(JIELONG, at(18, 10))
    g.admin("开团 下一团", at(19, 10))
    assert g.tick(at(25, 0)) == []
    g.say("wxid_li", "李明 苹果2斤", at(24, 10))
    assert g.orders() == {"李明": 2.0}


# -- the merchant's commands ----------------------------------------------------------


def test_deadline_command_sets_then_replaces_the_cutoff(group):
    g = group(config(remind_before_minutes=30))
    g.admin("开团 周末水果", at(18, 10))
    assert "20:00" in g.admin("截单时间 周五20:00", at(18, 11))[0].text
    assert "18:00" in g.admin("截单时间 周四18:00", at(18, 12))[0].text
    runs = g.tick(at(25, 0))
    assert [(r.job_id.split(":")[0], r.at) for r in runs] == [("remind", at(19, 17, 30)),
                                                               ("close", at(19, 18))]
    assert "还有30分钟截单" in runs[0].replies[0].text


def test_deadline_command_can_move_a_passed_deadline_later(group):
    g = group()
    g.admin(JIELONG, at(18, 10))
    g.bot.scheduler.cancel_room(ROOM)
    g.admin("截单时间 周六12:00", at(20, 20, 30))
    g.say("wxid_li", "李明 苹果2斤", at(21, 9))
    assert g.orders() == {"李明": 2.0}


def test_deadline_command_explains_what_it_needs(group):
    g = group()
    g.admin("开团", at(18, 10))
    assert "格式" in g.admin("截单时间 尽快", at(18, 11))[0].text
    assert "已经过了" in g.admin("截单时间 今天9点", at(18, 12))[0].text
    assert g.round().deadline is None


def test_schedule_lists_the_rooms_jobs_and_cancel_removes_them(group):
    g = group(config(remind_before_minutes=30, daily_summary="21:00"))
    g.admin(JIELONG, at(18, 10))
    listing = g.admin("定时", at(18, 11))[0].text
    assert "截单提醒" in listing and "自动截单" in listing and "每日汇总" in listing
    assert "11月20日(周五) 20:00" in listing
    assert "3个" in g.admin("取消定时", at(18, 12))[0].text
    assert g.jobs() == [] and g.round().deadline is None
    assert "没有定时任务" in g.admin("定时", at(18, 13))[0].text
    g.say("wxid_li", "李明 苹果2斤", at(21, 9))        # no deadline any more
    assert g.orders() == {"李明": 2.0}


def test_customers_cannot_change_the_schedule(group):
    g = group()
    g.admin(JIELONG, at(18, 10))
    assert "团长" in g.say("wxid_li", "取消定时", at(18, 11))[0].text
    assert g.jobs() == ["close"]


# -- reminders and summaries across a restart ---------------------------------------


def test_reminders_and_summaries_fire_once_each_at_their_times_across_a_restart(group):
    g = group(config(remind_before_minutes=30, unpaid_reminders=("21:30", "09:00"), daily_summary="21:00"))
    g.admin(JIELONG + "1. 团长 苹果1斤", at(18, 10))
    g.say("wxid_li", JIELONG + "1. 团长 苹果1斤\n2. 李明 苹果2斤", at(18, 11))
    g.tick(at(19, 12))                                       # Wednesday's summary
    g.restart()
    g.say("wxid_wang", "王芳 香蕉3斤", at(20, 9))
    g.restart()
    g.tick(at(21, 12))
    g.restart()
    g.tick(at(21, 12))                                       # the same span again: nothing new
    fired = [(r.job_id.split(":")[0], r.at) for r in g.fired]
    assert fired == [
        ("summary", at(18, 21)),
        ("summary", at(19, 21)),
        ("remind", at(20, 19, 30)),
        ("close", at(20, 20)),
        ("summary", at(20, 21)),
        ("unpaid", at(20, 21, 30)),
        ("unpaid", at(21, 9)),
    ]
    by_kind = {kind: r for (kind, _), r in zip(fired, g.fired)}
    assert "汇总" in g.fired[0].replies[0].text
    assert "还有30分钟截单" in by_kind["remind"].replies[0].text
    unpaid = g.fired[5].replies[0]
    assert "李明" in unpaid.text and "王芳" in unpaid.text and "13.6" in unpaid.text
    assert set(unpaid.mentions) == {"wxid_li", "wxid_wang"}
    texts = g.outbox_texts()
    assert sum("还有30分钟截单" in t for t in texts) == 1 and sum("已截单：共" in t for t in texts) == 1


def test_daily_summary_is_the_merchants_huizong_text(group):
    g = group(config(daily_summary="21:00"))
    g.admin(JIELONG + "1. 团长 苹果1斤", at(18, 10))
    scheduled = g.tick(at(18, 22))[0].replies[0].text
    asked = g.admin("汇总", at(18, 22, 1))[0].text
    assert scheduled == asked


def test_no_unpaid_reminder_when_everyone_paid(group):
    g = group(config(unpaid_reminders=("21:00",)))
    g.admin(JIELONG + "1. 李明 苹果2斤", at(18, 10))
    g.admin("截单", at(19, 10))
    g.admin("已付 李明", at(19, 11))
    runs = g.tick(at(20, 0))
    assert [r.job_id.split(":")[0] for r in runs] == ["unpaid"] and runs[0].replies == []


def test_a_job_fired_twice_works_once(group):
    """A crash after the job's work committed but before the store moved on: it runs again."""
    g = group()
    g.admin(JIELONG + "1. 团长 苹果1斤", at(18, 10))
    from bot.schedule import jobs

    rnd = g.round()
    with jobs.running_on(g.bot.scheduler):
        first = jobs.close_round_job(ROOM, rnd.id, rnd.deadline.replace(tzinfo=ZoneInfo("UTC")).isoformat())
    assert first and "已截单" in first[0].text
    g.bot.scheduler.set_deadline(ROOM, rnd.id, rnd.deadline)   # as if the store never moved on
    runs = g.tick(at(21, 0))                         # so the job runs again, and does nothing
    assert [r.job_id.split(":")[0] for r in runs] == ["close"] and runs[0].replies == []
    assert sum("已截单：共" in t for t in g.outbox_texts()) == 1


def test_a_cutoff_missed_while_the_bot_was_down_runs_at_start(group, sqlite_url):
    g = group()
    g.admin(JIELONG, at(18, 10))
    g.stop()
    later = Group(sqlite_url, config(), at(22, 9))   # back on Sunday
    try:
        runs = later.tick(at(22, 9))
        assert [(r.job_id.split(":")[0], r.at) for r in runs] == [("close", at(20, 20))]
        assert later.round().status == "closed"
    finally:
        later.stop()


def test_cutoff_missing_from_the_store_is_restored_at_start(group, sqlite_url):
    g = group()
    g.admin(JIELONG, at(18, 10))
    g.bot.scheduler.store.remove_all_jobs()         # a crash between the commit and the job
    g.restart()
    assert g.jobs() == ["close"]


def test_jobs_stored_under_the_old_module_name_still_run_after_an_upgrade(group):
    """Before bot/ had packages, the store named the job functions `bot.jobs:...`."""
    g = group(config(daily_summary="21:00"))
    g.admin(JIELONG, at(18, 10))
    with g.bot.db.engine.begin() as connection:
        table = g.bot.scheduler.store.jobs_t
        for job_id, state in connection.execute(select(table.c.id, table.c.job_state)).all():
            job = pickle.loads(state)
            job["func"] = job["func"].replace("bot.schedule.jobs:", "bot.jobs:")
            connection.execute(table.update().where(table.c.id == job_id).values(job_state=pickle.dumps(job)))
    g.restart()
    assert sorted(g.jobs()) == ["close", "summary"]
    runs = g.tick(at(20, 21))
    assert [r.job_id.split(":")[0] for r in runs] == ["summary", "summary", "close", "summary"]
    assert g.round().status == "closed"


# -- configuration --------------------------------------------------------------------


@pytest.mark.parametrize("schedule, word", [
    (ScheduleConfig(timezone="Mars/Olympus"), "timezone"),
    (ScheduleConfig(daily_summary="9pm"), "daily_summary"),
    (ScheduleConfig(unpaid_reminders=("25:00",)), "unpaid_reminders"),
    (ScheduleConfig(deadline="whenever"), "deadline"),
])
def test_a_bad_schedule_config_is_one_line_naming_the_setting(sqlite_url, schedule, word):
    with pytest.raises(ConfigError, match=word):
        build_bot(replace(config(), schedule=schedule), sqlite_url, clock=VirtualClock(at(18, 9)))


def test_outbox_has_job_replies_unsent_for_the_transport(group):
    g = group()
    g.admin(JIELONG, at(18, 10))
    g.tick(at(21, 0))
    with g.bot.db.session() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id.like("job:%"))).all()
    assert len(rows) == 1 and rows[0].sent_at is None and rows[0].to == ROOM


def test_load_config_reports_a_bad_schedule_on_one_line(tmp_path):
    from bot.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[bot]\nadmins = ["wxid_boss"]\n[schedule]\ndaily_summary = "晚上九点"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path)) and "daily_summary" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_daily_summaries_follow_a_changed_or_removed_config_at_restart(group):
    g = group(config(daily_summary="21:00"))
    g.admin(JIELONG, at(18, 10))
    g.cfg = config(daily_summary="20:30")
    g.restart()
    assert [r.at for r in g.tick(at(19, 0)) if r.job_id.startswith("summary")] == [at(18, 20, 30)]
    g.cfg = config()
    g.restart()
    assert g.jobs() == ["close"]


def test_live_catch_up_after_downtime_posts_one_summary_not_one_per_missed_day(group):
    g = group(config(daily_summary="21:00"))
    g.admin("开团 周末水果", at(18, 10))
    runs = g.bot.scheduler.run_due_jobs(at(21, 9), coalesce=True)
    assert [(r.job_id.split(":")[0], r.at) for r in runs] == [("summary", at(20, 21))]
    assert [j.next_run for j in g.bot.scheduler.jobs_of(ROOM)] == [at(21, 21)]


def test_cancel_schedule_can_name_the_jobs_to_drop(group):
    g = group(config(remind_before_minutes=30, daily_summary="21:00"))
    g.admin(JIELONG, at(18, 10))
    assert "1个" in g.admin("取消定时 汇总", at(18, 11))[0].text
    assert sorted(g.jobs()) == ["close", "remind"] and g.round().deadline is not None
    g.admin("取消定时 提醒", at(18, 12))
    assert g.jobs() == ["close"]


def test_a_closed_round_is_summarised_that_day_and_the_next_then_no_more(group):
    g = group(config(daily_summary="21:30"))
    g.admin(JIELONG + "1. 团长 苹果1斤", at(18, 10))      # cut-off Friday 20:00
    runs = [r for r in g.tick(at(23, 0)) if r.job_id.startswith("summary")]
    assert [(r.at, bool(r.replies)) for r in runs] == [
        (at(18, 21, 30), True), (at(19, 21, 30), True), (at(20, 21, 30), True),
        (at(21, 21, 30), True), (at(22, 21, 30), False)]


def test_a_round_closed_by_the_merchant_is_summarised_the_next_day_too(group):
    g = group(config(daily_summary="21:30"))
    g.admin("开团 周末水果", at(18, 10))
    g.admin("截单", at(18, 22))
    g.tick(at(21, 0))
    runs = [r for r in g.fired if r.job_id.startswith("summary")]
    assert [(r.at, bool(r.replies)) for r in runs] == [(at(18, 21, 30), True), (at(19, 21, 30), True),
                                                       (at(20, 21, 30), False)]


def test_the_week_runs_the_same_on_sqlite_and_postgresql(db_url):
    """Times come back naive from SQLite and aware from PostgreSQL: the jobs agree."""
    g = Group(db_url, config(remind_before_minutes=30, unpaid_reminders=("21:30",), daily_summary="21:00"),
              at(18, 9))
    try:
        g.admin(JIELONG + "1. 团长 苹果1斤", at(18, 10))
        g.say("wxid_li", "李明 苹果2斤", at(20, 19, 59))
        g.restart()
        g.say("wxid_wang", "王芳 香蕉3斤", at(20, 20, 0, 1))
        g.tick(at(23, 0))
        fired = [(r.job_id.split(":")[0], r.at, bool(r.replies)) for r in g.fired]
        assert fired == [
            ("summary", at(18, 21), True), ("summary", at(19, 21), True), ("remind", at(20, 19, 30), True),
            ("close", at(20, 20), True), ("summary", at(20, 21), True), ("unpaid", at(20, 21, 30), True),
            ("summary", at(21, 21), True), ("summary", at(22, 21), False)]
        assert g.orders() == {"团长": 1.0, "李明": 2.0} and g.unresolved_reasons() == ["closed"]
    finally:
        g.stop()
