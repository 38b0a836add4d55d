"""Times are stored as instants and shown in the configured [schedule]
timezone, whatever the server's own timezone or the message's offset."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.merchant.charts import local_time
from storage.database import Database
from storage.models import Room, Round

SHANGHAI_NINE = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def _stored_opening(db_url: str, opened_at: datetime) -> datetime:
    db = Database(db_url)
    with db.unit_of_work() as session:
        session.add(Room(id="r", name=""))
        session.flush()
        session.add(Round(room_id="r", opened_by="x", opened_at=opened_at))
    with db.session() as session:
        value = session.query(Round).one().opened_at
    db.dispose()
    return value


def test_a_time_comes_back_as_the_same_instant_in_utc(db_url):
    value = _stored_opening(db_url, SHANGHAI_NINE)
    assert value.tzinfo is not None and value == SHANGHAI_NINE
    assert value.utcoffset() == timedelta(0)


def test_a_time_from_a_server_in_another_timezone_is_shown_in_the_configured_one(sqlite_url):
    new_york = SHANGHAI_NINE.astimezone(timezone(timedelta(hours=-5)))   # what `.astimezone()` gives there
    value = _stored_opening(sqlite_url, new_york)
    assert local_time(value, "Asia/Shanghai") == datetime(2026, 12, 1, 9, 0)
