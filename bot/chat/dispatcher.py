"""Routing: which handler a message in the chat goes to, the first that claims it.

A command (the registry says which, and whether the sender may run it), a
#接龙 post, a merchant's chatter (never an order), a customer's answer to their open question, after-sales
report, a customer's change or order line, or chatter, in that order.
"""
from __future__ import annotations

from bot.chat import replies
from bot.chat.after_sales import REPORT_VERBS, handle_report, read_report, report_in_command
from bot.chat.commands import Registry
from bot.chat.context import Context
from bot.chat.conversation import customer_message
from bot.chat.customer import said_paid
from bot.chat.jielong import handle_post
from parsers.payment import says_paid
from parsers.post import is_jielong, parse_post

MAX_TEXT = 20_000   # longer messages are not order lists; answer politely instead


def dispatch(ctx: Context, commands: Registry) -> None:
    if len(ctx.msg.text) > MAX_TEXT:
        ctx.say("消息太长了，请分开发送")
        return
    first_line = ctx.command_text().split("\n", 1)[0]
    # a #接龙 repost is never a payment claim (says_paid reads whole messages of at most
    # 20 characters); asking costs a pass over every line of the list
    if (ctx.msg.room is not None and not ctx.is_admin and not is_jielong(ctx.text)
            and says_paid(ctx.command_text())):
        said_paid(ctx)                  # 已付, 已转账, 付了: noted for the merchant
        return
    found = commands.find(first_line)
    if ctx.msg.room is None:
        # private chats carry no orders; only customers' commands (我的订单) are answered there, privately,
        # and the merchant's that say they may be (后台)
        if found is not None and (found[0].for_customers or (found[0].private and ctx.is_admin)):
            entry, command = found
            entry.handler(ctx, command)
        elif not ctx.is_admin and (report := read_report(ctx)) is not None:
            handle_report(ctx, report)                     # 售后 is answered privately too
        return
    if found is not None:
        entry, command = found
        if ctx.is_admin or entry.for_customers:
            entry.handler(ctx, command)
        elif entry.name in REPORT_VERBS and (report := report_in_command(ctx, command.arg)) is not None:
            handle_report(ctx, report)                     # 退款，草莓坏了两盒: a customer's report
        else:
            ctx.say(replies.not_admin(ctx.name))
        return
    if is_jielong(ctx.text):
        post = parse_post(ctx.text)
        if post is not None:
            handle_post(ctx, post)
        return
    if ctx.is_admin:
        return  # merchants announce prices and rules; their free text is never an order
    if commands.looks_like_merchant_command(first_line, addressed=ctx.mentions_bot or ctx.text.startswith("/")):
        ctx.say(replies.not_admin(ctx.name))
        return
    customer_message(ctx)
