"""Proves the PostgreSQL fixtures: a fresh database per test, reachable with SQLAlchemy."""

from sqlalchemy import create_engine, text


def test_pg_url_connects(pg_url):
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar() == 1
            # a fresh database: nothing left behind by other tests
            tables = conn.execute(
                text("select count(*) from information_schema.tables where table_schema = 'public'")
            ).scalar()
            assert tables == 0
    finally:
        engine.dispose()
