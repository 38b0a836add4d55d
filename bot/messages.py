"""The neutral message types every transport speaks.

A transport turns its network's events into `Incoming` values and sends the
bot's `Reply` values back; nothing else in the bot knows which network a
message came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Incoming:
    """One chat message as the bot sees it."""

    id: str                      # unique per message; a re-delivery has the same id
    ts: datetime                 # timezone-aware send time
    room: str | None             # None for a private chat
    sender: str                  # the sender's stable contact id (wxid)
    name: str                    # the sender's display name in that room
    text: str
    mentions: tuple[str, ...] = ()
    room_name: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file produced for a reply (an Excel export, a chart)."""

    path: Path
    kind: str = "file"           # "file" or "image"


@dataclass(frozen=True)
class Reply:
    """Something the bot says: text for a room (or a person), with @-mentions."""

    to: str                      # room id, or contact id for a private reply
    text: str
    mentions: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
