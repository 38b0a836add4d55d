"""A tiny chat builder for tests: messages in, the bot's orders and replies out."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from bot.app import build_bot
from bot.config import Config
from bot.messages import Incoming, Reply
from parsers.catalogue import ProductInfo
from storage.reports import orders_document

ADMIN = "wxid_boss"
START = datetime.fromisoformat("2026-11-20T09:00:00+08:00")


def fruit_config(**overrides) -> Config:
    products = (
        ProductInfo("苹果", 6.8, "斤", aliases=("红富士",)),
        ProductInfo("香蕉", 3.5, "斤"),
        ProductInfo("草莓", 35.0, "盒", specs=("大果", "中果"), stock=10),
        ProductInfo("巨峰葡萄", 9.0, "斤", aliases=("巨峰",)),
        ProductInfo("阳光玫瑰葡萄", 25.0, "斤", aliases=("晴王",), limit=3),
    )
    return Config(bot_id="bot", bot_name="小龙", admins=frozenset({ADMIN}), products=products, **overrides)


class Chat:
    """One room with a bot on a real database; `say` returns the replies."""

    def __init__(self, db_url: str, config: Config | None = None, room: str = "room1@chatroom") -> None:
        self.bot = build_bot(config or fruit_config(), db_url)
        self.room = room
        self._ids = itertools.count(1)
        self._clock = itertools.count(1)

    def say(self, sender: str, text: str, *, name: str | None = None, msg_id: str | None = None,
            mentions: tuple[str, ...] = ()) -> list[Reply]:
        msg = Incoming(id=msg_id or f"{self.room}-{next(self._ids)}",
                       ts=START + timedelta(minutes=next(self._clock)), room=self.room, sender=sender,
                       name=name or sender.removeprefix("wxid_"), text=text, mentions=mentions)
        return self.bot.handle(msg)

    def admin(self, text: str) -> list[Reply]:
        return self.say(ADMIN, text, name="团长")

    def orders(self) -> dict[str, dict[tuple[str, str | None], float]]:
        """customer -> {(product, spec): quantity}, over all live orders."""
        out: dict[str, dict[tuple[str, str | None], float]] = {}
        for order in orders_document(self.bot.db)["orders"]:
            bag = out.setdefault(order["customer"], {})
            for item in order["items"]:
                key = (item["product"], item["spec"])
                bag[key] = bag.get(key, 0.0) + item["quantity"]
        return out

    def unresolved(self) -> list[dict]:
        return orders_document(self.bot.db)["unresolved"]


def jielong(title: str, *lines: str) -> str:
    body = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
    return f"#接龙\n{title}\n苹果 6.8元/斤\n例 张三 苹果2斤\n{body}"
