"""Databases for test apps: an SQLite file migrated from empty once per test run (each app gets its own
copy), and PostgreSQL as well when TEST_DATABASE_URL is set.

PostgreSQL gets a fresh schema for every test that uses it: every table is dropped (alembic_version
too), then it is migrated from empty. TEST_DATABASE_URL must name a database whose name contains
"test": its tables are dropped. Under CI=true a missing TEST_DATABASE_URL fails
(tests/storage/test_backends.py).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.support.apps import DATABASE_FILE, dispose, make_app
from tests.support.services import postgresql_url
from triage.config import default_database_uri

POSTGRESQL_URL = postgresql_url()
IN_CI = os.environ.get("CI", "").lower() == "true"
#: The database engines the storage tests run on.
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRESQL_URL else [])]
#: A SQLite database that can never be opened: its folder does not exist.
UNOPENABLE_SQLITE = "sqlite:////nonexistent-dir/x.sqlite3"
#: A PostgreSQL server that is not there: nothing listens on port 1 (connection refused at once).
REFUSED_POSTGRESQL = "postgresql+psycopg://triage:triage@127.0.0.1:1/triage_test"


def upgrade(url: str) -> None:
    """Apply every migration to the database at `url` (`flask db upgrade`)."""
    app = make_app(Path(tempfile.mkdtemp(prefix="triage-instance-")), url)
    with app.app_context():
        flask_migrate.upgrade()
    dispose(app)


@functools.cache
def migrated_template() -> Path:
    """An SQLite file with every migration applied (`flask db upgrade` from empty)."""
    folder = Path(tempfile.mkdtemp(prefix="triage-schema-"))
    upgrade(default_database_uri(folder))
    return folder / DATABASE_FILE


def reset_postgresql() -> str:
    """Drop every table of the PostgreSQL test database, alembic_version included; its URL."""
    url = make_url(POSTGRESQL_URL)
    if url.get_backend_name() != "postgresql" or "test" not in (url.database or ""):
        pytest.fail(
            f"TEST_DATABASE_URL must be a PostgreSQL database named like *test* (its tables are "
            f"dropped), not {url.render_as_string(hide_password=True)}",
            pytrace=False,
        )
    # A lock held by a connection some test left open fails the reset instead of hanging it.
    engine = create_engine(url, poolclass=NullPool, connect_args={"options": "-c lock_timeout=10000"})
    try:
        with engine.begin() as connection:
            tables = MetaData()
            tables.reflect(connection)
            tables.drop_all(connection)
    finally:
        engine.dispose()
    return POSTGRESQL_URL


def empty_database(backend: str, folder: Path) -> str:
    """The URL of a database without any table."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        return default_database_uri(folder)
    return reset_postgresql()


def migrated_database(backend: str, folder: Path) -> str:
    """The URL of a database with every migration applied and no rows."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_template(), folder / DATABASE_FILE)
        return default_database_uri(folder)
    url = reset_postgresql()
    upgrade(url)
    return url
