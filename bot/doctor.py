"""`jielong doctor`: is this deployment ready? One line per check.

Checks the config, the database (reachable, schema current), the puppet
service (reachable, token accepted), the CJK font for charts and the
timezone. Each finding is one line: what is fine, or what is wrong and how
to fix it. Nothing is changed: the database is only read (a missing SQLite
file is not created), the puppet service is only asked its version.
"""
from __future__ import annotations

import asyncio
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Config, ConfigError, load_config
from bot.merchant.charts import cjk_font
from storage import schema
from storage.database import DEFAULT_URL, Database, UnusableDatabase, cause_of, parse_url, safe_url
from storage.migrations import HEAD

PUPPET_TIMEOUT = 5.0      # seconds for the puppet service to answer


@dataclass(frozen=True)
class Finding:
    check: str            # config | database | puppet | font | timezone
    ok: bool | None       # None: not checked (what it needs failed already)
    text: str             # what was found; for a fault, what is wrong and how to fix it

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL" if self.ok is False else "--  "
        return f"{mark} {self.check:<9} {self.text}"


def diagnose(config_path: str, db_url: str | None = None) -> list[Finding]:
    config: Config | None = None
    try:
        config = load_config(config_path)
        findings = [Finding("config", True, _config_summary(config))]
    except ConfigError as exc:
        findings = [Finding("config", False, str(exc))]
    findings.append(check_database(db_url or (config.database_url if config else None), config is not None))
    findings.append(check_puppet(config))
    findings.append(check_font())
    findings.append(check_timezone(config, config_path))
    return findings


def _config_summary(config: Config) -> str:
    admins = f"{len(config.admins)} admin(s)" if config.admins else \
        "no admins configured: `jielong run` prints a code to bind the merchant (绑定 CODE)"
    products = f"{len(config.products)} product(s)" if config.products else "products come from the 接龙 posts"
    return f"{config.source}: transport {config.transport}, {products}, {admins}"


def check_database(url: str | None, config_loaded: bool = True) -> Finding:
    if url is None and not config_loaded:
        return Finding("database", None, "not checked: the config does not load (or give --db URL)")
    url = url or DEFAULT_URL
    shown = safe_url(url)
    try:
        parsed = parse_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
                and not Path(parsed.database).expanduser().exists():
            return Finding("database", True, f"{shown}: no file yet; it is created at the first start")
        db = Database(url, create=False)
    except UnusableDatabase as exc:
        return Finding("database", False, f"{exc}; fix [storage] url or --db")
    try:
        at = schema.revision(db.engine)
    except SQLAlchemyError as exc:
        return Finding("database", False, f"{shown} cannot be reached: {cause_of(exc)}; "
                                          "is the server running, and are host, port, user and password right?")
    finally:
        db.dispose()
    if at == HEAD:
        return Finding("database", True, f"{shown}: reachable, schema up to date (revision {HEAD})")
    if at == "":
        return Finding("database", True, f"{shown}: reachable and empty; the tables are made at the first start")
    if at is None or at in schema.known_revisions():
        return Finding("database", False, f"{shown}: schema at revision {at or 'from before migrations'}, "
                                          f"this jielong needs {HEAD}: back it up, then start `jielong run` "
                                          "once (it upgrades the schema at start)")
    return Finding("database", False, f"{shown}: schema revision {at!r} is unknown to this jielong (made by a "
                                      "newer version?): update this checkout (git pull) or use another database")


def check_puppet(config: Config | None) -> Finding:
    if config is None:
        return Finding("puppet", None, "not checked: the config does not load")
    if config.transport != "wechaty":
        return Finding("puppet", True, f"not used (transport = {config.transport!r})")
    endpoint, token = config.wechaty.endpoint.strip(), config.wechaty.token
    if not endpoint:
        return Finding("puppet", False, "[wechaty] endpoint is empty: set it to the puppet service's host:port")
    if not token:
        return Finding("puppet", False, "[wechaty] token is empty: set it to the puppet service's token")
    try:
        from grpclib.exceptions import GRPCError
        from wechaty_grpc.wechaty import PuppetStub
        from grpclib.client import Channel
    except ImportError:
        return Finding("puppet", False, "the wechat extra is not installed: pip install -e '.[wechat]' "
                                        "(Python 3.11-3.12)")
    host, _, port = endpoint.rpartition(":")
    if not host or not port.isdigit():
        return Finding("puppet", False, f"[wechaty] endpoint {endpoint!r} is not host:port (e.g. 127.0.0.1:8788)")

    async def ask() -> str:
        channel = Channel(host=host, port=int(port))
        channel._authority = token           # how wechaty-puppet-service's client sends the token
        try:
            answer = await asyncio.wait_for(PuppetStub(channel).version(), PUPPET_TIMEOUT)
            return getattr(answer, "version", "") or "?"
        finally:
            channel.close()

    try:
        version = asyncio.run(ask())
    except GRPCError as exc:
        if getattr(exc.status, "name", "") == "UNAUTHENTICATED":
            return Finding("puppet", False, f"{endpoint} refused the token: set [wechaty] token to the "
                                            "service's token")
        return Finding("puppet", False, f"{endpoint} answered with an error ({exc.status.name}: {exc.message}); "
                                        "is it a Wechaty puppet service?")
    except (asyncio.TimeoutError, TimeoutError):
        return Finding("puppet", False, f"{endpoint} did not answer within {PUPPET_TIMEOUT:g} s: is it a Wechaty "
                                        "puppet service without TLS, and is the port open?")
    except OSError as exc:
        return Finding("puppet", False, f"cannot reach {endpoint} ({exc.strerror or exc}): start the puppet "
                                        "service, or fix [wechaty] endpoint")
    except Exception as exc:            # a TLS service or something else on that port
        return Finding("puppet", False, f"{endpoint}: {type(exc).__name__}: {exc}; jielong needs a Wechaty "
                                        "puppet service with TLS disabled")
    return Finding("puppet", True, f"{endpoint}: reachable, token accepted (service version {version})")


def check_font() -> Finding:
    family = cjk_font()
    if family:
        return Finding("font", True, f"CJK font for charts: {family}")
    return Finding("font", False, "no CJK font: charts would show boxes for Chinese: "
                                  "apt-get install fonts-wqy-microhei (or make cjk-font)")


def check_timezone(config: Config | None, config_path: str) -> Finding:
    name = config.schedule.timezone if config else _raw_timezone(config_path)
    try:
        tz = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        try:
            ZoneInfo("Asia/Shanghai")
        except ZoneInfoNotFoundError:
            return Finding("timezone", False, "this machine has no timezone database: apt-get install tzdata "
                                              "(or pip install tzdata)")
        return Finding("timezone", False, f"[schedule] timezone {name!r} is not a timezone: use a name like "
                                          "Asia/Shanghai")
    server = datetime.now().astimezone().tzname()
    return Finding("timezone", True, f"{name}: now {datetime.now(tz):%m-%d %H:%M} there; every time the bot shows "
                                     f"is in it (this server's own zone is {server})")


def _raw_timezone(config_path: str) -> str:
    try:
        raw = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        return str(raw.get("schedule", {}).get("timezone", "Asia/Shanghai"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        return "Asia/Shanghai"
