"""Databases for the storage tests: SQLite always, PostgreSQL as well when TEST_DATABASE_URL is set.

Every test that uses a database takes `database_url` (migrated) or `empty_database_url`; both
depend on the parametrised `backend`, so each such test runs once per backend. PostgreSQL gets a
fresh schema for every test: every table is dropped (alembic_version too), then it is migrated
from empty. Under CI=true a missing TEST_DATABASE_URL fails (tests/storage/test_backends.py).

TEST_DATABASE_URL must name a database whose name contains "test": its tables are dropped.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.conftest import PRACTICE
from tests.database import DATABASE_FILE, dispose, migrated_template
from tests.patient.conftest import prime
from triage import create_app
from triage.config import default_database_uri
from triage.extensions import db
from triage.storage.models import Assessment, CallbackRequest

POSTGRESQL_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRESQL_URL else [])]
CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "storage-test",
    "WTF_CSRF_ENABLED": False,
    **PRACTICE,
}
#: A SQLite database that can never be opened: its folder does not exist.
UNOPENABLE_SQLITE = "sqlite:////nonexistent-dir/x.sqlite3"
#: A PostgreSQL server that is not there: nothing listens on port 1 (connection refused at once).
REFUSED_POSTGRESQL = "postgresql+psycopg://triage:triage@127.0.0.1:1/triage_test"


# --- databases -----------------------------------------------------------------------------------


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


def upgrade(url: str) -> None:
    """Apply every migration to the database at `url` (`flask db upgrade`)."""
    app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
    dispose(app)


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


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database engine under test: "sqlite", or "postgresql" when TEST_DATABASE_URL is set."""
    return str(request.param)


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> str:
    """An empty database of the backend under test."""
    return empty_database(backend, tmp_path / "database")


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    """A migrated, empty database of the backend under test."""
    return migrated_database(backend, tmp_path / "database")


# --- apps ------------------------------------------------------------------------------------------


@pytest.fixture
def make_app(hermetic: Path) -> Iterator[Callable[..., Flask]]:
    """Makes apps on a database URL (test settings, CSRF off); their connections are closed afterwards."""
    made: list[Flask] = []

    def make(url: str, **config: Any) -> Flask:
        app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": url, **config})
        made.append(app)
        return app

    yield make
    for app in made:
        dispose(app)


@pytest.fixture
def app(make_app: Callable[..., Flask], database_url: str) -> Flask:
    """An app on a migrated, empty database of the backend under test."""
    return make_app(database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A fresh browser on `app`."""
    return app.test_client()


@pytest.fixture
def far_time_zone() -> Iterator[None]:
    """The process's local time 5 h 45 min ahead of UTC, so a time saved as local time shows."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "NPT-5:45")
        time.tzset()
        yield
    time.tzset()


# --- reading what was stored -----------------------------------------------------------------------


def _as_dict(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def assessments(app: Flask) -> list[dict[str, Any]]:
    """Every saved assessment, column by column, in the order saved."""
    with app.app_context():
        return [_as_dict(row) for row in db.session.scalars(select(Assessment).order_by(Assessment.id))]


def callbacks(app: Flask) -> list[dict[str, Any]]:
    """Every saved call-back request, column by column, with its assessment's reference."""
    with app.app_context():
        rows = db.session.scalars(select(CallbackRequest).order_by(CallbackRequest.id))
        return [{**_as_dict(row), "reference": row.assessment.reference} for row in rows]


def as_utc(moment: datetime, backend: str) -> datetime:
    """A saved time in UTC. PostgreSQL keeps the zone; SQLite keeps none, and the time written is UTC."""
    if backend == "postgresql":
        assert moment.tzinfo is not None, "PostgreSQL returned a time without a zone"
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def count(app: Flask, model: type[Any]) -> int:
    """How many rows the model's table holds."""
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def session_reference(client: FlaskClient) -> str | None:
    """The reference code the client's session holds (None: the assessment was not saved)."""
    with client.session_transaction() as session:
        reference: str | None = session.get("reference")
        return reference


def submit_online(client: FlaskClient, answers: Mapping[str, Any]) -> str | None:
    """Answer the pages (primed session) and confirm on /check-answers; the reference saved, if any."""
    prime(client, answers)
    response = client.post("/check-answers")
    assert (response.status_code, response.location) == (302, "/result")
    return session_reference(client)
