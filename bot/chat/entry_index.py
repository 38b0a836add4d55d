"""Each round's 接龙 lines by content key, remembered between messages.

Every repost carries the whole list, so reading a round's keys back from
the database for each one grows with the list (a 300-person 接龙 reads
45,000 rows). The index keeps them with the round's revision and reads them
again only when the revision moved without it: another worker, a command, a
rolled-back message. A unit of work that wrote keys hands its copy back once
committed, and it is kept only if no one else changed the round meanwhile.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from storage import order_rows
from storage.order_rows import KeyRow

if TYPE_CHECKING:
    from bot.chat.orders import OrderBook
    from storage.models import Round

Lines = dict[str, KeyRow]


class EntryIndex:
    ROUNDS = 64       # rounds remembered; older ones are read again if they ever change

    def __init__(self) -> None:
        self._rounds: dict[int, tuple[int, Lines]] = {}    # round id -> (revision, lines)

    def lines(self, connection: Connection, rnd: Round) -> Lines:
        """The round's lines as of its revision read in this unit of work: a copy to change."""
        known = self._rounds.get(rnd.id)
        if known is None or known[0] != rnd.revision:
            known = (rnd.revision, {row.content: row for row in order_rows.entry_keys(connection, rnd.id)})
            self._keep(rnd.id, *known)
        return dict(known[1])

    def keeper(self, book: OrderBook, rnd: Round, lines: Lines) -> Callable[[], None]:
        """For after commit: keep `lines` as the round's if this unit of work's
        revision bump was the only change since `rnd.revision` was read."""
        base = rnd.revision

        def keep() -> None:
            if book.revisions.get(rnd.id) == base + 1:
                self._keep(rnd.id, base + 1, lines)
            else:
                self._rounds.pop(rnd.id, None)
        return keep

    def _keep(self, round_id: int, revision: int, lines: Lines) -> None:
        self._rounds.pop(round_id, None)
        self._rounds[round_id] = (revision, lines)       # newest last
        while len(self._rounds) > self.ROUNDS:
            del self._rounds[next(iter(self._rounds))]
