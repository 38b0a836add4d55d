"""Engine set-up and the unit of work: one transaction per incoming message."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage import product_revisions, schema

DEFAULT_URL = "sqlite:///jielong.db"
CONNECT_TIMEOUT = 5         # seconds; an unreachable server is reported, not waited on for minutes

# What to install for a dialect whose driver is missing (SQLAlchemy names the module only).
_DRIVERS = {
    "postgresql": "pip install 'psycopg[binary]' and use postgresql+psycopg://",
    "mysql": "pip install pymysql and use mysql+pymysql://",
    "mariadb": "pip install pymysql and use mariadb+pymysql://",
}


# JSON columns: the empty list (most products' aliases, specs and spec prices) is written and
# read without the encoder and decoder; a 10,000-product shop seeds and reads 30,000 of them.
def _json_dumps(value) -> str:
    return "[]" if isinstance(value, list) and not value else json.dumps(value)


def _json_loads(text: str):
    return [] if text == "[]" else json.loads(text)


class UnusableDatabase(Exception):
    """A database URL that cannot be used; str() is one line naming it (password hidden) and why."""


def safe_url(url: str | URL) -> str:
    """The URL as it can be shown in a log or an error: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", str(url))


def cause_of(exc: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's wrapping."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split("\n")[0].split())
    return text or type(orig).__name__


def parse_url(url: str) -> URL:
    """A checked SQLAlchemy URL: it parses, and a SQLite file's folder exists.

    A missing folder is an error rather than created on the spot: a typo in
    the path would otherwise start an empty order book somewhere unexpected.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise UnusableDatabase(f"database URL {safe_url(url)!r} is not a database URL "
                               "(e.g. sqlite:///orders.db or postgresql+psycopg://user:password@host/db)") from exc
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            folder = Path(path).expanduser().resolve().parent
            if not folder.is_dir():
                raise UnusableDatabase(f"database URL {safe_url(parsed)!r}: the folder {folder} does not exist "
                                       "(create it first, or fix the path)")
    return parsed


def _connect_args(url: URL) -> dict:
    backend = url.get_backend_name()
    if backend in ("postgresql", "mysql", "mariadb") and "connect_timeout" not in url.query:
        return {"connect_timeout": CONNECT_TIMEOUT}
    return {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a second process read while one writes; NORMAL is durable
    # across application crashes (the WAL is fsynced at checkpoints).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """A SQLAlchemy engine plus sessions; any SQLAlchemy URL works."""

    def __init__(self, url: str | None = None, *, create: bool = True) -> None:
        """Raises UnusableDatabase (one line) for a URL that does not parse, a
        missing driver or SQLite folder, or (with `create`) a server that
        cannot be reached within CONNECT_TIMEOUT."""
        self.url = url or DEFAULT_URL
        parsed = parse_url(self.url)
        try:
            self.engine: Engine = create_engine(parsed, future=True, connect_args=_connect_args(parsed),
                                                json_serializer=_json_dumps, json_deserializer=_json_loads)
        except NoSuchModuleError:
            raise UnusableDatabase(f"database URL {safe_url(parsed)!r}: SQLAlchemy knows no database "
                                   f"{parsed.drivername!r} (use sqlite:/// or postgresql+psycopg://)") from None
        except ImportError as exc:
            hint = _DRIVERS.get(parsed.get_backend_name(), "install its Python driver")
            raise UnusableDatabase(f"database URL {safe_url(parsed)!r}: its driver is not installed "
                                   f"(no module {exc.name or exc}): {hint}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # every product change moves its catalogue's stamp (storage/product_revisions.py)
        event.listen(self._sessions, "before_flush", product_revisions.note_product_changes)
        if create:
            try:
                schema.prepare(self.engine)     # new: create; older: migrate (storage/migrations)
            except SQLAlchemyError as exc:
                self.engine.dispose()
                raise UnusableDatabase(f"database {safe_url(parsed)!r} cannot be used: {cause_of(exc)}") from None

    @property
    def safe_url(self) -> str:
        return safe_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A Core connection in one transaction, for the hot statements that
        need no ORM (storage/outbox.py): committed on success, rolled back on error."""
        with self.engine.begin() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
