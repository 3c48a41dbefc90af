"""Fixtures for the attack tests: apps whose database holds one account per role (the staff tests'
accounts, tests/support/staff.py), with passwords hashed at argon2id's lowest cost.

Helpers: tests/support/staff.py (accounts, logging in), tests/support/records.py (what is stored),
tests/support/journeys.py (the patient's pages and phone calls through the real pages).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from tests.support.database import BACKENDS
from tests.support.staff import staff_database_on


@pytest.fixture(autouse=True)
def fast_security_hashing(fast_hashing: None) -> None:
    """The fast hasher for every test here, whether it makes an app or not."""


@pytest.fixture
def database(staff_database: Path) -> Path:
    """The apps here get a copy of the database holding the three accounts."""
    return staff_database


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database engine under test: "sqlite", or "postgresql" when TEST_DATABASE_URL is set."""
    return str(request.param)


@pytest.fixture
def backend_app(make_app: Callable[..., Flask], backend: str, tmp_path: Path) -> Flask:
    """A test app on the backend under test, its database holding the three accounts."""
    return make_app(staff_database_on(backend, tmp_path / "database"))
