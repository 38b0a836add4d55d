"""Merchants bound in chat (绑定 CODE) and the one-time codes that bind them.

The codes live in the database, not in one process: with two workers on one
PostgreSQL database either may receive the 绑定 message, and the conditional
UPDATE lets exactly one sender use a code, once.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import BindCode, Merchant

CODE_DIGITS = 8          # typed on a phone; one guess per message makes guessing hopeless


def merchant_ids(session: Session) -> frozenset[str]:
    return frozenset(session.scalars(select(Merchant.contact_id)))


def is_merchant(session: Session, contact_id: str) -> bool:
    return session.get(Merchant, contact_id) is not None


def pending_code(session: Session, now: datetime) -> str:
    """The unused code (made now if there is none): every start prints the same one until it is used."""
    code = session.scalars(select(BindCode.code).where(BindCode.used_by.is_(None))
                           .order_by(BindCode.created_at).limit(1)).first()
    if code is None:
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        session.add(BindCode(code=code, created_at=now))
        session.flush()
    return code


def redeem(session: Session, code: str, contact_id: str, name: str, now: datetime) -> bool:
    """Bind `contact_id` as a merchant with `code`; False when the code is unknown or used."""
    code = "".join(code.split())
    used = session.execute(update(BindCode)
                           .where(BindCode.code == code, BindCode.used_by.is_(None))
                           .values(used_by=contact_id, used_at=now)).rowcount
    if used != 1:
        return False
    if session.get(Merchant, contact_id) is None:
        session.add(Merchant(contact_id=contact_id, name=name, bound_at=now))
    return True


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Merchant)) or 0
