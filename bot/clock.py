"""What time it is: the wall clock live, a virtual clock in replay and tests.

Replay moves the virtual clock to each message's timestamp, and the
scheduler moves it to each job's due time as it runs the job, so a week of
chat replays in milliseconds with its cut-offs and summaries in place, and
tests never sleep.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class VirtualClock:
    """A clock that only moves when told to, and never backwards."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2000, 1, 1, tzinfo=timezone.utc)
        if self._now.tzinfo is None:
            raise ValueError("a virtual clock needs a timezone-aware start")

    def now(self) -> datetime:
        return self._now

    def advance_to(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("times must be timezone-aware")
        if when > self._now:
            self._now = when


def as_utc(value: datetime) -> datetime:
    """A deadline made aware: SQLite hands back naive values; deadlines are stored in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def as_local(value: datetime, tz) -> datetime:
    """A message-time column (opened_at, closed_at) in the group's timezone.

    Those are stored as the transports stamp them, in the configured timezone,
    so a naive value read back from SQLite is that zone's wall time.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)
