"""Order logic on one open session: placing, changing, cancelling, stock.

Everything here runs inside the caller's unit of work (one per incoming
message), so an order, its stock and its reply commit together or not at all.
Stock is taken with a conditional UPDATE (`stock >= wanted`), which stays
correct with two processes on one database.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.chat.catalogues import RoundCatalogue, read_round
from bot.clock import as_utc
from parsers.catalogue import Catalogue, ProductInfo
from parsers.entry import ItemProblem, ItemRequest, ResolvedItem, resolve_item
from storage import menus, order_rows, questions
from storage.models import Order, OrderHistory, OrderItem, Product, Question, Round
from storage.queries import SAID_PAID
from storage.menus import ProductRow
from storage.questions import AskedItem
from storage.order_rows import ItemValues

EPSILON = 1e-9
PRELOADED = 200     # a round selling at most this many products has all its rows read at its first order

# Statements every message runs, built once (building one costs more than running it).
_UNCLOSED_ROUND = (select(Round).where(Round.room_id == bindparam("room"), Round.status == "open")
                   .order_by(Round.id.desc()).limit(1))
_ORDERS = Order.__table__
_PRODUCT_ROWS = select(Product.__table__).where(Product.__table__.c.id.in_(bindparam("ids", expanding=True)))
_LAST_SEQ = (select(_ORDERS.c.seq).where(_ORDERS.c.round_id == bindparam("round"))
             .order_by(_ORDERS.c.seq.desc()).limit(1))
_LOCK_ROUND = select(Round.id).where(Round.id == bindparam("round")).with_for_update()
_LOCK_PRODUCT = select(Product.id).where(Product.id == bindparam("product")).with_for_update()
_PRODUCTS = Product.__table__
_TAKE_STOCK = (update(_PRODUCTS).where(_PRODUCTS.c.id == bindparam("product"),
                                       _PRODUCTS.c.stock >= bindparam("least"))
               .values(stock=_PRODUCTS.c.stock - bindparam("quantity")).returning(_PRODUCTS.c.stock))
_GIVE_BACK = (update(_PRODUCTS).where(_PRODUCTS.c.id == bindparam("product"), _PRODUCTS.c.stock.is_not(None))
              .values(stock=_PRODUCTS.c.stock + bindparam("quantity")).returning(_PRODUCTS.c.stock))
_STOCK = select(_PRODUCTS.c.stock).where(_PRODUCTS.c.id == bindparam("product"))


def read_unclosed_round(session: Session, room_id: str) -> Round | None:
    """The room's round not closed yet, read once at the start of a unit of work
    (handed to `OrderBook(unclosed=...)`)."""
    return session.scalar(_UNCLOSED_ROUND, {"room": room_id})


@dataclass(frozen=True)
class Refusal:
    """An item understood but not taken: over stock or over the limit."""

    reason: str            # stock | limit | confirm | unknown_product (off sale) | closed
    text: str
    product: str
    available: float = 0.0  # stock or limit left; for confirm, the amount asked
    unit: str = ""


Problem = ItemProblem | Refusal


@dataclass(frozen=True)
class PlacedItem:
    """An item of a just-placed order, as its reply shows it."""

    product: Product
    spec: str | None
    quantity: float
    unit_price: float

    @property
    def amount(self) -> float:
        return round(self.quantity * self.unit_price, 2)


@dataclass(frozen=True)
class PlacedOrder:
    """A new order as written (storage/order_rows.py); it reads like an `Order`
    for the reply, without loading one back."""

    id: int
    seq: int
    customer: str
    items: tuple[PlacedItem, ...]

    @property
    def total(self) -> float:
        return round(sum(item.amount for item in self.items), 2)


@dataclass
class Outcome:
    """What one entry or change did, for the reply and the question log."""

    order: Order | PlacedOrder | None = None
    taken: list[OrderItem | PlacedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    asked: list[AskedItem] = field(default_factory=list)   # the problems as a question asks them
    changed: bool = False


class OrderBook:
    """Orders of one room's rounds, read and written through a session."""

    def __init__(self, session: Session, sells: RoundCatalogue, now: datetime,
                 catalogues: Callable[[Session, int | None], RoundCatalogue] = read_round,
                 unclosed: tuple[str, Round | None] | None = None) -> None:
        """`sells`: what the room's round sells (bot/chat/catalogues.py); `catalogues`
        gives another round's, when this unit of work opens or switches one."""
        self.session = session
        self.now = now
        self._catalogues = catalogues
        self._sell(sells)
        self._last_seq: dict[int, int] = {}
        # Row locks order two workers on PostgreSQL; SQLite has one writer at a time
        # and ignores FOR UPDATE, so the statement would only cost time there.
        self._row_locks = session.get_bind().dialect.name != "sqlite"
        self.opened: list[Round] = []      # rounds opened / closed in this unit of work,
        self.closed: list[Round] = []      # so their timed jobs follow once it commits
        self._touched: set[int] = set()    # rounds changed in this unit of work
        self.revisions: dict[int, int] = {}   # their new revisions, once `finish` ran
        # (room, its unclosed round) as read at the start of this unit of work: the
        # round is read once per message, not again by every handler that asks
        self._unclosed = unclosed

    # -- rounds ----------------------------------------------------------------

    def open_round(self, room_id: str) -> Round | None:
        """The round taking orders: open, and its deadline (if any) not yet passed.

        A round past its deadline takes nothing even before the cut-off job
        has closed it (the scheduler may be down, or a moment late).
        """
        rnd = self.unclosed_round(room_id)
        return rnd if rnd is not None and self.accepting(rnd) else None

    def unclosed_round(self, room_id: str) -> Round | None:
        """The round not closed yet, even if its deadline has passed."""
        if self._unclosed is not None and self._unclosed[0] == room_id:
            known = self._unclosed[1]
            if known is None or known.status == "open":
                return known
        rnd = self.session.scalar(_UNCLOSED_ROUND, {"room": room_id})
        self._unclosed = (room_id, rnd)
        return rnd

    def accepting(self, rnd: Round) -> bool:
        return rnd.status == "open" and (rnd.deadline is None or self.now <= as_utc(rnd.deadline))

    def latest_round(self, room_id: str) -> Round | None:
        return self.session.scalar(select(Round).where(Round.room_id == room_id)
                                   .order_by(Round.id.desc()).limit(1))

    def start_round(self, room_id: str, title: str, by: str, description: str = "",
                    menu: Sequence[ProductInfo] = ()) -> Round:
        """Open a round (closing the one before) with the menu its post gave; from
        here on this unit of work sells the round's products."""
        current = self.unclosed_round(room_id)
        if current is not None:
            self.close_round(current)
        new = Round(room_id=room_id, title=title, status="open", opened_by=by, opened_at=self.now,
                    description=description)
        self.session.add(new)
        self.session.flush()
        self._unclosed = (room_id, new)
        self.opened.append(new)
        if menu:
            menus.save_menu(self.session, new.id, menu)
        self.use_round(new.id)
        return new

    def use_round(self, round_id: int | None) -> None:
        """Sell the products of this round: its menu, then the configured rest."""
        self._sell(self._catalogues(self.session, round_id))

    def _sell(self, sells: RoundCatalogue) -> None:
        self.catalogue = sells.catalogue
        self._ids = sells.ids
        self._products: dict[str, ProductRow] = {}    # read when an order needs them (`product`)

    def configured(self) -> list[ProductInfo]:
        """The configured catalogue (what a post's menu lines may name)."""
        return [menus.product_info(p) for p in menus.load_round_products(self.session, None)]

    def close_round(self, rnd: Round) -> None:
        rnd.status = "closed"
        rnd.closed_at = self.now
        self.touch(rnd)
        self.closed.append(rnd)

    def touch(self, rnd: Round) -> None:
        """Note a change to the round (its orders, its 接龙 lines, its status)."""
        self._touched.add(rnd.id)

    def finish(self) -> None:
        """Count this unit of work's changes in each round's revision, once per round,
        just before commit; the new revisions stay in `revisions`."""
        connection = self.session.connection()
        self.revisions = {round_id: order_rows.bump_revision(connection, round_id)
                          for round_id in sorted(self._touched)}

    # -- orders ----------------------------------------------------------------

    def live_orders(self, rnd: Round) -> list[Order]:
        return [o for o in rnd.orders if o.status != "cancelled"]

    def orders_of(self, rnd: Round, owner: str) -> list[Order]:
        return [o for o in self.live_orders(rnd) if o.owner == owner]

    def product(self, name: str) -> Product | ProductRow:
        """What the round sells under `name`, as read for this message."""
        row = self._products.get(name)
        if row is None:
            # a round of a few products: all their rows in one statement, as the orders and
            # replies of a message touch most of them; of a shop's thousands, the one asked for
            ids = list(self._ids.values()) if len(self._ids) <= PRELOADED else [self._ids[name]]
            for found in self.session.execute(_PRODUCT_ROWS, {"ids": ids}):
                self._products.setdefault(found.name, ProductRow(**found._mapping))
            row = self._products[name]
        return row

    def place(self, rnd: Round, owner: str, customer: str, items: Sequence[ItemRequest], note: str,
              *, source: str, merge_into: Order | None = None, actor: str | None = None,
              confirmed: bool = False) -> Outcome:
        """Take what can be taken of an entry; the rest becomes problems.

        `actor` is who the history names (default: the owner); the merchant when
        they place an order for a customer from the web page. An item of more
        than its product's `confirm_over` is a problem too (asked before it is
        taken) unless `confirmed`: the customer said so.
        """
        actor = actor or owner
        outcome = Outcome()
        wanted: dict[tuple[str, str | None], float] = {}
        texts: dict[tuple[str, str | None], str] = {}
        for request in items:
            resolved = self._resolve(request)
            if isinstance(resolved, ResolvedItem):
                key = (resolved.product, resolved.spec)
                wanted[key] = wanted.get(key, 0.0) + resolved.quantity
                texts.setdefault(key, resolved.text)
            else:
                outcome.problems.append(resolved)
                outcome.asked.append(asked_item(resolved, request, self.catalogue))
        accepted: list[tuple[Product, str | None, float]] = []
        for (name, spec), quantity in wanted.items():
            product = self.product(name)
            limit = self.catalogue.by_name[name].confirm_over if name in self.catalogue.by_name else None
            if not confirmed and limit is not None and quantity > limit + EPSILON:
                refusal = Refusal("confirm", texts[(name, spec)], name, quantity, product.unit)
            else:
                refusal = self._check_and_take(rnd, product, customer, quantity, texts[(name, spec)])
            if refusal:
                outcome.problems.append(refusal)
                outcome.asked.append(refused_item(refusal, spec, quantity))
            else:
                accepted.append((product, spec, quantity))
        if not accepted:
            return outcome
        if merge_into is None:
            order = self._insert_order(rnd, owner, customer, note, source, accepted, actor)
            outcome.taken.extend(order.items)
        else:
            order = merge_into
            if note and note not in order.note:
                order.note = f"{order.note} {note}".strip()
            for product, spec, quantity in accepted:
                outcome.taken.append(self._add_item(order, product, spec, quantity))
            order.updated_at = self.now
            self._log(order, actor, "updated", _describe(accepted))
        outcome.order = order
        outcome.changed = True
        self.touch(rnd)
        return outcome

    def _resolve(self, request: ItemRequest) -> ResolvedItem | Problem:
        resolved = resolve_item(request, self.catalogue)
        if isinstance(resolved, ItemProblem) and resolved.reason == "unknown_product":
            off = self.catalogue.off_sale_match(request.text)
            if off:
                return Refusal("unknown_product", request.text, off)
        return resolved

    def _insert_order(self, rnd: Round, owner: str, customer: str, note: str, source: str,
                      accepted: Sequence[tuple[Product, str | None, float]], actor: str) -> PlacedOrder:
        """A new order, straight to its rows: every 接龙 line comes through here."""
        seq = self._next_seq(rnd)
        items = tuple(PlacedItem(product, spec, quantity, price_of(product, spec))
                      for product, spec, quantity in accepted)
        order_id = order_rows.insert_order(
            self.session.connection(), round_id=rnd.id, seq=seq, customer=customer, owner=owner, note=note,
            source=source, at=self.now, detail=_describe(accepted), actor=actor,
            items=[ItemValues(i.product.id, i.spec, i.quantity, i.unit_price) for i in items])
        self.session.expire(rnd, ["orders"])     # a loaded `rnd.orders` does not know it yet
        return PlacedOrder(order_id, seq, customer, items)

    def _next_seq(self, rnd: Round) -> int:
        # One query per message and round; further orders of the same message count on.
        last = self._last_seq.get(rnd.id)
        if last is None:
            # Lock the round: two workers must not both take the next number.
            # Held until this message commits.
            if self._row_locks:
                self.session.execute(_LOCK_ROUND, {"round": rnd.id})
            last = self.session.scalar(_LAST_SEQ, {"round": rnd.id}) or 0
        seq = self._last_seq[rnd.id] = last + 1
        return seq

    def _add_item(self, order: Order, product: Product, spec: str | None, quantity: float) -> OrderItem:
        for item in order.items:
            if item.product_id == product.id and item.spec == spec:
                item.quantity = round(item.quantity + quantity, 4)
                return item
        if not isinstance(product, Product):
            product = self.session.get(Product, product.id)     # an order's item needs the ORM object
        item = OrderItem(product=product, product_id=product.id, spec=spec, quantity=quantity,
                         unit_price=price_of(product, spec))
        order.items.append(item)
        return item

    def customer_total(self, rnd: Round, customer: str, product: Product) -> float:
        """How much of a product a customer has in the round, counted by the database
        (after autoflush), so what another worker committed a moment ago counts too."""
        total = self.session.scalar(
            select(func.sum(OrderItem.quantity)).join(Order, OrderItem.order_id == Order.id)
            .where(Order.round_id == rnd.id, Order.customer == customer, Order.status != "cancelled",
                   OrderItem.product_id == product.id))
        return float(total or 0.0)

    def _check_and_take(self, rnd: Round, product: Product, customer: str, quantity: float,
                        text: str) -> Refusal | None:
        if product.limit is not None:
            # Lock the product's row first (PostgreSQL): the same customer's order on
            # another worker waits here until this one commits, then counts it.
            if self._row_locks:
                self.session.execute(_LOCK_PRODUCT, {"product": product.id})
            already = self.customer_total(rnd, customer, product)
            if already + quantity > product.limit + EPSILON:
                return Refusal("limit", text, product.name, max(0.0, product.limit - already), product.unit)
        if not self.take_stock(product, quantity):
            return Refusal("stock", text, product.name, max(0.0, product.stock or 0.0), product.unit)
        return None

    def take_stock(self, product: Product, quantity: float) -> bool:
        """Atomically take `quantity` if that much is left (always, if unlimited)."""
        if product.stock is None:
            return True
        left = self.session.execute(_TAKE_STOCK, {"product": product.id, "quantity": quantity,
                                                  "least": quantity - EPSILON}).scalar()
        taken = left is not None
        if not taken:   # what is left, for the answer
            left = self.session.execute(_STOCK, {"product": product.id}).scalar()
        _stock_now(product, left)
        return taken

    def give_back(self, product: Product, quantity: float) -> None:
        if product.stock is None or quantity <= 0:
            return
        left = self.session.execute(_GIVE_BACK, {"product": product.id, "quantity": quantity}).scalar()
        _stock_now(product, left)

    # -- changes ---------------------------------------------------------------

    def set_quantity(self, order: Order, item: OrderItem, quantity: float, actor: str) -> Refusal | None:
        """Set one item's quantity (0 removes it), respecting stock and limit."""
        delta = quantity - item.quantity
        product = item.product
        if delta > EPSILON:
            refusal = self._check_and_take(order.round, product, order.customer, delta, product.name)
            if refusal:
                return refusal
        elif delta < -EPSILON:
            self.give_back(product, -delta)
        if quantity <= EPSILON:
            order.items.remove(item)
        else:
            item.quantity = round(quantity, 4)
        order.updated_at = self.now
        self.touch(order.round)
        self._log(order, actor, "updated", f"{product.name} → {quantity:g}{product.unit}")
        if not order.items:
            self._cancelled(order, actor)
        return None

    def cancel(self, order: Order, actor: str) -> None:
        for item in list(order.items):
            self.give_back(item.product, item.quantity)
        self._cancelled(order, actor)

    def _cancelled(self, order: Order, actor: str) -> None:
        order.status = "cancelled"
        order.updated_at = self.now
        self.touch(order.round)
        self._log(order, actor, "cancelled", "")

    def replace_items(self, order: Order, items: Sequence[ItemRequest], note: str, actor: str) -> Outcome:
        """An owner's edited 接龙 line: the order becomes what the line now says."""
        for item in list(order.items):
            self.give_back(item.product, item.quantity)
            order.items.remove(item)
        self.session.flush()
        outcome = self.place(order.round, order.owner, order.customer, items, note, source=order.source,
                             merge_into=order)
        order.note = note
        if not order.items:
            self._cancelled(order, actor)
        return outcome

    def set_status(self, order: Order, status: str, actor: str) -> None:
        order.status = status
        order.updated_at = self.now
        self.touch(order.round)
        self._log(order, actor, status, "")

    def note_said_paid(self, order: Order, actor: str) -> None:
        """The customer says they paid: kept in the history, the order stays unpaid."""
        self.touch(order.round)
        self._log(order, actor, SAID_PAID, "")

    def _log(self, order: Order, actor: str, action: str, detail: str) -> None:
        # Through the relationship, so no flush is needed to learn the order's id.
        self.session.add(OrderHistory(order=order, at=self.now, actor=actor, action=action, detail=detail))

    # -- questions -------------------------------------------------------------

    def ask(self, rnd: Round | None, room_id: str, sender: str, customer: str, text: str,
            problems: Iterable[Problem], *, asked: Sequence[AskedItem] | None = None, note: str = "",
            entry_key: str | None = None) -> Question | None:
        """Record the question the reply asks: one per entry, naming all its problem items."""
        problems = list(problems)
        if not problems:
            return None
        if asked is None:
            asked = [asked_item(p, None, self.catalogue) if isinstance(p, ItemProblem) else refused_item(p)
                     for p in problems]
        settles: set[str] = set()
        suggestions: list[str] = []
        for problem in problems:
            if isinstance(problem, ItemProblem):
                suggestions += list(problem.suggestions)
                if problem.reason == "ambiguous":
                    settles.update(problem.suggestions)
                elif problem.product:
                    settles.add(problem.product)
            elif problem.reason in ("stock", "limit", "confirm"):
                settles.add(problem.product)
        question = questions.new_question(
            round_id=rnd.id if rnd else None, room_id=room_id, sender=sender, customer=customer, text=text,
            items=list(asked), at=self.now, note=note, entry_key=entry_key, settled_by=settles,
            suggestions=suggestions)
        self.session.add(question)
        return question

    def settle(self, rnd: Round, sender: str, products: Iterable[str]) -> None:
        """Questions of this sender that a clear order of these products answers."""
        questions.settle_ordered(self.session, rnd.id, sender, products, self.now)


def asked_item(problem: ItemProblem | Refusal, request: ItemRequest | None, catalogue: Catalogue) -> AskedItem:
    """What a question asks about an item the catalogue could not decide,
    with its options numbered in catalogue order (products) or the product's
    own order (specs)."""
    if isinstance(problem, Refusal):
        return refused_item(problem)
    quantity = request.quantity if request is not None else None
    options: tuple[str, ...] = ()
    if problem.reason in ("ambiguous", "missing_spec"):
        options = tuple(problem.suggestions)
    elif problem.reason == "unknown_product" and problem.suggestions:
        order = {p.name: i for i, p in enumerate(catalogue.products)}
        options = tuple(sorted(problem.suggestions[:3], key=lambda name: order.get(name, len(order))))
    sold_by = problem.suggestions[0] if problem.reason == "unit" and problem.suggestions else None
    return AskedItem(problem.reason, problem.text, options, problem.product,
                     request.spec if request is not None else None,
                     quantity.value if quantity is not None else None, quantity.unit if quantity else None,
                     sold_by=sold_by)


def refused_item(refusal: Refusal, spec: str | None = None, quantity: float | None = None) -> AskedItem:
    """An item understood but not taken (stock, limit, confirm, off sale, closed)."""
    return AskedItem(refusal.reason, refusal.text, (), refusal.product or None, spec, quantity,
                     refusal.unit or None, refusal.available)


def _stock_now(product: Product | ProductRow, left: float | None) -> None:
    """What the database says is left, without making the ORM write it back."""
    if isinstance(product, Product):
        set_committed_value(product, "stock", left)
    else:
        product.stock = left


def price_of(product: Product | ProductRow, spec: str | None) -> float:
    """The unit price of a product in a spec: the menu's price for that spec, if it gave one."""
    if spec is not None and product.spec_prices and product.specs and spec in product.specs:
        index = list(product.specs).index(spec)
        if index < len(product.spec_prices):
            return product.spec_prices[index]
    return product.price


def _describe(accepted: Sequence[tuple[Product, str | None, float]]) -> str:
    return "，".join(f"{p.name}{' ' + s if s else ''} {q:g}{p.unit}" for p, s, q in accepted)
