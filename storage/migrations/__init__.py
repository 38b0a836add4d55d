"""Schema migrations (alembic), run by `storage/schema.py` when a database
is older than the models.

HEAD names the newest revision so that a database already at it is
recognised with one SELECT, without importing alembic (≈ 0.25 s) at every
start; `tests/test_migrations.py` checks it against the revision files.

To change the schema: edit storage/models.py, then
    alembic -c storage/migrations/alembic.ini -x db=sqlite:///dev.db upgrade head
    alembic -c storage/migrations/alembic.ini -x db=sqlite:///dev.db revision --autogenerate -m "what"
review the new file under versions/, and set HEAD to its revision.
"""
FIRST = "0001"     # the schema databases were created with before migrations existed
HEAD = "product_revisions_1"

# APScheduler creates and owns its job table; it is not part of our schema.
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave tables we do not own alone."""
    return not (type_ == "table" and name in FOREIGN_TABLES)
