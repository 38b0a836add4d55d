"""What a handler gets: the message, its normalised text, the order book."""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.chat.entry_index import EntryIndex
from bot.chat.orders import OrderBook
from bot.config import Config
from bot.messages import Incoming, Reply


class Timetable(Protocol):
    """The room's timed jobs as handlers see them (bot.schedule.scheduler.Scheduler)."""

    def round_opened(self, room_id: str, round_id: int, deadline: datetime | None) -> None: ...
    def round_closed(self, room_id: str, round_id: int, closed_at: datetime) -> None: ...
    def set_deadline(self, room_id: str, round_id: int, deadline: datetime) -> None: ...
    def cancel_room(self, room_id: str, kinds: Collection[str] = ...) -> int: ...
    def jobs_of(self, room_id: str) -> list: ...


@dataclass
class Context:
    msg: Incoming
    text: str                      # normalised, bot mention and leading "/" kept
    book: OrderBook
    config: Config
    room_id: str                   # the room, or private:<contact> for a private chat
    replies: list[Reply] = field(default_factory=list)
    scheduler: Timetable | None = None                    # timed jobs; None when the bot runs none
    after_commit: list[Callable[[], None]] = field(default_factory=list)   # once committed
    entries: EntryIndex = field(default_factory=EntryIndex)   # 接龙 lines known (the bot's, kept)
    on_merchant_bound: Callable[[str], None] | None = None     # the bot learns a new merchant (绑定)

    @property
    def is_admin(self) -> bool:
        return self.msg.sender in self.config.admins

    @property
    def mentions_bot(self) -> bool:
        return self.config.bot_id in self.msg.mentions or f"@{self.config.bot_name}" in self.text

    @property
    def name(self) -> str:
        """The sender's display name as the group shows it."""
        return self.msg.name.strip() or self.msg.sender

    def merchant_bound(self, contact_id: str) -> None:
        """Once committed, `contact_id` counts as an admin from the next message on."""
        if self.on_merchant_bound is not None:
            self.after_commit.append(lambda: self.on_merchant_bound(contact_id))

    def say(self, text: str, *, mention: bool = True) -> None:
        mentions = (self.msg.sender,) if mention else ()
        self.replies.append(Reply(self.room_id, text, mentions))

    def command_text(self) -> str:
        """The text with a leading @bot and "/" removed, for command parsing."""
        text = self.text.strip()
        prefix = f"@{self.config.bot_name}"
        if text.startswith(prefix):
            text = text[len(prefix):].strip()
        return text.lstrip("/").strip()
