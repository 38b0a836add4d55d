"""Schema migrations (storage/migrations) against real databases: they build
exactly what the models describe, new databases start at the newest one, and
a database made before migrations existed is taken over without loss."""
from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select

from storage import ledger, schema
from storage.database import Database
from storage.migrations import FIRST, HEAD, include_object
from storage.models import Base, Room


def _schema_before_migrations(engine) -> None:
    """The tables as the bot made them before migrations existed (those of FIRST), unstamped."""
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, FIRST)
        schema.VERSION.drop(connection)


def _version(engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(select(schema.VERSION.c.version_num)).scalar()


def test_head_names_the_newest_migration_file():
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_migrations_build_exactly_the_schema_of_the_models(db_url):
    engine = create_engine(db_url)
    schema.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        assert compare_metadata(context, Base.metadata) == []
    assert _version(engine) == HEAD
    engine.dispose()


def test_new_database_starts_at_the_newest_migration(db_url):
    db = Database(db_url)
    assert _version(db.engine) == HEAD
    assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    db.dispose()


def test_database_from_before_migrations_is_taken_over_with_its_data(db_url):
    engine = create_engine(db_url)
    _schema_before_migrations(engine)
    with engine.begin() as connection:
        connection.execute(Room.__table__.insert().values(id="room@chatroom", name="幸福里团购"))
    engine.dispose()

    db = Database(db_url)
    assert _version(db.engine) == HEAD
    with db.session() as session:
        assert session.get(Room, "room@chatroom").name == "幸福里团购"
    db.dispose()


def test_opening_a_current_database_again_changes_nothing(sqlite_url):
    Database(sqlite_url).dispose()
    db = Database(sqlite_url)
    with db.unit_of_work() as session:
        session.add(Room(id="r", name=""))
    db.dispose()
    again = Database(sqlite_url)
    assert _version(again.engine) == HEAD
    with again.session() as session:
        assert session.get(Room, "r") is not None
    again.dispose()


def test_migrated_database_is_used_like_a_created_one(sqlite_url):
    engine = create_engine(sqlite_url)
    schema.upgrade(engine)
    engine.dispose()
    db = Database(sqlite_url)
    at = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    with db.transaction() as connection:
        assert ledger.claim(connection, "m1", at)
        assert not ledger.claim(connection, "m1", at)
    db.dispose()


def test_revision_tells_where_a_database_stands_without_changing_it(sqlite_url):
    engine = create_engine(sqlite_url)
    assert schema.revision(engine) == ""                 # empty: made at the first start
    _schema_before_migrations(engine)
    assert schema.revision(engine) is None               # tables from before migrations
    engine.dispose()
    Database(sqlite_url).dispose()
    engine = create_engine(sqlite_url)
    assert schema.revision(engine) == HEAD
    assert schema.known_revisions()[-1] == HEAD and schema.known_revisions()[0] == FIRST
    engine.dispose()
