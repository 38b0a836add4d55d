"""Questions the bot asked (CONTRACT 3c), from asking to answer.

A question belongs to a sender and a round. It is `open` until its sender
answers it or orders the item clearly (`answered`), drops it with 算了
(`dropped`), or the merchant dismisses it with 忽略 (`dismissed`). Open
questions of a closed round stay open: they are the round's unresolved
entries. What was asked is kept item by item (`AskedItem`), each with the
options the question numbered, in the order it showed them, so an answer
by number means what the customer saw.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from storage.models import Question

OPEN, ANSWERED, DROPPED, DISMISSED = "open", "answered", "dropped", "dismissed"
STATES = (OPEN, ANSWERED, DROPPED, DISMISSED)
# Entries refused after 截单: listed as unresolved, but nothing the customer can answer.
REFUSED = "closed"


@dataclass(frozen=True)
class AskedItem:
    """One item a question asks about.

    `product` is set when the product is known (a missing spec, a unit, an
    amount over stock, limit or confirm_over); `options` are the products
    or specs offered, numbered from 1. `quantity`/`unit` are the amount as
    the entry wrote it (None: not written, one selling unit), or in the
    selling unit for confirm/stock/limit.
    """

    reason: str
    text: str
    options: tuple[str, ...] = ()
    product: str | None = None
    spec: str | None = None
    quantity: float | None = None
    unit: str | None = None
    available: float | None = None     # stock or limit left when asked (stock, limit)
    sold_by: str | None = None         # the product's selling unit (unit: 按斤卖)
    done: bool = False

    def to_json(self) -> dict:
        raw = asdict(self)
        raw["options"] = list(self.options)
        return raw

    @classmethod
    def from_json(cls, raw: dict) -> AskedItem:
        return cls(reason=raw["reason"], text=raw.get("text", ""), options=tuple(raw.get("options") or ()),
                   product=raw.get("product"), spec=raw.get("spec"), quantity=raw.get("quantity"),
                   unit=raw.get("unit"), available=raw.get("available"), sold_by=raw.get("sold_by"),
                   done=bool(raw.get("done")))


def asked(question: Question) -> list[AskedItem]:
    """The items a question asks about, in the order it asked them."""
    return [AskedItem.from_json(raw) for raw in question.items or ()]


def waiting(question: Question) -> list[AskedItem]:
    """Its items not answered yet."""
    return [item for item in asked(question) if not item.done]


def new_question(*, round_id: int | None, room_id: str, sender: str, customer: str, text: str,
                 items: Sequence[AskedItem], at: datetime, note: str = "", entry_key: str | None = None,
                 settled_by: Iterable[str] = (), suggestions: Sequence[str] = ()) -> Question:
    """A question about an entry; its reason is its first item's."""
    return Question(round_id=round_id, room_id=room_id, sender=sender, customer=customer, text=text,
                    reason=items[0].reason if items else "unclear", suggestions=list(suggestions)[:5],
                    settled_by=sorted(set(settled_by)), settled=False, created_at=at, state=OPEN,
                    items=[item.to_json() for item in items], note=note, entry_key=entry_key,
                    followed=False, retried=False)


# Statements built once: every 接龙 line that orders runs `_SETTLES` (settle_ordered),
# and building one costs more than running it on SQLite.
_SENDERS_OPEN = (Question.round_id == bindparam("round"), Question.sender == bindparam("sender"),
                 Question.state == OPEN, Question.settled.is_(False), Question.reason != REFUSED)
_OPEN_OF_SENDER = select(Question).where(*_SENDERS_OPEN).order_by(Question.id.desc())
# only what settling needs: columns, not Question objects (still ORM columns, so the
# session flushes a question asked earlier in this unit of work before it runs)
_SETTLES = select(Question.id, Question.settled_by).where(*_SENDERS_OPEN)
_SETTLE = (update(Question).where(Question.id.in_(bindparam("ids", expanding=True)))
           .values(state=ANSWERED, settled=True, settled_at=bindparam("at"))
           .execution_options(synchronize_session="fetch"))
_WAITING_IN_ROUND = (select(Question).where(Question.round_id == bindparam("round"), Question.state == OPEN,
                                            Question.settled.is_(False), Question.reason != REFUSED)
                     .order_by(Question.id))


def open_questions(session: Session, round_id: int, sender: str) -> list[Question]:
    """A sender's open questions in a round, the latest first (an answer goes
    to the latest question it fits)."""
    return list(session.scalars(_OPEN_OF_SENDER, {"round": round_id, "sender": sender}))


def waiting_in_round(session: Session, round_id: int) -> list[Question]:
    """The round's questions still waiting for an answer, oldest first, as
    the merchant's 待确认 numbers them (refused late entries are not waiting)."""
    return list(session.scalars(_WAITING_IN_ROUND, {"round": round_id}))


def item_done(question: Question, index: int, at: datetime) -> None:
    """One asked item is answered; the question is answered once all are."""
    items = asked(question)
    items[index] = replace(items[index], done=True)
    question.items = [item.to_json() for item in items]
    if all(item.done for item in items):
        settle(question, ANSWERED, at)


def settle(question: Question, state: str, at: datetime) -> None:
    """Close a question: answered, dropped or dismissed."""
    if state not in STATES or state == OPEN:
        raise ValueError(f"not a closing state: {state}")
    question.state = state
    question.settled = True
    question.settled_at = at


def settle_ordered(session: Session, round_id: int, sender: str, products: Iterable[str], at: datetime) -> int:
    """The sender ordered these products clearly: their open questions about
    them are answered. Returns how many were."""
    names = set(products)
    if not names:
        return 0
    ids = [row.id for row in session.execute(_SETTLES, {"round": round_id, "sender": sender})
           if names & set(row.settled_by or ()) or "*" in (row.settled_by or ())]
    if ids:
        session.execute(_SETTLE, {"ids": ids, "at": at})
    return len(ids)


def mark_followed(questions: Iterable[Question]) -> None:
    """Their sender has spoken since they were asked: 算了 or 嗯 no longer
    answers them (those answer only the message right after a question)."""
    for question in questions:
        question.followed = True


def asked_again(question: Question) -> None:
    """An answer that fitted nothing got the options once more; the next
    message is again the one right after the question."""
    question.retried = True
    question.followed = False
