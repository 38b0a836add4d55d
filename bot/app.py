"""The bot: one incoming message in, replies out, in one unit of work.

`Bot.handle` is idempotent by message id, writes every reply to the outbox
in the same transaction as the order change it reports, and never lets one
bad message escape as an exception.
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime, timezone
from functools import partial
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.chat import my_orders
from bot.chat.commands import Registry
from bot.chat.context import Context
from bot.chat.dispatcher import MAX_TEXT, dispatch
from bot.chat.entry_index import EntryIndex
from bot.chat.catalogues import Catalogues
from bot.chat.orders import OrderBook, read_unclosed_round
from bot.config import Config
from bot.merchant import after_sales as after_sale_commands
from bot.merchant import binding, orders as order_commands, products as product_commands, report_commands
from bot.merchant import login_links, rounds as round_commands
from bot.merchant import questions as question_commands
from bot.messages import Incoming, Reply
from bot.schedule import commands as schedule_commands
from bot.schedule.jobs import note_round_changes, perform
from bot.schedule.scheduler import Scheduler
from parsers.address import mask_phones
from parsers.catalogue import Catalogue
from parsers.text import normalize
from storage import ledger, merchants, outbox, product_revisions
from storage.database import Database
from storage.models import Member, Product, Room
from storage.outbox import QueuedReply

log = logging.getLogger("jielong.bot")

# Every chat command, in the order 帮助 lists them (帮助 itself comes last).
COMMANDS = Registry([
    round_commands.OPEN_ROUND, round_commands.CLOSE_ROUND,
    report_commands.SUMMARY, report_commands.PICK_LIST, report_commands.BILLS, report_commands.REMIND_UNPAID,
    report_commands.UNPAID, report_commands.DELIVERY, question_commands.PENDING, question_commands.DISMISS,
    order_commands.CANCEL, report_commands.PAID, report_commands.SHIP, report_commands.ARRIVED, report_commands.EXPORT,
    product_commands.LIST_PRODUCT, product_commands.DELIST, product_commands.SET_STOCK, order_commands.ORDER_FOR,
    schedule_commands.DEADLINE, schedule_commands.SCHEDULE, schedule_commands.CANCEL_SCHEDULE,
    after_sale_commands.AFTER_SALES, after_sale_commands.REFUND, after_sale_commands.RESEND,
    after_sale_commands.REJECT,
    my_orders.MY_ORDERS, binding.WHO_AM_I, binding.BIND, login_links.ADMIN_PAGE,
])

# The merchant's post the warm-up rehearses (Bot.warm): a title, a menu, a rule, an example.
_REHEARSAL_POST = "#接龙\n预热团\n1. 苹果 10元/斤\n2. 香蕉 5元/斤\n周六自提\n例 张三 苹果2斤"
RACE_RETRIES = 5    # a unit of work that lost a race with another worker is run again
MERCHANTS_TTL = 30.0    # seconds: a merchant bound through another worker counts here this soon


class Bot:
    def __init__(self, config: Config, db: Database, commands: Registry = COMMANDS) -> None:
        self.config = config
        self.db = db
        self.commands = commands
        self._catalogues = Catalogues()   # rounds' catalogues, kept while their products stay
        self.scheduler: Scheduler | None = None   # a Scheduler attaches itself here
        self._rooms: set[str] = set()     # rooms known to be in the database
        self._entries = EntryIndex()      # 接龙 lines of recent rounds, between messages
        self._configured_admins = config.admins
        self._merchants_read = float("-inf")   # monotonic time the bound merchants were last read
        self._seen_senders: set[tuple[str, str]] = set()   # (room, sender) already named in the log
        self._seed_products()
        with self.db.session() as session:
            self._read_merchants(session)

    # -- merchants: configured admins plus those bound with 绑定 -------------

    def _read_merchants(self, session) -> None:
        self._merchants_read = time.monotonic()
        admins = self._configured_admins | merchants.merchant_ids(session)
        if admins != self.config.admins:
            self.config = replace(self.config, admins=admins)

    def _merchant_bound(self, contact_id: str) -> None:
        self.config = replace(self.config, admins=self.config.admins | {contact_id})

    def announce_bind_code(self) -> str | None:
        """While nobody is a merchant, the one-time 绑定 code, logged for whoever starts the bot."""
        if self.config.admins:
            return None
        with self.db.unit_of_work() as session:
            code = merchants.pending_code(session, datetime.now(timezone.utc))
        log.warning('no merchant yet: send "绑定 %s" to the bot (in a room it serves) to become the merchant; '
                    "the code works once", code)
        return code

    def _seed_products(self) -> None:
        """Config products the database does not know yet; stock already used is kept."""
        with self.db.unit_of_work() as session:
            known = set(session.scalars(select(Product.name).where(Product.round_id.is_(None))))
            rows = [dict(name=info.name, aliases=list(info.aliases), price=info.price, unit=info.unit,
                         stock=info.stock, limit=info.limit, specs=list(info.specs), on_sale=True,
                         position=position, round_id=None, code=None, spec_prices=list(info.spec_prices),
                         is_default=info.default, confirm_over=info.confirm_over)
                    for position, info in enumerate(self.config.products) if info.name not in known]
            if rows:
                # Core executemany on the session's connection (a shop's 10,000 products: the ORM's bulk
                # INSERT spends a third more per row), which moves no stamp by itself
                # (storage/product_revisions.py).
                connection = session.connection()
                connection.execute(insert(Product.__table__), rows)
                product_revisions.move(connection, {product_revisions.CONFIGURED})

    def handle(self, msg: Incoming) -> list[Reply]:
        """Process one message exactly once; return the replies it produced.

        The replies are also queued, unsent, in the outbox (bot/transports/outbox.py
        delivers them). When another worker on the same database wins a race
        (the same message id, the next order number, the same new room), this
        transaction fails on a unique key or a deadlock and is run again from
        the start: a duplicate then finds its id processed and says nothing.
        """
        for attempt in range(1, RACE_RETRIES + 1):
            try:
                return self._handle_once(msg)
            except DBAPIError as exc:
                if not _lost_race(exc) or attempt == RACE_RETRIES:
                    log.exception("message %s could not be handled", msg.id)
                    return self._apologise(msg)
                log.info("message %s lost a race with another worker (%s); retrying",
                         msg.id, type(exc.orig).__name__)
            except Exception:  # one bad message must never stop the bot
                log.exception("message %s could not be handled", msg.id)
                return self._apologise(msg)
        return []

    def _handle_once(self, msg: Incoming) -> list[Reply]:
        with self.db.unit_of_work() as session:
            if not ledger.claim(session.connection(), msg.id, msg.ts):
                return []                 # delivered before (or by another worker just now)
            ctx = self._context(session, msg)
            self._dispatch(ctx)
            note_round_changes(ctx)
            ctx.book.finish()
            out = [_public(reply, msg) for reply in ctx.replies]
            self._queue(session, msg, out)
        self._after_commit(ctx)
        return out

    def warm(self) -> None:
        """Handle a rehearsal before the first real message, so its reply is not the
        one that waits for grammars to load, caches to fill and statements to compile.

        The rehearsal (a merchant's #接龙 post opening a round, a repost with an
        entry, a customer's order line) runs in one transaction that is rolled
        back, with its own entry index and no scheduler, and nothing it leaves for
        after the commit runs: the database and the bot end as they were."""
        began = time.perf_counter()
        session = self.db.session()
        try:
            session.begin()
            merchant = "warm-up-merchant"
            config = replace(self.config, admins=self.config.admins | {merchant})
            for number, (sender, text) in enumerate(((merchant, _REHEARSAL_POST),
                                                     ("warm-up-customer", _REHEARSAL_POST + "\n1. 张三 苹果2斤"),
                                                     ("warm-up-customer", "苹果1斤"))):
                msg = Incoming(id=f"warm-up-{uuid4().hex}-{number}", ts=datetime.now(timezone.utc),
                               room="warm-up@chatroom", sender=sender, name="预热", text=text, room_name="预热")
                ledger.claim(session.connection(), msg.id, msg.ts)
                ctx = replace(self._context(session, msg), config=config, scheduler=None, entries=EntryIndex())
                self._dispatch(ctx)
                ctx.book.finish()
                self._queue(session, msg, [_public(reply, msg) for reply in ctx.replies])
                session.flush()
        except Exception:   # a rehearsal that fails costs the first message its speed, nothing more
            log.debug("the warm-up rehearsal failed", exc_info=True)
        finally:
            session.rollback()
            session.close()
        log.debug("warmed up in %.0f ms", (time.perf_counter() - began) * 1000)

    def run_job(self, kind: str, room_id: str, round_id: int | None, due: datetime, key: str) -> list[Reply]:
        """A scheduled job's work (bot.schedule.jobs.perform) in one unit of work, once per key.

        The key (job and due time) is recorded like a message id, in the same
        transaction as the work, so a job fired twice works once.
        """
        msg = Incoming(id=key, ts=due, room=room_id, sender=self.config.bot_id, name=self.config.bot_name,
                       text="")
        try:
            with self.db.unit_of_work() as session:
                if session.get(Room, room_id) is None or not ledger.claim(session.connection(), key, due):
                    return []                 # ran already, here or in another process
                ctx = self._context(session, msg)
                perform(ctx, kind, round_id, due)
                note_round_changes(ctx)
                ctx.book.finish()
                out = [_public(reply, msg) for reply in ctx.replies]
                self._queue(session, msg, out)
        except IntegrityError:
            log.info("job %s already ran in another process", key)
            return []
        except Exception:  # a failing job must not stop the scheduler
            log.exception("job %s failed", key)
            return []
        self._after_commit(ctx)
        return out

    def act(self, room_id: str, actor: str, work, *, name: str = "团长") -> list[Reply]:
        """A merchant's action from outside the chat (the web page) in one unit of work.

        `work(ctx)` runs with the merchant as the message's sender in `room_id`,
        so it calls the same services as the chat command, writes the same
        history (actor: the merchant) and queues the same replies in the outbox,
        all in one transaction, under a fresh id in the ledger. Like a message, a
        unit of work that lost a race with another worker (the next order number)
        is run again from the start; any other failure is raised to the caller.
        """
        for attempt in range(1, RACE_RETRIES + 1):
            try:
                return self._act_once(room_id, actor, work, name)
            except DBAPIError as exc:
                if not _lost_race(exc) or attempt == RACE_RETRIES:
                    raise
                log.info("action in %s lost a race with another worker (%s); retrying",
                         room_id, type(exc.orig).__name__)
        return []

    def _act_once(self, room_id: str, actor: str, work, name: str) -> list[Reply]:
        now = datetime.now(ZoneInfo(self.config.schedule.timezone))
        msg = Incoming(id=f"web-{uuid4().hex}", ts=now, room=room_id, sender=actor, name=name, text="")
        with self.db.unit_of_work() as session:
            ledger.claim(session.connection(), msg.id, msg.ts)
            ctx = self._context(session, msg)
            work(ctx)
            note_round_changes(ctx)
            ctx.book.finish()
            out = [_public(reply, msg) for reply in ctx.replies]
            self._queue(session, msg, out)
        self._after_commit(ctx)
        return out

    def catalogue(self, round_id: int | None) -> Catalogue:
        """What a round sells (its menu, then the configured products), as the bot reads orders."""
        with self.db.session() as session:
            return self._catalogues.of_round(session, round_id).catalogue

    def _after_commit(self, ctx: Context) -> None:
        """What the unit of work left for after its commit: job store changes, caches."""
        for change in ctx.after_commit:
            try:
                change()
            except Exception:
                log.exception("could not finish handling %s in %s", ctx.msg.id, ctx.room_id)

    def _apologise(self, msg: Incoming) -> list[Reply]:
        reply = Reply(msg.room or msg.sender, f"@{msg.name} 抱歉，这条消息没处理成功，已转给团长人工确认",
                      (msg.sender,))
        try:
            with self.db.unit_of_work() as session:
                if not ledger.claim(session.connection(), msg.id, msg.ts):
                    return []
                self._queue(session, msg, [reply])
        except Exception:
            log.exception("message %s could not be recorded", msg.id)
        return [reply]

    def _queue(self, session, msg: Incoming, out: list[Reply]) -> None:
        outbox.queue(session.connection(), msg.id, msg.ts,
                     [QueuedReply(reply.to, reply.text, list(reply.mentions),
                                  [{"path": str(a.path), "kind": a.kind} for a in reply.attachments])
                      for reply in out])

    def _context(self, session, msg: Incoming) -> Context:
        room_id = msg.room or f"private:{msg.sender}"
        after_commit = []
        if time.monotonic() - self._merchants_read > MERCHANTS_TTL:
            self._read_merchants(session)
        if room_id not in self._rooms:          # rooms are never deleted: once known, known
            if session.get(Room, room_id) is None:
                session.add(Room(id=room_id, name=msg.room_name or ""))
                session.flush()
                session.add(Member(room_id=room_id, contact_id=msg.sender, display_name=msg.name))
                if msg.room is not None:
                    after_commit.append(partial(log.info, "new room %s (%s)", msg.room_name or "?", room_id))
            after_commit.append(partial(self._rooms.add, room_id))
        if (room_id, msg.sender) not in self._seen_senders and msg.sender != self.config.bot_id:
            # the ids `admins` needs, named once per room and process (first seen by this worker)
            after_commit.append(partial(self._note_sender, room_id, msg))
        text = normalize(msg.text[:MAX_TEXT])
        # the room's round sells its menu and the configured products (CONTRACT 3b)
        unclosed = read_unclosed_round(session, room_id)     # read once: the book hands it to handlers
        round_id = unclosed.id if unclosed is not None else None
        book = OrderBook(session, self._catalogues.of_round(session, round_id), msg.ts, self._catalogues.of_round,
                         unclosed=(room_id, unclosed))
        return Context(msg=msg, text=text, book=book, config=self.config, room_id=room_id,
                       scheduler=self.scheduler, after_commit=after_commit, entries=self._entries,
                       on_merchant_bound=self._merchant_bound)

    def _note_sender(self, room_id: str, msg: Incoming) -> None:
        self._seen_senders.add((room_id, msg.sender))
        role = "merchant" if msg.sender in self.config.admins else "customer"
        log.info("sender %s (%s, %s) in %s", msg.name or "?", msg.sender, role, msg.room_name or room_id)

    def _dispatch(self, ctx: Context) -> None:
        dispatch(ctx, self.commands)   # bot/chat/dispatcher.py: the first handler that claims it


def _lost_race(exc: DBAPIError) -> bool:
    """A failure that running the same unit of work again can cure."""
    if isinstance(exc, IntegrityError):
        return True
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40001", "40P01") or "database is locked" in str(exc.orig)


def _public(reply: Reply, msg: Incoming) -> Reply:
    """Phone numbers never appear in full in a group; private replies keep them."""
    if msg.room is None or reply.to != msg.room:
        return reply
    masked = mask_phones(reply.text)
    return reply if masked == reply.text else replace(reply, text=masked)


def build_bot(config: Config, db_url: str | None = None, *, clock=None, scheduler: bool = True) -> Bot:
    """The composition root: the one place concrete objects are built.

    The bot gets its scheduler (bot.schedule.scheduler) on the same database; `clock`
    is a bot.clock.VirtualClock in replay and tests, the wall clock otherwise.
    """
    bot = Bot(config, Database(db_url or config.database_url or None))
    if scheduler:
        Scheduler(bot, clock)
    return bot
