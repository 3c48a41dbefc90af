"""The migrations build exactly the models' schema from an empty database, and take it down again."""

from __future__ import annotations

from collections.abc import Callable

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect, text

from triage.extensions import db
from triage.storage.models import Base

#: Every table the models define (migrations must build each of them, and nothing else).
TABLES = set(Base.metadata.tables)


def differences() -> list[object]:
    """What autogenerate would change to make the database match the models (empty: identical)."""
    with db.engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def tables() -> set[str]:
    """The tables the database holds."""
    return set(inspect(db.engine).get_table_names())


def revision() -> str | None:
    """The revision alembic_version records (None when at base)."""
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_upgrade_from_empty_gives_exactly_the_models_schema(
    make_app: Callable[..., Flask], empty_database_url: str
) -> None:
    app = make_app(empty_database_url)
    with app.app_context():
        assert tables() == set()
        flask_migrate.upgrade()
        assert tables() == {*TABLES, "alembic_version"}
        assert differences() == []
        assert revision() is not None


def test_downgrade_to_base_removes_the_tables_and_upgrade_works_again(
    make_app: Callable[..., Flask], empty_database_url: str
) -> None:
    app = make_app(empty_database_url)
    with app.app_context():
        flask_migrate.upgrade()
        head = revision()
        flask_migrate.downgrade(revision="base")
        assert tables() & TABLES == set()
        assert revision() is None
        flask_migrate.upgrade()
        assert tables() == {*TABLES, "alembic_version"}
        assert differences() == []
        assert revision() == head


def test_a_migrated_database_takes_rows(make_app: Callable[..., Flask], empty_database_url: str) -> None:
    """The schema the migrations build is one the app can save to (types, keys, defaults)."""
    from tests.support.cases import vignettes
    from triage.storage import repository

    app = make_app(empty_database_url)
    with app.app_context():
        flask_migrate.upgrade()
        outcome = app.extensions["triage_rules"].assess(vignettes()[0]["answers"])
        reference = repository.save_assessment(outcome, channel="api", language="en")
        repository.save_callback(reference, "Eleni Ioannou", "+306941234567", "morning")
        found = repository.find_assessment(reference)
        assert found is not None
        assert [request.phone for request in found.callbacks] == ["+306941234567"]
