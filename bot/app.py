"""The bot: one incoming message in, replies out, in one unit of work.

`Bot.handle` is idempotent by message id, writes every reply to the outbox
in the same transaction as the order change it reports, and never lets one
bad message escape as an exception.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import select

from bot import replies
from bot.commands import CUSTOMER_VERBS, looks_like_command, run_command
from bot.config import Config
from bot.context import Context
from bot.customer import handle_customer, parse_message
from bot.jielong import handle_post
from bot.messages import Incoming, Reply
from bot.orders import OrderBook, catalogue_from
from parsers.catalogue import Catalogue
from parsers.commands import parse_command
from parsers.post import is_jielong, parse_post
from parsers.text import normalize
from storage.database import Database
from storage.models import Member, OutboxMessage, ProcessedMessage, Product, Room

log = logging.getLogger("jielong.bot")

MAX_TEXT = 20_000   # longer messages are not order lists; answer politely instead


class Bot:
    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self._catalogue_key: tuple | None = None
        self._catalogue: Catalogue | None = None
        self._seed_products()

    def _seed_products(self) -> None:
        """Config products the database does not know yet; stock already used is kept."""
        with self.db.unit_of_work() as session:
            known = set(session.scalars(select(Product.name)))
            for position, info in enumerate(self.config.products):
                if info.name not in known:
                    session.add(Product(name=info.name, aliases=list(info.aliases), price=info.price,
                                        unit=info.unit, stock=info.stock, limit=info.limit,
                                        specs=list(info.specs), on_sale=True, position=position))

    def handle(self, msg: Incoming) -> list[Reply]:
        """Process one message exactly once; return the replies it produced."""
        try:
            with self.db.unit_of_work() as session:
                if session.get(ProcessedMessage, msg.id) is not None:
                    return []
                session.add(ProcessedMessage(id=msg.id, processed_at=msg.ts))
                session.flush()
                ctx = self._context(session, msg)
                self._dispatch(ctx)
                self._queue(session, msg, ctx.replies)
                return ctx.replies
        except Exception:  # one bad message must never stop the bot
            log.exception("message %s could not be handled", msg.id)
            return self._apologise(msg)

    def _apologise(self, msg: Incoming) -> list[Reply]:
        reply = Reply(msg.room or msg.sender, f"@{msg.name} 抱歉，这条消息没处理成功，已转给团长人工确认",
                      (msg.sender,))
        try:
            with self.db.unit_of_work() as session:
                if session.get(ProcessedMessage, msg.id) is not None:
                    return []
                session.add(ProcessedMessage(id=msg.id, processed_at=msg.ts))
                self._queue(session, msg, [reply])
        except Exception:
            log.exception("message %s could not be recorded", msg.id)
        return [reply]

    def _queue(self, session, msg: Incoming, out: list[Reply]) -> None:
        for reply in out:
            session.add(OutboxMessage(message_id=msg.id, to=reply.to, text=reply.text,
                                      mentions=list(reply.mentions), created_at=msg.ts,
                                      sent_at=datetime.now(timezone.utc),
                                      attachments=[{"path": str(a.path), "kind": a.kind}
                                                   for a in reply.attachments]))

    def _context(self, session, msg: Incoming) -> Context:
        room_id = msg.room or f"private:{msg.sender}"
        room = session.get(Room, room_id)
        if room is None:
            room = Room(id=room_id, name=msg.room_name or "")
            session.add(room)
            session.flush()
            session.add(Member(room_id=room_id, contact_id=msg.sender, display_name=msg.name))
        text = normalize(msg.text[:MAX_TEXT])
        book = OrderBook(session, self._catalogue_for(session), msg.ts)
        return Context(msg=msg, text=text, book=book, config=self.config, room=room)

    def _catalogue_for(self, session) -> Catalogue:
        products = list(session.scalars(select(Product)))
        key = tuple((p.id, p.name, tuple(p.aliases or ()), tuple(p.specs or ()), p.on_sale, p.position)
                    for p in products)
        if key != self._catalogue_key:
            self._catalogue = catalogue_from(products)
            self._catalogue_key = key
        return self._catalogue

    # -- routing: the first handler that claims the message -------------------

    def _dispatch(self, ctx: Context) -> None:
        if len(ctx.msg.text) > MAX_TEXT:
            ctx.say("消息太长了，请分开发送")
            return
        if ctx.msg.room is None:
            return  # private chats carry no orders
        command_text = ctx.command_text()
        first_line = command_text.split("\n", 1)[0]
        command = parse_command(first_line)
        if command is not None:
            if ctx.is_admin or command.verb in CUSTOMER_VERBS:   # 我的订单 is for everyone
                run_command(ctx, command)
            else:
                ctx.say(replies.not_admin(ctx.name))
            return
        if is_jielong(ctx.text):
            post = parse_post(ctx.text)
            if post is not None:
                handle_post(ctx, post)
            return
        if ctx.is_admin:
            return  # merchants announce prices and rules; their free text is never an order
        if looks_like_command(first_line) and (ctx.mentions_bot or ctx.text.startswith("/")
                                               or first_line.split(" ")[0] in ("库存", "截单", "上架", "下架")):
            ctx.say(replies.not_admin(ctx.name))
            return
        request = parse_message(ctx)
        if request is not None:
            handle_customer(ctx, request)


def build_bot(config: Config, db_url: str | None = None) -> Bot:
    """The composition root: the one place concrete objects are built."""
    return Bot(config, Database(db_url or config.database_url or None))
