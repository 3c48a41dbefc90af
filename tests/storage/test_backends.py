"""Which database engines the storage tests ran on: PostgreSQL is required under CI=true."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.support.database import BACKENDS, IN_CI, POSTGRESQL_URL


def test_postgresql_variants_run_in_ci() -> None:
    """Under CI=true the PostgreSQL variants must exist: a missing TEST_DATABASE_URL is a failure."""
    if not POSTGRESQL_URL:
        if IN_CI:
            pytest.fail(
                "CI=true but TEST_DATABASE_URL is not set, so no storage test ran against PostgreSQL; "
                "set it, e.g. postgresql+psycopg://triage:triage@127.0.0.1:5432/triage_test",
                pytrace=False,
            )
        pytest.skip("TEST_DATABASE_URL is not set: the storage tests ran against SQLite only")
    assert BACKENDS == ["sqlite", "postgresql"]


@pytest.mark.skipif(not POSTGRESQL_URL, reason="TEST_DATABASE_URL is not set")
def test_postgresql_is_reachable() -> None:
    """TEST_DATABASE_URL names a PostgreSQL server that answers."""
    engine = create_engine(POSTGRESQL_URL, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            assert engine.dialect.name == "postgresql"
            assert "PostgreSQL" in str(connection.execute(text("SELECT version()")).scalar())
    finally:
        engine.dispose()
