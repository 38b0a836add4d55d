"""One-time login links to the merchant's web page, and the key that signs its cookies.

A link carries a random token; only the token's SHA-256 is stored, so the
database alone cannot be turned into a working link. Redeeming is one
conditional UPDATE (`used_at IS NULL`), so a link works once even when two
requests race for it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import LoginLink, Setting

LINKS, SETTINGS = LoginLink.__table__, Setting.__table__
SECRET_KEY = "web_secret"
LINK_TTL = timedelta(minutes=10)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive values; they were written in UTC
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def issue(connection: Connection, admin: str, now: datetime, ttl: timedelta = LINK_TTL) -> str:
    """A new token for `admin`, valid once until now + ttl; links long expired are dropped."""
    now = _utc(now)
    token = secrets.token_urlsafe(24)
    connection.execute(delete(LINKS).where(LINKS.c.expires_at < now - timedelta(days=1)))
    connection.execute(insert(LINKS).values(token_hash=_hash(token), admin=admin, created_at=now,
                                            expires_at=now + ttl, used_at=None))
    return token


def redeem(connection: Connection, token: str, now: datetime) -> str | None:
    """The admin a token was issued to, if it is unused and unexpired; it is used up either way."""
    now = _utc(now)
    row = connection.execute(select(LINKS.c.admin, LINKS.c.expires_at, LINKS.c.used_at)
                             .where(LINKS.c.token_hash == _hash(token))).first()
    if row is None or row.used_at is not None or _utc(row.expires_at) < now:
        return None
    taken = connection.execute(update(LINKS).where(LINKS.c.token_hash == _hash(token),
                                                   LINKS.c.used_at.is_(None)).values(used_at=now))
    return row.admin if taken.rowcount == 1 else None


def secret(connection: Connection) -> str:
    """The key that signs the web page's cookies: made once and kept, so sessions
    survive restarts; two processes starting at once agree on the first one written."""
    found = connection.execute(select(SETTINGS.c.value).where(SETTINGS.c.key == SECRET_KEY)).scalar()
    if found:
        return found
    value = secrets.token_urlsafe(32)
    try:
        with connection.begin_nested():
            connection.execute(insert(SETTINGS).values(key=SECRET_KEY, value=value))
    except IntegrityError:
        return connection.execute(select(SETTINGS.c.value).where(SETTINGS.c.key == SECRET_KEY)).scalar_one()
    return value
