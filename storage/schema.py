"""Bringing a database to the schema the models describe, at start.

* a new database gets the tables at once (`create_all`) and is marked at
  the newest migration, as `alembic stamp head` would;
* a database at the newest migration costs one SELECT (alembic is not even
  imported);
* an older one is upgraded by alembic (storage/migrations/); one created
  before migrations existed is first recognised as the initial revision.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Engine, MetaData, String, Table, insert, inspect, select

from storage.migrations import FIRST, HEAD
from storage.models import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# What alembic keeps its place in (alembic/runtime/migration.py names it so).
VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))


def prepare(engine: Engine) -> None:
    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        if not tables & set(Base.metadata.tables):
            # none of the tables is there (just listed): no asking for each one again
            Base.metadata.create_all(connection, checkfirst=False)
            VERSION.create(connection, checkfirst=True)
            connection.execute(VERSION.delete())
            connection.execute(insert(VERSION).values(version_num=HEAD))
            return
        version = connection.execute(select(VERSION.c.version_num)).scalar() if VERSION.name in tables else None
    if version != HEAD:
        upgrade(engine, adopt=version is None)


def revision(engine: Engine) -> str | None:
    """Where a database stands without changing it: its migration revision,
    "" when it has none of our tables yet (made at the first start), None
    when it has tables but no revision (made before migrations existed)."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        if not tables & set(Base.metadata.tables):
            return ""
        if VERSION.name not in tables:
            return None
        return connection.execute(select(VERSION.c.version_num)).scalar()


def known_revisions() -> list[str]:
    """Every revision of storage/migrations, oldest first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return [script.revision for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]


def upgrade(engine: Engine, *, adopt: bool = False) -> None:
    """Run the migrations up to the newest; `adopt`: the tables exist but no
    migration ever ran (the schema of FIRST, made by `create_all`)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if adopt:
            command.stamp(config, FIRST)
        command.upgrade(config, "head")
