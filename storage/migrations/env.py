"""How alembic reaches the database: the bot's own connection when the bot
migrates (storage/schema.py), or `-x db=URL` from the alembic command line."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.migrations import include_object
from storage.models import Base


def run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, include_object=include_object,
                      render_as_batch=True)   # SQLite alters tables by copying them
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("db")
    if not url:
        raise SystemExit("give the database: alembic -c storage/migrations/alembic.ini -x db=URL …")
    with create_engine(url).begin() as connection:
        run_migrations(connection)
