"""Who is a merchant: 绑定 CODE (the first-run binding) and 我是谁.

While no admin is configured or bound, `jielong run` prints a one-time code
(storage/merchants.py keeps it); whoever sends `绑定 CODE` to the bot becomes
a merchant, kept in the database. `我是谁` tells anyone their WeChat id (what
`admins` in the config needs) and role.
"""
from __future__ import annotations

import logging

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from parsers.commands import Command
from storage import merchants

log = logging.getLogger("jielong.bot")


def bind(ctx: Context, command: Command) -> None:
    """绑定 CODE: make the sender a merchant with the one-time code."""
    if ctx.is_admin:
        ctx.say(replies.already_merchant(ctx.name))
        return
    code = "".join(command.arg.split())
    if not code:
        ctx.say(replies.bind_needs_code(ctx.name))
        return
    session = ctx.book.session
    if not merchants.redeem(session, code, ctx.msg.sender, ctx.name, ctx.msg.ts):
        log.warning("a wrong or used bind code from %s (%s)", ctx.name, ctx.msg.sender)
        ctx.say(replies.bind_refused(ctx.name))
        return
    log.warning("%s (%s) is now a merchant (bound with the one-time code)", ctx.name, ctx.msg.sender)
    ctx.merchant_bound(ctx.msg.sender)
    ctx.say(replies.bound_as_merchant(ctx.name, ctx.msg.sender))


def who_am_i(ctx: Context, command: Command) -> None:
    """我是谁: the sender's WeChat id and role."""
    ctx.say(replies.who_you_are(ctx.name, ctx.msg.sender, ctx.is_admin))


# Anyone may send them (the merchant-to-be is nobody yet); 绑定 is not listed by 帮助:
# only whoever started the bot has the code.
BIND = ChatCommand("bind", ("绑定",), Who.EVERYONE, "绑定 码", "用启动时的绑定码成为团长", bind, hidden=True)
WHO_AM_I = ChatCommand("who_am_i", ("我是谁",), Who.EVERYONE, "我是谁", "查自己的微信ID和身份", who_am_i)
