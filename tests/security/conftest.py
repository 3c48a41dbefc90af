"""Fixtures for the attack tests: apps whose database holds one account per role (the staff tests'
accounts, tests/support/staff.py), with passwords hashed at argon2id's lowest cost, on SQLite and,
when TEST_DATABASE_URL is set, PostgreSQL (every test using a database runs on each).

Helpers: tests/support/staff.py (accounts, logging in), tests/support/records.py (what is stored),
tests/support/journeys.py (the patient's pages and phone calls through the real pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from tests.support import apps
from tests.support.database import BACKENDS
from tests.support.staff import staff_database_on


@pytest.fixture(autouse=True)
def fast_security_hashing(fast_hashing: None) -> None:
    """The fast hasher for every test here, whether it makes an app or not."""


@pytest.fixture
def database(backend: str, staff_database: Path, tmp_path: Path) -> Path | str:
    """The apps here get a database of the backend under test holding the three accounts (on
    SQLite a copy of the staff tests' database), so every attack test runs on each backend."""
    return staff_database_on(backend, tmp_path / "database")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database engine under test: "sqlite", or "postgresql" when TEST_DATABASE_URL is set."""
    return str(request.param)


@pytest.fixture
def backend_app(app: Flask) -> Flask:
    """The test app, named for tests whose finding was on one backend (PostgreSQL) in particular."""
    return app


@pytest.fixture
def runner(database: Path | str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command line on the test apps' database: their SQLite copy in the instance folder, or
    the PostgreSQL database named to it as DATABASE_URL; its apps' connections closed after."""
    made = apps.record_created_apps(monkeypatch)
    yield CliRunner(env={"DATABASE_URL": database} if isinstance(database, str) else {})
    for app in made:
        apps.dispose(app)
