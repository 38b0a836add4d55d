"""The database schema: SQLAlchemy 2 typed models.

One catalogue per bot (a merchant's products, shared by their groups), plus
each round's menu: products read from the post that opened the round, which
belong to that round only (`round_id`) and stand in for a configured product
of the same name in that round (CONTRACT 3b). Rooms
hold rounds (one 接龙 each), rounds hold orders, orders hold items. Every
order change leaves a row in `order_history`; every reply waits in `outbox`
until the transport has sent it.

No `from __future__ import annotations` here: with it every `Mapped[...]` is a
string that the declarative scan evaluates again (~20 ms of each start-up);
the few names used before their class is defined are quoted instead.
"""
from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A moment, stored in UTC and read back aware (UTC).

    SQLite keeps no offset: without this a time was stored as the wall clock
    of whatever offset it came with (the machine's, the chat file's) and read
    back naive, so charts and reports showed the server's timezone. Now every
    stored time is one instant and whoever shows it converts it to the
    configured [schedule] timezone. A naive value is taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")


class Member(Base):
    """A contact as seen in one room (their display name there)."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("room_id", "contact_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id"))
    contact_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200), default="")


class Product(Base):
    """A configured product (`round_id` None), or one of a round's menu."""

    __tablename__ = "products"
    # one product per name in the catalogue and in each round's menu
    __table_args__ = (UniqueConstraint("round_id", "name", name="uq_products_round_name"),
                      Index("ix_products_round", "round_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    price: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    stock: Mapped[float | None] = mapped_column(Float, nullable=True)   # what is left; None = unlimited
    limit: Mapped[float | None] = mapped_column(Float, nullable=True)   # per customer per round
    specs: Mapped[list[str]] = mapped_column(JSON, default=list)
    on_sale: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)           # catalogue order
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", name="fk_products_round"),
                                                 nullable=True)  # a menu's round
    code: Mapped[str | None] = mapped_column(String(8), nullable=True)  # the menu's number or letter
    spec_prices: Mapped[list[float]] = mapped_column(JSON, default=list)  # one per spec; empty: `price`
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)   # the set meal (config `default`)
    confirm_over: Mapped[float] = mapped_column(Float, default=50.0)   # more is confirmed first


class Round(Base):
    """One group-buy (one 接龙) in a room."""

    __tablename__ = "rounds"
    __table_args__ = (Index("ix_rounds_room_status", "room_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")     # open | closed
    opened_by: Mapped[str] = mapped_column(String(128))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=0)           # bumps on every change

    orders: Mapped[list["Order"]] = relationship(back_populates="round", order_by="Order.seq")


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("round_id", "seq"), Index("ix_orders_round_owner", "round_id", "owner"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    seq: Mapped[int] = mapped_column(Integer)             # 1, 2, 3... as 汇总 lists them
    customer: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(128))       # who placed it (may edit/cancel it)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open paid shipped done cancelled
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="chat")  # jielong | chat | proxy
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    round: Mapped[Round] = relationship(back_populates="orders")
    items: Mapped[list["OrderItem"]] = relationship(back_populates="order", order_by="OrderItem.id",
                                                  cascade="all, delete-orphan")

    @property
    def total(self) -> float:
        return round(sum(item.amount for item in self.items), 2)


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    spec: Mapped[str | None] = mapped_column(String(50), nullable=True)
    quantity: Mapped[float] = mapped_column(Float)        # in the product's selling unit
    unit_price: Mapped[float] = mapped_column(Float)

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship(lazy="joined")

    @property
    def amount(self) -> float:
        return round(self.quantity * self.unit_price, 2)


class EntryKey(Base):
    """A 接龙 line's content, pointing at the order it became.

    Old contents of an edited line stay (current=False), so a repost from an
    older base carrying the old line changes nothing.
    """

    __tablename__ = "entry_keys"
    __table_args__ = (UniqueConstraint("round_id", "content"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    content: Mapped[str] = mapped_column(String(500))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    owner: Mapped[str] = mapped_column(String(128))
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    order: Mapped[Order | None] = relationship()


class Question(Base):
    """An entry the bot asked about, open until its sender answers it, orders
    the item clearly or drops it, or the merchant dismisses it (CONTRACT 3c).

    `items` are the asked items (storage.questions.AskedItem as JSON), each
    with its numbered options in the order the question showed them.
    """

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_round_sender", "round_id", "sender"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), nullable=True)
    room_id: Mapped[str] = mapped_column(String(128))
    sender: Mapped[str] = mapped_column(String(128))
    customer: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(32))
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    settled_by: Mapped[list[str]] = mapped_column(JSON, default=list)   # products that settle it
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default="open")     # open answered dropped dismissed
    items: Mapped[list[dict]] = mapped_column(JSON, default=list)      # what was asked, with options
    note: Mapped[str] = mapped_column(Text, default="")                # the entry's note, for its order
    entry_key: Mapped[str | None] = mapped_column(String(500), nullable=True)  # the 接龙 line asked about
    followed: Mapped[bool] = mapped_column(Boolean, default=False)     # its sender has spoken since
    retried: Mapped[bool] = mapped_column(Boolean, default=False)      # asked again once already
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProcessedMessage(Base):
    """Message ids already handled: a re-delivery is recognised and skipped."""

    __tablename__ = "processed_messages"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OrderHistory(Base):
    __tablename__ = "order_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))      # created updated cancelled paid shipped done
    detail: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship()


class AfterSale(Base):
    """A customer's after-sales report (售后) against one item of their order:
    open until the merchant refunds, resends or rejects it."""

    __tablename__ = "after_sales"
    __table_args__ = (Index("ix_after_sales_order", "order_id"), Index("ix_after_sales_status", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), nullable=True)
    spec: Mapped[str | None] = mapped_column(String(50), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))         # damaged spoiled short missing wrong refund
    quantity: Mapped[float | None] = mapped_column(Float, nullable=True)   # in the selling unit; None: not said
    written: Mapped[str] = mapped_column(String(32), default="")           # the amount as typed (3个)
    wants: Mapped[str] = mapped_column(String(16), default="")             # refund | resend | ""
    status: Mapped[str] = mapped_column(String(16), default="open")        # open refund resend rejected
    reporter: Mapped[str] = mapped_column(String(128))
    room_id: Mapped[str] = mapped_column(String(128))     # where it was reported (private:<id> when privately)
    text: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    order: Mapped[Order] = relationship()
    product: Mapped[Product | None] = relationship()


class AfterSaleAction(Base):
    """What the merchant did about an order's after-sales: money back (refund),
    the goods again (resend), or a case closed without either (rejected)."""

    __tablename__ = "after_sale_actions"
    __table_args__ = (Index("ix_after_sale_actions_order", "order_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("after_sales.id"), nullable=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), nullable=True)
    spec: Mapped[str | None] = mapped_column(String(50), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))          # refund | resend | rejected
    quantity: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount: Mapped[float] = mapped_column(Float, default=0.0)      # yuan back to the customer
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A resend waits for the next pick list and delivery sheet until it goes out.
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    order: Mapped[Order] = relationship()
    product: Mapped[Product | None] = relationship()
    case: Mapped[AfterSale | None] = relationship()


class OutboxMessage(Base):
    """A reply written in the same transaction as the change it reports."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128))     # the incoming message it answers
    to: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)
    attachments: Mapped[list[dict]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Merchant(Base):
    """A contact who became a merchant by sending 绑定 with the one-time code
    (`jielong run` prints it while no admin is configured or bound); counts
    as an admin beside the config's `admins`."""

    __tablename__ = "merchants"

    contact_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BindCode(Base):
    """A one-time 绑定 code: kept in the database so every worker on it
    accepts the code one of them printed, and only once."""

    __tablename__ = "bind_codes"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
class Setting(Base):
    """A value the bot keeps for itself across restarts (the web page's signing key)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LoginLink(Base):
    """A one-time link to the merchant's web page: only its SHA-256 is kept."""

    __tablename__ = "login_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    admin: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ProductRevision(Base):
    """A stamp of the products a catalogue is read from (storage/product_revisions.py):
    scope 0 is the configured catalogue, any other a round's menu (its round id).
    A new random stamp is written whenever one of those products is added, changed
    or removed, so a worker keeps a built catalogue while the stamps it was built at stay."""

    __tablename__ = "product_revisions"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stamp: Mapped[int] = mapped_column(Integer)
