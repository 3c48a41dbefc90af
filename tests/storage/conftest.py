"""Databases for the storage tests: SQLite always, PostgreSQL as well when TEST_DATABASE_URL is set.

Every test that uses a database takes `database_url` (migrated) or `empty_database_url`; both
depend on the parametrised `backend`, so each such test runs once per backend, and so do `app`,
`client`, `csrf_app` and `csrf_client` (tests/conftest.py), whose `database` is `database_url`
here. Apps on any other database come from `make_app(url, **settings)`. The databases are made by
tests/support/database.py; what they hold is read with tests/support/records.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.database import BACKENDS, empty_database, migrated_database


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


@pytest.fixture
def database(database_url: str) -> str:
    """The storage tests' apps open the migrated database of the backend under test."""
    return database_url


@pytest.fixture
def far_time_zone() -> Iterator[None]:
    """The process's local time 5 h 45 min ahead of UTC, so a time saved as local time shows."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "NPT-5:45")
        time.tzset()
        yield
    time.tzset()
