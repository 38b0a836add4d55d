"""Reading CONFIG.toml into typed settings.

Every problem is reported as one `ConfigError` line naming the file and,
where TOML tells us, the line, or the table and key (with the closest known
key for a misspelt one): a merchant editing the file
by hand must see what to fix, never a traceback or a setting silently ignored.
The file's shape is checked by pydantic models that forbid unknown keys.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
# the closest known key instead of a setting silently ignored; `describe()`
# turns pydantic's first error into that one line.

# A number, not text or true/false (TOML has numbers; "35" or true is a typo).
Number = Annotated[float, Field(strict=True)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class BotTable(_Table):
    id: str = "bot"
    name: str = "小龙"
    admins: list[str] = []
    transport: Literal["console", "wechaty"] = "console"


class ProductTable(_Table):
    name: str
    price: Number = Field(ge=0)          # required: a product without a price must not sell at 0 元
    unit: str = "份"
    aliases: list[str] = []
    specs: list[str] = []
    stock: Number | None = Field(default=None, ge=0)
    limit: Number | None = Field(default=None, gt=0)
    default: bool = False               # a line naming no product orders this one (a set meal)
    confirm_over: Number = Field(default=50.0, gt=0)   # more units than this in one item are confirmed first

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a product needs a name")
        return value.strip()


class StorageTable(_Table):
    url: str = ""
    files_dir: str = ""


class WechatyTable(_Table):
    endpoint: str = ""
    token: str = ""
    rooms: list[str] = []
    allow_private: bool = False


class ScheduleTable(_Table):
    timezone: str = "Asia/Shanghai"
    deadline: str = ""
    remind_before_minutes: int = Field(default=30, ge=0)
    unpaid_reminders: list[str] = []
    daily_summary: str = ""


class DeliveryTable(_Table):
    pickup_points: list[str] = []


class WebTable(_Table):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    base_url: str = ""
    secret_key: str = ""

    @field_validator("base_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with https:// (or http://)")
        return value


class ConfigFile(_Table):
    bot: BotTable = BotTable()
    products: list[ProductTable] = []
    storage: StorageTable = StorageTable()
    wechaty: WechatyTable = WechatyTable()
    schedule: ScheduleTable = ScheduleTable()
    delivery: DeliveryTable = DeliveryTable()
    web: WebTable = WebTable()


_TYPES = {
    "string_type": "text in quotes",
    "float_parsing": "a number", "float_type": "a number",
    "int_parsing": "a whole number", "int_type": "a whole number", "int_from_float": "a whole number",
    "bool_parsing": "true or false", "bool_type": "true or false",
    "list_type": "a list like [\"a\", \"b\"]",
    "model_type": "a table", "model_attributes_type": "a table",
    "literal_error": None,
}


def _model_at(loc: tuple) -> type[BaseModel]:
    """The model whose field the error's location ends in."""
    model: Any = ConfigFile
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = getattr(annotation, "__args__", (annotation,))[0] if part == "products" else annotation
    return model


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
    for table, field in ConfigFile.model_fields.items():
        model = field.annotation
        if table == "products":
            model = ProductTable
        if key in getattr(model, "model_fields", {}):
            return "[[products]]" if table == "products" else f"[{table}]"
    return None


def describe(error: ValidationError, raw: dict) -> str:
    """pydantic's first error as one line, without the file name."""
    first = error.errors()[0]
    loc, kind = tuple(first["loc"]), first["type"]
    value = first.get("input")
    if loc[:1] == ("products",) and len(loc) == 2 and kind in ("model_type", "model_attributes_type"):
        return "products must be tables written [[products]]"
    # the key the error is about, and the position in a list if it is about one item
    item = next((p for p in reversed(loc) if isinstance(p, int)), None) if loc[-1:] and isinstance(loc[-1], int) else None
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
    if kind == "extra_forbidden":
        if len(loc) == 1:
            known = list(ConfigFile.model_fields)
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
        known = list(_model_at(loc).model_fields)
        close = _closest(key, known)
        hint = f'; did you mean "{close}"?' if close else f" (keys: {', '.join(known)})"
        return f"unknown key \"{key}\" in {where}{hint}"
    label = where if len(loc) == 1 else f"{where} {key}" + (f"[{item}]" if item is not None else "")
    if kind == "missing":
        if key == "price":
            return f"{where} has no price (write e.g. price = 12.5: a product is never sold at 0 元)"
        return f"{where} has no {key}"
    if kind in ("greater_than_equal", "greater_than"):
        bound = first["ctx"].get("ge", first["ctx"].get("gt"))
        return f"{label} is {value!r}: it must be {'at least' if kind == 'greater_than_equal' else 'more than'} {bound:g}"
    if kind == "literal_error":
        return f"{label} must be {first['ctx']['expected']}, not {value!r}"
    if kind in ("value_error", "assertion_error"):
        return f"{label}: {first['msg'].removeprefix('Value error, ')}"
    wanted = _TYPES.get(kind) or first["msg"].lower()
    return f"{label} must be {wanted}, not {value!r}"


def _where(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    match = re.search(r"at line (\d+)", str(exc))
    line = f":{match.group(1)}" if match else ""
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    return f"{path}{line}: {message}"


def load_config(path: str | Path) -> Config:
    """Read and check a config file; raise ConfigError with a one-line reason."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_where(path, exc)) from None

    try:
        checked = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe(exc, raw)}") from None
    names = [p.name for p in checked.products]
    duplicated = {n for n, count in Counter(names).items() if count > 1}
    if duplicated:
        raise ConfigError(f"{path}: product name used twice: {', '.join(sorted(duplicated))}")
    defaults = [p.name for p in checked.products if p.default]
    if len(defaults) > 1:
        raise ConfigError(f"{path}: only one product can be the default (set meal): {', '.join(defaults)}")
    bot, wechaty, schedule = checked.bot, checked.wechaty, checked.schedule
    config = Config(
        bot_id=bot.id,
        bot_name=bot.name,
        admins=frozenset(bot.admins),
        products=tuple(_product(p) for p in checked.products),
        database_url=checked.storage.url,
        files_dir=checked.storage.files_dir,
        transport=bot.transport,
        pickup_points=tuple(checked.delivery.pickup_points),
        wechaty=WechatyConfig(endpoint=wechaty.endpoint, token=wechaty.token, rooms=tuple(wechaty.rooms),
                              allow_private=wechaty.allow_private),
        schedule=ScheduleConfig(timezone=schedule.timezone, deadline=schedule.deadline,
                                remind_before_minutes=schedule.remind_before_minutes,
                                unpaid_reminders=tuple(schedule.unpaid_reminders),
                                daily_summary=schedule.daily_summary),
        web=WebConfig(enabled=checked.web.enabled, host=checked.web.host, port=checked.web.port,
                      base_url=checked.web.base_url, secret_key=checked.web.secret_key),
        source=str(path),
    )
    check_schedule(config.schedule, str(path))
    return config


def _product(table: ProductTable) -> ProductInfo:
    return ProductInfo(
        name=table.name,
        aliases=tuple(a.strip() for a in table.aliases if a.strip()),
        price=table.price,
        unit=table.unit.strip() or "份",
        stock=table.stock,
        limit=table.limit,
        specs=tuple(s.strip() for s in table.specs if s.strip()),
        default=table.default,
        confirm_over=table.confirm_over,
    )
