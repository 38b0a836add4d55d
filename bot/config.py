"""Reading CONFIG.toml into typed settings.

Every problem is reported as one `ConfigError` line naming the file and,
where TOML tells us, the line: a merchant editing the file by hand must see
what to fix, never a traceback.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsers.catalogue import ProductInfo
from parsers.deadline import parse_time_expression


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
    if schedule.deadline and parse_time_expression(schedule.deadline, datetime.now(tz)) is None:
        raise ConfigError(f"{source}: [schedule] deadline {schedule.deadline!r} is not a time "
                          "(e.g. \"周五20:00\")")
    if schedule.remind_before_minutes < 0:
        raise ConfigError(f"{source}: [schedule] remind_before_minutes cannot be negative")
    return tz


def _where(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    match = re.search(r"at line (\d+)", str(exc))
    line = f":{match.group(1)}" if match else ""
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    return f"{path}{line}: {message}"


def _table(raw: dict, key: str, path: Path) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{key}] must be a table")
    return value


def _product(raw: object, index: int, path: Path) -> ProductInfo:
    where = f"{path}: products[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table ([[products]])")
    name = str(raw.get("name", "")).strip()
    if not name:
        raise ConfigError(f"{where} has no name")
    try:
        price = float(raw.get("price", 0))
        stock = raw.get("stock")
        limit = raw.get("limit")
        stock = None if stock is None else float(stock)
        limit = None if limit is None else float(limit)
        confirm_over = float(raw.get("confirm_over", 50))
    except (TypeError, ValueError):
        raise ConfigError(f"{where} ({name}): price, stock, limit and confirm_over must be numbers") from None
    if price < 0 or (stock is not None and stock < 0) or (limit is not None and limit <= 0):
        raise ConfigError(f"{where} ({name}): price and stock cannot be negative, limit must be positive")
    if confirm_over <= 0:
        raise ConfigError(f"{where} ({name}): confirm_over must be positive")
    default = raw.get("default", False)
    if not isinstance(default, bool):
        raise ConfigError(f"{where} ({name}): default must be true or false")
    aliases = raw.get("aliases", [])
    specs = raw.get("specs", [])
    if not isinstance(aliases, list) or not isinstance(specs, list):
        raise ConfigError(f"{where} ({name}): aliases and specs must be lists")
    return ProductInfo(
        name=name,
        aliases=tuple(str(a).strip() for a in aliases if str(a).strip()),
        price=price,
        unit=str(raw.get("unit", "份")).strip() or "份",
        stock=stock,
        limit=limit,
        specs=tuple(str(s).strip() for s in specs if str(s).strip()),
        default=default,
        confirm_over=confirm_over,
    )


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

    bot = _table(raw, "bot", path)
    admins = bot.get("admins", [])
    if not isinstance(admins, list):
        raise ConfigError(f"{path}: [bot] admins must be a list of contact ids")
    products_raw = raw.get("products", [])
    if not isinstance(products_raw, list):
        raise ConfigError(f"{path}: products must be an array of tables ([[products]])")
    products = tuple(_product(p, i, path) for i, p in enumerate(products_raw))
    names = [p.name for p in products]
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        raise ConfigError(f"{path}: product name used twice: {', '.join(sorted(duplicated))}")
    defaults = [p.name for p in products if p.default]
    if len(defaults) > 1:
        raise ConfigError(f"{path}: only one product can be the default (set meal): {', '.join(defaults)}")

    storage = _table(raw, "storage", path)
    wechaty = _table(raw, "wechaty", path)
    schedule = _table(raw, "schedule", path)
    delivery = _table(raw, "delivery", path)
    try:
        config = Config(
            bot_id=str(bot.get("id", "bot")),
            bot_name=str(bot.get("name", "小龙")),
            admins=frozenset(str(a) for a in admins),
            products=products,
            database_url=str(storage.get("url", "")),
            files_dir=str(storage.get("files_dir", "")),
            transport=str(bot.get("transport", "console")),
            pickup_points=tuple(str(p) for p in delivery.get("pickup_points", [])),
            wechaty=WechatyConfig(
                endpoint=str(wechaty.get("endpoint", "")),
                token=str(wechaty.get("token", "")),
                rooms=tuple(str(r) for r in wechaty.get("rooms", [])),
                allow_private=bool(wechaty.get("allow_private", False)),
            ),
            schedule=ScheduleConfig(
                timezone=str(schedule.get("timezone", "Asia/Shanghai")),
                deadline=str(schedule.get("deadline", "")),
                remind_before_minutes=int(schedule.get("remind_before_minutes", 30)),
                unpaid_reminders=tuple(str(t) for t in schedule.get("unpaid_reminders", [])),
                daily_summary=str(schedule.get("daily_summary", "")),
            ),
            source=str(path),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    check_schedule(config.schedule, str(path))
    return config
