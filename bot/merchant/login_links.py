"""One-time login links to the merchant's web page.

The chat command `后台` and `jielong login-link` both come here (and the web
page for where it is reached): a link is
issued only to an admin of the config, works once, and expires after ten
minutes (storage/logins.py keeps only the token's hash).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from bot.config import Config
from storage import logins

LOGIN_PATH = "/login/"


class NotAdmin(Exception):
    """A link was asked for someone who is not an admin of the config."""


def base_url(config: Config, override: str | None = None) -> str:
    """Where the page is reached: --base-url, [web] base_url, else the address it binds."""
    if override:
        return override.rstrip("/")
    web = config.web
    if web.base_url:
        return web.base_url.rstrip("/")
    return f"http://{web.host}:{web.port}"


def login_link(connection: Connection, config: Config, admin: str, now: datetime,
               base: str | None = None) -> str:
    if admin not in config.admins:
        raise NotAdmin(admin)
    token = logins.issue(connection, admin, now)
    return f"{base_url(config, base)}{LOGIN_PATH}{token}"
