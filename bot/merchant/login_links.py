"""One-time login links to the merchant's web page.

The chat command `后台` and `jielong login-link` both come here (and the web
page for where it is reached): a link is
issued only to an admin of the config, works once, and expires after ten
minutes (storage/logins.py keeps only the token's hash).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from bot.config import Config
from bot.messages import Reply
from parsers.commands import Command
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


def admin_page(ctx: Context, command: Command) -> None:
    """后台: a one-time link to the web page, sent privately to the merchant."""
    # the wall clock, as the page checks it (a replayed chat's time is long past)
    url = login_link(ctx.book.session.connection(), ctx.config, ctx.msg.sender, datetime.now(timezone.utc))
    ctx.replies.append(Reply(ctx.msg.sender, replies.login_link(url, int(logins.LINK_TTL.total_seconds() // 60))))
    if ctx.msg.room is not None:
        ctx.say(replies.login_link_sent(ctx.name))


ADMIN_PAGE = ChatCommand("admin_page", ("后台",), Who.MERCHANT, "后台", "私发一个团长后台的登录链接（10分钟内有效，只能用一次）",
                         admin_page, private=True)
