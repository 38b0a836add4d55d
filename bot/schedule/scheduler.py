"""The bot's timed jobs: APScheduler 3 with its job store in the bot's own database.

Jobs are stored by reference to the plain functions in `bot.schedule.jobs` with plain
arguments (room id, round id, due time), so they survive a restart and any
process can load them. One `Scheduler` per process:

* live, `start()` runs APScheduler's own thread, but only in the process that
  holds the PostgreSQL advisory lock (`Leadership`); the others keep theirs
  paused, still writing the jobs their messages create into the shared store,
  and take over when the holder's connection dies. On SQLite there is one
  process and it just runs;
* in replay and tests, `run_due_jobs(until)` runs what the store says is due,
  in time order, moving a `VirtualClock` to each job's due time: the job
  store stays the source of truth, and nothing sleeps.

A job that fires twice (a takeover, a crash after its work committed but
before the store was updated) changes things once: `Bot.run_job` records a
key made of the job and its due time in the same transaction as the work.
"""
from __future__ import annotations

import hashlib
import logging
import pickle
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import TIMEOUT_MAX
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import bindparam, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.clock import Clock, SystemClock, VirtualClock, as_utc
from bot.config import Config, check_schedule, parse_hhmm
from bot.messages import Reply
from bot.schedule import jobs
from storage.database import Database
from storage.models import Round

log = logging.getLogger("jielong.scheduler")
# APScheduler logs every job added, removed and run at INFO; ours says what matters.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

JOBS_TABLE = "apscheduler_jobs"
LOCK_KEY = 0x6A69656C6F6E67          # "jielong" in ASCII: the lock that elects the job runner
KINDS = ("close", "remind", "unpaid", "summary")
LEGACY_JOBS_MODULE = "bot.jobs"       # where the stored job functions lived before bot.schedule.jobs


@dataclass(frozen=True)
class ScheduledJob:
    """A stored job as the merchant's 定时 lists it."""

    id: str
    kind: str                    # close | remind | unpaid | summary
    room_id: str
    round_id: int | None
    next_run: datetime | None


@dataclass(frozen=True)
class Fired:
    """One run of a job by `run_due_jobs`: when it was due, which job, what it said."""

    at: datetime
    job_id: str
    replies: list[Reply]


def job_id(kind: str, room_id: str, round_id: int | None = None, index: int | None = None) -> str:
    parts = [kind, room_id] + ([str(round_id)] if round_id is not None else []) \
        + ([str(index)] if index is not None else [])
    return ":".join(parts)


def run_key(kind: str, room_id: str, round_id: int | None, due: datetime, tz: ZoneInfo) -> str:
    """The id a job's run is recorded under (processed_messages, outbox).

    A daily summary is keyed by its local date, so a late or repeated run on
    the same day is one run; the others by their exact due time.
    """
    room = hashlib.sha1(room_id.encode("utf-8")).hexdigest()[:12]
    when = due.astimezone(tz).strftime("%Y%m%d") if kind == "summary" else \
        as_utc(due).strftime("%Y%m%dT%H%M%SZ")
    return f"job:{kind}:{room}:{round_id if round_id is not None else '-'}:{when}"


# -- leadership ------------------------------------------------------------------


class Leadership:
    """Whether this process runs the jobs: it holds a PostgreSQL advisory lock.

    The lock lives on a dedicated connection (not the pool's), so it is held
    exactly as long as that session: when the process dies, the server ends
    the session and frees the lock for the next process that asks. TCP
    keepalives make a vanished machine count as dead within about a minute.
    SQLite has one process by construction: it always leads.
    """

    def __init__(self, url: str) -> None:
        self._engine = None
        self._conn = None
        self._lock = threading.Lock()
        if url.startswith("postgresql"):
            connect_args = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                            "keepalives_count": 3} if "psycopg" in url or "+" not in url else {}
            self._engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                                         connect_args=connect_args)

    def hold(self) -> bool:
        """True while this process leads, taking the lock if it is free."""
        if self._engine is None:
            return True
        with self._lock:
            try:
                if self._conn is not None:
                    self._conn.exec_driver_sql("SELECT 1")   # the session, and so the lock, is alive
                    return True
                conn = self._engine.connect()
                if conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}):
                    self._conn = conn
                    return True
                conn.close()
                return False
            except SQLAlchemyError as exc:
                log.warning("scheduler lock: %s", str(exc).splitlines()[0])
                self._drop()
                return False

    def release(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                except SQLAlchemyError:
                    pass
            self._drop()
            if self._engine is not None:
                self._engine.dispose()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except SQLAlchemyError:
                pass
            self._conn = None


class Bot(Protocol):
    """What the scheduler needs of the bot (bot.app.Bot): its config and database, and a
    job's work run in one unit of work."""

    config: Config
    db: Database
    scheduler: Scheduler | None

    def run_job(self, kind: str, room_id: str, round_id: int | None, due: datetime,
                key: str) -> list[Reply]: ...


# -- the scheduler -----------------------------------------------------------------


class _Store(SQLAlchemyJobStore):
    """APScheduler's store, reading jobs stored before bot/ had packages.

    A job is stored with the textual reference of its function; those written
    when the functions lived in `bot.jobs` are read as `bot.schedule.jobs`
    (and stored under that name the next time the store moves them on), so an
    upgrade keeps every pending cut-off, reminder and daily summary.
    """

    def _reconstitute_job(self, job_state):
        if LEGACY_JOBS_MODULE.encode() in job_state:
            state = pickle.loads(job_state)
            module, _, name = str(state.get("func", "")).partition(":")
            if module == LEGACY_JOBS_MODULE:
                state["func"] = f"{jobs.__name__}:{name}"
                job_state = pickle.dumps(state, self.pickle_protocol)
        return super()._reconstitute_job(job_state)


class _Background(BackgroundScheduler):
    """APScheduler's thread and wake-ups, running due jobs with `Scheduler.run_due_jobs`.

    APScheduler 3's own loop removes a one-off job from the store before its
    executor runs it, so a process killed in between loses the job; here each
    job runs first and the store moves on after, as in replay and the tests
    (runs are idempotent). Jobs run one at a time, in due order, on this
    thread. It also runs nothing unless resumed: APScheduler's loop processes
    jobs once more when shutdown() wakes it, paused or not.
    """

    def __init__(self, owner: Scheduler, **options) -> None:
        super().__init__(**options)
        self._owner = owner

    # A replay, a test or a standby process keeps the scheduler paused: no thread
    # until it resumes, so a hundred bots in a test run are not a hundred threads.

    def start(self, paused: bool = False) -> None:
        if self._event is None or self._event.is_set():
            self._event = threading.Event()
        BaseScheduler.start(self, paused=paused)
        if not paused:
            self._spawn()

    def resume(self) -> None:
        if self._thread is None:
            self._spawn()
        super().resume()

    def _spawn(self) -> None:
        self._thread = threading.Thread(target=self._main_loop, name="APScheduler", daemon=True)
        self._thread.start()

    def shutdown(self, wait: bool = True) -> None:
        BlockingScheduler.shutdown(self, wait)
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _process_jobs(self):
        if self.state != STATE_RUNNING:
            return None
        try:
            self._owner.run_due_jobs(datetime.now(self.timezone), coalesce=True)
            following = self._owner.store.get_next_run_time()
        except Exception:
            log.exception("could not run the due jobs; retrying in %ss", self.jobstore_retry_interval)
            return self.jobstore_retry_interval
        if following is None:
            return None                   # until a job is added, or the leader's next poll
        wait = (following - datetime.now(self.timezone)).total_seconds()
        return min(max(wait, 0.0), TIMEOUT_MAX)


class Scheduler:
    """A room's cut-offs, reminders and summaries, stored in the bot's database."""

    def __init__(self, bot: Bot, clock: Clock | None = None, *,
                 deliver: Callable[[list[Reply]], None] | None = None) -> None:
        self.bot = bot
        self.config = bot.config
        self.clock: Clock = clock or SystemClock()
        self.deliver = deliver            # sends job replies live; None: they wait in the outbox
        self.tz = check_schedule(self.config.schedule, self.config.source or "config")
        self.store = _Store(engine=bot.db.engine, tablename=JOBS_TABLE)
        # Replay asks before every message; the store builds and unpickles on each
        # ask, so a prebuilt "anything due?" comes first (bench/replay_bench.py).
        table = self.store.jobs_t
        self._any_due = select(table.c.id).where(table.c.next_run_time <= bindparam("ts")).limit(1)
        # Jobs run on the scheduler's thread, one after another, like messages (_Background).
        self._aps = _Background(
            self, jobstores={"default": self.store},
            timezone=self.tz,
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1})
        self._aps.start(paused=True)      # paused still writes jobs to the store
        self.leadership = Leadership(bot.db.url)
        self.leading = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        bot.scheduler = self
        self.reconcile()

    # -- what rounds ask for ------------------------------------------------------

    def round_opened(self, room_id: str, round_id: int, deadline: datetime | None) -> None:
        if deadline is not None:
            self.set_deadline(room_id, round_id, deadline)
        self.ensure_daily_summary(room_id)

    def set_deadline(self, room_id: str, round_id: int, deadline: datetime) -> None:
        """Close the round at `deadline` (replacing any earlier cut-off) and remind before it."""
        deadline = as_utc(deadline)
        self._put(job_id("close", room_id, round_id), jobs.close_round_job,
                  (room_id, round_id, deadline.isoformat()), deadline)
        minutes = self.config.schedule.remind_before_minutes
        remind_at = deadline - timedelta(minutes=minutes)
        if minutes > 0 and remind_at > self.clock.now():
            self._put(job_id("remind", room_id, round_id), jobs.deadline_reminder_job,
                      (room_id, round_id, remind_at.isoformat()), remind_at)
        else:
            self._remove(job_id("remind", room_id, round_id))

    def clear_deadline(self, room_id: str, round_id: int) -> None:
        self._remove(job_id("close", room_id, round_id))
        self._remove(job_id("remind", room_id, round_id))

    def round_closed(self, room_id: str, round_id: int, closed_at: datetime) -> None:
        """No cut-off left to wait for; chase the unpaid at the configured times after it."""
        self.clear_deadline(room_id, round_id)
        local = as_utc(closed_at).astimezone(self.tz)
        for index, value in enumerate(self.config.schedule.unpaid_reminders):
            hour, minute = parse_hhmm(value)
            at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if at <= local:
                at += timedelta(days=1)
            self._put(job_id("unpaid", room_id, round_id, index), jobs.unpaid_reminder_job,
                      (room_id, round_id, as_utc(at).isoformat()), as_utc(at))

    def ensure_daily_summary(self, room_id: str) -> None:
        spec = parse_hhmm(self.config.schedule.daily_summary) if self.config.schedule.daily_summary else None
        if spec is None or self.store.lookup_job(job_id("summary", room_id)) is not None:
            return
        trigger = CronTrigger(hour=spec[0], minute=spec[1], timezone=self.tz)
        first = trigger.get_next_fire_time(None, self.clock.now().astimezone(self.tz))
        try:
            self._aps.add_job(jobs.daily_summary_job, trigger=trigger, args=(room_id,),
                              id=job_id("summary", room_id), name=job_id("summary", room_id),
                              next_run_time=first)
        except ConflictingIdError:
            pass                          # another process added it a moment ago

    def cancel_room(self, room_id: str, kinds: Collection[str] = KINDS) -> int:
        """Remove the room's jobs of these kinds (all, by default); how many there were."""
        found = [job for job in self.jobs_of(room_id) if job.kind in kinds]
        for job in found:
            self._remove(job.id)
        return len(found)

    def jobs_of(self, room_id: str) -> list[ScheduledJob]:
        found = []
        for job in self._aps.get_jobs():
            kind = job.id.split(":", 1)[0]
            if kind not in KINDS or not job.args or job.args[0] != room_id:
                continue
            round_id = job.args[1] if kind != "summary" else None
            found.append(ScheduledJob(job.id, kind, room_id, round_id, job.next_run_time))
        far = datetime.max.replace(tzinfo=self.tz)
        return sorted(found, key=lambda j: j.next_run or far)

    def reconcile(self) -> None:
        """Make the store agree with the database and the config, at start.

        Cut-offs of open rounds whose job is missing (a crash between commit
        and scheduling) come back; daily summaries follow a changed or removed
        [schedule] daily_summary.
        """
        self._follow_summary_config()
        with self.bot.db.unit_of_work() as session:
            rounds = list(session.execute(select(Round.room_id, Round.id, Round.deadline)
                                          .where(Round.status == "open", Round.deadline.is_not(None))))
        for room_id, round_id, deadline in rounds:
            if self.store.lookup_job(job_id("close", room_id, round_id)) is None:
                try:
                    self._put(job_id("close", room_id, round_id), jobs.close_round_job,
                              (room_id, round_id, as_utc(deadline).isoformat()), as_utc(deadline),
                              replace=False)
                except ConflictingIdError:
                    pass

    def _follow_summary_config(self) -> None:
        setting = self.config.schedule.daily_summary
        spec = parse_hhmm(setting) if setting else None
        for job in self._aps.get_jobs():
            if not job.id.startswith("summary:") or not job.args:
                continue
            trigger = job.trigger
            fields = {f.name: str(f) for f in getattr(trigger, "fields", ())}
            if spec is not None and fields.get("hour") == str(spec[0]) and fields.get("minute") == str(spec[1]) \
                    and str(getattr(trigger, "timezone", "")) == str(self.tz):
                continue
            self._remove(job.id)
            if spec is not None:
                self.ensure_daily_summary(job.args[0])

    def _put(self, jid: str, func: Callable[..., list[Reply]], args: tuple, when: datetime, *, replace: bool = True) -> None:
        # next_run_time is given, never computed by APScheduler from the wall clock,
        # so a virtual clock stays in charge.
        self._aps.add_job(func, trigger=DateTrigger(run_date=when, timezone=self.tz), args=args, id=jid,
                          name=jid, replace_existing=replace, next_run_time=when)

    def _remove(self, jid: str) -> None:
        try:
            self._aps.remove_job(jid)
        except JobLookupError:
            pass

    # -- running jobs -------------------------------------------------------------

    def run(self, kind: str, room_id: str, round_id: int | None, due: datetime | None) -> list[Reply]:
        """One job's work through the bot; called by the functions in bot.schedule.jobs."""
        # In the group's timezone, like the transports' message times: closed_at and the
        # outbox get the same wall-clock convention whoever closed the round.
        due = (due or self.clock.now()).astimezone(self.tz)
        replies = self.bot.run_job(kind, room_id, round_id, due, run_key(kind, room_id, round_id, due, self.tz))
        if replies and self.deliver is not None:
            try:
                self.deliver(replies)
            except Exception:
                log.exception("could not deliver the replies of %s job in %s", kind, room_id)
        return replies

    def run_due_jobs(self, until: datetime, each: Callable[[Fired], None] | None = None, *,
                     coalesce: bool = False) -> list[Fired]:
        """Run every job due by `until`, in due order, moving a virtual clock along.

        Every missed run of a repeating job runs (a replayed week shows each
        day's summary), each at its own time, unless `coalesce` (live, after
        downtime: one summary, not one per day missed); `each` hears of every
        run as it finishes. Nothing runs unless this process leads. Each run is
        recorded before the store moves the job on, and runs are idempotent, so
        a crash in between repeats nothing.
        """
        if not self.leadership.hold():
            return []
        fired: list[Fired] = []
        for _ in range(100_000):          # a bound, not an expectation
            due = self.store.get_due_jobs(until) if self._anything_due(until) else []
            if not due:
                break
            job = due[0]                  # the store hands them over soonest first
            run_time = job.next_run_time
            while coalesce:
                later = job.trigger.get_next_fire_time(run_time, run_time)
                if later is None or later > until:
                    break
                run_time = later
            if isinstance(self.clock, VirtualClock):
                self.clock.advance_to(run_time)
            said: list[Reply] = []
            try:
                with jobs.running_on(self):
                    said = job.func(*job.args, **job.kwargs) or []
            except Exception:
                log.exception("job %s failed", job.id)
            fired.append(Fired(run_time, job.id, said))
            if each is not None:
                each(fired[-1])
            stored = self.store.lookup_job(job.id)
            if stored is None or stored.next_run_time != job.next_run_time:
                continue                  # the job removed or replaced itself (a closed round)
            following = job.trigger.get_next_fire_time(run_time, run_time)
            try:
                if following is None:
                    self._aps.remove_job(job.id)
                else:
                    self._aps.modify_job(job.id, next_run_time=following)
            except JobLookupError:
                pass
        if isinstance(self.clock, VirtualClock):
            self.clock.advance_to(until)
        return fired

    def _anything_due(self, until: datetime) -> bool:
        with self.bot.db.engine.connect() as connection:
            return connection.execute(self._any_due, {"ts": datetime_to_utc_timestamp(until)}).first() is not None

    # -- live ---------------------------------------------------------------------

    def start(self, poll_seconds: float = 5.0) -> None:
        """Run jobs live in the background, in whichever process holds the lock."""
        jobs.set_default(self)
        self._thread = threading.Thread(target=self._lead, args=(poll_seconds,), daemon=True,
                                        name="jielong-scheduler")
        self._thread.start()

    def _lead(self, poll_seconds: float) -> None:
        while True:
            leading = self.leadership.hold()
            if leading and not self.leading:
                log.info("this process now runs the scheduled jobs")
                self.reconcile()
                self._aps.resume()
            elif not leading and self.leading:
                log.warning("lost the scheduler lock; pausing jobs")
                self._aps.pause()
            elif leading:
                self._aps.wakeup()       # jobs other processes wrote into the store
            self.leading = leading
            if self._stop.wait(poll_seconds):
                return

    def shutdown(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._aps.running:
            self._aps.shutdown(wait=True)
        self.leadership.release()
        self.leading = False
        if jobs.default() is self:
            jobs.set_default(None)

