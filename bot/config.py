"""Reading CONFIG.toml into typed settings.

Every problem is reported as one `ConfigError` line naming the file and,
where TOML tells us, the line, or the table and key (with the closest known
key for a misspelt one): a merchant editing the file
by hand must see what to fix, never a traceback or a setting silently ignored.
The file's shape is checked by plain tables of keys that forbid unknown ones.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import rtoml

from parsers.catalogue import ProductInfo


class ConfigError(Exception):
    """A config file that cannot be used; str() is one line for the user."""


@dataclass(frozen=True)
class WechatyConfig:
    endpoint: str = ""
    token: str = ""
    rooms: tuple[str, ...] = ()          # room ids or names to serve; empty = all rooms
    allow_private: bool = False          # answer private chats (我的订单) too


@dataclass(frozen=True)
class ScheduleConfig:
    timezone: str = "Asia/Shanghai"
    deadline: str = ""                   # e.g. "周五20:00"; empty = none unless a round says so
    remind_before_minutes: int = 30      # 0 disables the pre-deadline reminder
    unpaid_reminders: tuple[str, ...] = ()   # times after the cut-off, "HH:MM"
    daily_summary: str = ""              # "HH:MM"; empty disables


@dataclass(frozen=True)
class WebConfig:
    """The merchant's web page (bot/web/): served by `jielong web`, or inside `jielong run` when enabled."""

    enabled: bool = False
    host: str = "127.0.0.1"              # put HTTPS in front (docs/web.md); never bind 0.0.0.0 bare
    port: int = 8080
    base_url: str = ""                   # how phones reach it, e.g. https://tuan.example.com
    secret_key: str = ""                 # signs session cookies; "" = one kept in the database


@dataclass(frozen=True)
class Config:
    bot_id: str = "bot"
    bot_name: str = "小龙"
    admins: frozenset[str] = frozenset()
    products: tuple[ProductInfo, ...] = ()
    database_url: str = ""
    files_dir: str = ""                  # exports and charts; "" = $JIELONG_FILES_DIR or the temp folder
    transport: str = "console"
    pickup_points: tuple[str, ...] = ()
    wechaty: WechatyConfig = field(default_factory=WechatyConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    web: WebConfig = field(default_factory=WebConfig)
    source: str = ""


_HHMM = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def parse_hhmm(value: str) -> tuple[int, int] | None:
    """"21:00" -> (21, 0); None when it is not a time of day."""
    match = _HHMM.match(value.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def check_schedule(schedule: ScheduleConfig, source: str = "config") -> ZoneInfo:
    """The [schedule] timezone; ConfigError (one line) for any setting that cannot be used."""
    try:
        tz = ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{source}: [schedule] timezone {schedule.timezone!r} is not a known "
                          "timezone (e.g. Asia/Shanghai)") from None
    for label, value in [("daily_summary", schedule.daily_summary)] + \
            [("unpaid_reminders", t) for t in schedule.unpaid_reminders]:
        if value and parse_hhmm(value) is None:
            raise ConfigError(f"{source}: [schedule] {label} {value!r} must be a time like \"21:00\"")
    if schedule.deadline:
        # the deadline grammar only when a deadline is configured: `jielong parse` never needs it
        from parsers.deadline import parse_time_expression

        if parse_time_expression(schedule.deadline, datetime.now(tz)) is None:
            raise ConfigError(f"{source}: [schedule] deadline {schedule.deadline!r} is not a time "
                              "(e.g. \"周五20:00\")")
    if schedule.remind_before_minutes < 0:
        raise ConfigError(f"{source}: [schedule] remind_before_minutes cannot be negative")
    return tz


# -- the file's shape ----------------------------------------------------------
# Every table forbids keys it does not know, so a misspelt key (`admin` for
# `admins`, `[[product]]` for `[[products]]`) is an error naming the table and
# the closest known key instead of a setting silently ignored. The shape is a
# few plain tables checked by `_check_table` below rather than a validation
# library: pydantic cost ~0.1 s of every command's start-up, more than the rest
# of the config, and the first error is all a merchant needs, as one line.
# Types are strict: TOML has numbers and true/false, so `port = "80"` or
# `enabled = "true"` is a typo to report, not text to convert; the one lenience
# is a number where text is wanted (`admins = [12345]`, `name = 5`), kept as text.

_REQUIRED: Any = object()


@dataclass(frozen=True)
class _Key:
    kind: str                       # text, texts (a list of text), bool, int, number, or choice
    default: Any = _REQUIRED
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    choices: tuple[str, ...] = ()


def _product_name(value: str) -> str:
    if not value.strip():
        raise ValueError("a product needs a name")
    return value.strip()


def _web_address(value: str) -> str:
    value = value.strip()
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("base_url must start with https:// (or http://)")
    return value


_TABLES: dict[str, dict[str, _Key]] = {
    "bot": {
        "id": _Key("text", "bot"),
        "name": _Key("text", "小龙"),
        "admins": _Key("texts", ()),
        "transport": _Key("choice", "console", choices=("console", "wechaty")),
    },
    "products": {
        "name": _Key("text"),
        "price": _Key("number", ge=0),       # required: a product without a price must not sell at 0 元
        "unit": _Key("text", "份"),
        "aliases": _Key("texts", ()),
        "specs": _Key("texts", ()),
        "stock": _Key("number", None, ge=0),
        "limit": _Key("number", None, gt=0),
        "default": _Key("bool", False),      # a line naming no product orders this one (a set meal)
        "confirm_over": _Key("number", 50.0, gt=0),   # more units than this in one item are confirmed first
    },
    "storage": {"url": _Key("text", ""), "files_dir": _Key("text", "")},
    "wechaty": {
        "endpoint": _Key("text", ""),
        "token": _Key("text", ""),
        "rooms": _Key("texts", ()),
        "allow_private": _Key("bool", False),
    },
    "schedule": {
        "timezone": _Key("text", "Asia/Shanghai"),
        "deadline": _Key("text", ""),
        "remind_before_minutes": _Key("int", 30, ge=0),
        "unpaid_reminders": _Key("texts", ()),
        "daily_summary": _Key("text", ""),
    },
    "delivery": {"pickup_points": _Key("texts", ())},
    "web": {
        "enabled": _Key("bool", False),
        "host": _Key("text", "127.0.0.1"),
        "port": _Key("int", 8080, ge=1, le=65535),
        "base_url": _Key("text", ""),
        "secret_key": _Key("text", ""),
    },
}
_AFTER = {("products", "name"): _product_name, ("web", "base_url"): _web_address}


class _Invalid(Exception):
    """The first thing wrong in the file: where (table, item, key), what kind of error, the value."""

    def __init__(self, loc: tuple, kind: str, value: Any = None, **ctx: Any) -> None:
        super().__init__(kind)
        self.loc, self.kind, self.value, self.ctx = loc, kind, value, ctx


_TYPES = {
    "text": "text in quotes", "number": "a number", "int": "a whole number", "bool": "true or false",
    "texts": "a list like [\"a\", \"b\"]", "table": "a table",
}


def _text(value: Any, loc: tuple) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _Invalid(loc, "text", value)


def _value(key: _Key, value: Any, loc: tuple) -> Any:
    if key.kind == "text":
        return _text(value, loc)
    if key.kind == "texts":
        if not isinstance(value, list):
            raise _Invalid(loc, "texts", value)
        return tuple(_text(item, loc + (i,)) for i, item in enumerate(value))
    if key.kind == "choice":
        if value not in key.choices:
            raise _Invalid(loc, "choice", value, expected=" or ".join(repr(c) for c in key.choices))
        return value
    if key.kind == "bool":
        if not isinstance(value, bool):
            raise _Invalid(loc, "bool", value)
        return value
    whole = key.kind == "int"
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        raise _Invalid(loc, key.kind, value)
    # `not (x >= bound)` rather than `x < bound`: nan is out of every bound
    if key.ge is not None and not value >= key.ge:
        raise _Invalid(loc, "ge", value, bound=key.ge)
    if key.gt is not None and not value > key.gt:
        raise _Invalid(loc, "gt", value, bound=key.gt)
    if key.le is not None and not value <= key.le:
        raise _Invalid(loc, "le", value, bound=key.le)
    return value if whole else float(value)


def _check_table(name: str, table: Any, loc: tuple) -> dict[str, Any]:
    """A table's values by key, defaults filled in; _Invalid for the first problem, keys in order."""
    if not isinstance(table, dict):
        raise _Invalid(loc, "table", table)
    keys = _TABLES[name]
    checked = {}
    present = 0
    for key, spec in keys.items():
        if key not in table:
            if spec.default is _REQUIRED:
                raise _Invalid(loc + (key,), "missing")
            checked[key] = spec.default
            continue
        present += 1
        value = table[key]
        # plain text, the commonest value, checked inline (a shop's 10,000 products)
        checked[key] = value if spec.kind == "text" and type(value) is str else _value(spec, value, loc + (key,))
        after = _AFTER.get((name, key))
        if after is not None:
            try:
                checked[key] = after(checked[key])
            except ValueError as exc:
                raise _Invalid(loc + (key,), "value", table[key], msg=str(exc)) from None
    if present != len(table):        # only then is a key unknown
        for key, value in table.items():
            if key not in keys:
                raise _Invalid(loc + (key,), "extra", value)
    return checked


def _check_file(raw: dict) -> dict[str, Any]:
    """{table: checked values}, "products" a list of them; _Invalid for the first problem."""
    checked: dict[str, Any] = {}
    for table in _TABLES:
        if table != "products":
            checked[table] = _check_table(table, raw.get(table, {}), (table,))
            continue
        items = raw.get("products", [])
        if not isinstance(items, list):
            raise _Invalid(("products",), "texts", items)
        checked["products"] = [_check_table("products", item, ("products", i)) for i, item in enumerate(items)]
    for key, value in raw.items():
        if key not in _TABLES:
            raise _Invalid((key,), "extra", value)
    return checked


def _table_name(loc: tuple) -> str:
    """("products", 2, "price") -> "[[products]] #3"; ("bot", "admins") -> "[bot]"."""
    if loc and loc[0] == "products" and len(loc) > 1 and isinstance(loc[1], int):
        return f"[[products]] #{loc[1] + 1}"
    return f"[{loc[0]}]" if loc else "the top level"


def _closest(word: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return close[0] if close else None


def _home_of(key: str) -> str | None:
    """The table that has a key of this name, for a key written outside it."""
    for table, keys in _TABLES.items():
        if key in keys:
            return "[[products]]" if table == "products" else f"[{table}]"
    return None


def describe(error: _Invalid, raw: dict) -> str:
    """The first problem as one line, without the file name."""
    loc, kind, value = error.loc, error.kind, error.value
    if loc[:1] == ("products",) and len(loc) == 2 and kind == "table":
        return "products must be tables written [[products]]"
    # the key the error is about, and the position in a list if it is about one item
    item = loc[-1] if len(loc) > 1 and isinstance(loc[-1], int) else None
    names = [p for p in loc if isinstance(p, str)]
    key = names[-1] if names else ""
    where = _table_name(loc)
    if loc and loc[0] == "products" and len(loc) > 2:
        try:
            name = raw["products"][loc[1]].get("name")
        except (AttributeError, IndexError, KeyError, TypeError):
            name = None
        if isinstance(name, str) and name.strip():
            where += f" ({name.strip()})"
    if kind == "extra":
        known = list(_TABLES)
        if len(loc) == 1:
            shown = f"[[{key}]]" if isinstance(value, list) and value and isinstance(value[0], dict) else \
                f"[{key}]" if isinstance(value, dict) else None
            if shown is None:
                home = _home_of(key)
                return f"unknown key \"{key}\" at the top level" + \
                    (f"; it belongs in {home}" if home else f" (tables: {', '.join(f'[{k}]' for k in known)})")
            close = _closest(key, known)
            if close:
                return f"unknown table {shown}; did you mean {'[[products]]' if close == 'products' else f'[{close}]'}?"
            return f"unknown table {shown} (tables: {', '.join(f'[{k}]' for k in known)})"
        known = list(_TABLES[loc[0]])
        close = _closest(key, known)
        hint = f'; did you mean "{close}"?' if close else f" (keys: {', '.join(known)})"
        return f"unknown key \"{key}\" in {where}{hint}"
    label = where if len(loc) == 1 else f"{where} {key}" + (f"[{item}]" if item is not None else "")
    if kind == "missing":
        if key == "price":
            return f"{where} has no price (write e.g. price = 12.5: a product is never sold at 0 元)"
        return f"{where} has no {key}"
    if kind in ("ge", "gt", "le"):
        bound = {"ge": "at least", "gt": "more than", "le": "at most"}[kind]
        return f"{label} is {value!r}: it must be {bound} {error.ctx['bound']:g}"
    if kind == "choice":
        return f"{label} must be {error.ctx['expected']}, not {value!r}"
    if kind == "value":
        return f"{label}: {error.ctx['msg']}"
    return f"{label} must be {_TYPES[kind]}, not {value!r}"


def _where(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    match = re.search(r"at line (\d+)", str(exc))
    line = f":{match.group(1)}" if match else ""
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    return f"{path}{line}: {message}"


def _tomllib_loads(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_where(path, exc)) from None


def load_config(path: str | Path) -> Config:
    """Read and check a config file; raise ConfigError with a one-line reason."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    # rtoml (Rust) reads a 10,000-product file in a tenth of tomllib's time; tomllib stays the reference:
    # anything rtoml refuses is read again by tomllib, which either accepts it or gives today's message.
    try:
        raw = rtoml.loads(text)
    except ValueError:      # rtoml.TomlParsingError is one; any text rtoml cannot take goes to tomllib
        raw = _tomllib_loads(path, text)

    try:
        checked = _check_file(raw)
    except _Invalid:
        # the message quotes the value as tomllib reads it (its datetimes' repr differs from rtoml's)
        raw = _tomllib_loads(path, text)
        try:
            checked = _check_file(raw)
        except _Invalid as exc:
            raise ConfigError(f"{path}: {describe(exc, raw)}") from None
    products = checked["products"]
    names = [p["name"] for p in products]
    duplicated = {n for n, count in Counter(names).items() if count > 1}
    if duplicated:
        raise ConfigError(f"{path}: product name used twice: {', '.join(sorted(duplicated))}")
    defaults = [p["name"] for p in products if p["default"]]
    if len(defaults) > 1:
        raise ConfigError(f"{path}: only one product can be the default (set meal): {', '.join(defaults)}")
    bot, storage, web = checked["bot"], checked["storage"], checked["web"]
    config = Config(
        bot_id=bot["id"],
        bot_name=bot["name"],
        admins=frozenset(bot["admins"]),
        products=tuple(_product(p) for p in products),
        database_url=storage["url"],
        files_dir=storage["files_dir"],
        transport=bot["transport"],
        pickup_points=checked["delivery"]["pickup_points"],
        wechaty=WechatyConfig(**checked["wechaty"]),
        schedule=ScheduleConfig(**checked["schedule"]),
        web=WebConfig(**web),
        source=str(path),
    )
    check_schedule(config.schedule, str(path))
    return config


def _product(table: dict[str, Any]) -> ProductInfo:
    return ProductInfo(
        name=table["name"],
        aliases=tuple(a.strip() for a in table["aliases"] if a.strip()) if table["aliases"] else (),
        price=table["price"],
        unit=table["unit"].strip() or "份",
        stock=table["stock"],
        limit=table["limit"],
        specs=tuple(s.strip() for s in table["specs"] if s.strip()) if table["specs"] else (),
        default=table["default"],
        confirm_over=table["confirm_over"],
    )
