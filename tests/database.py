"""A database migrated from empty once per test run, copied into each test app's instance folder."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

import flask_migrate
from flask import Flask

from triage import create_app
from triage.config import default_database_uri

DATABASE_FILE = "triage.sqlite3"


@functools.cache
def migrated_template() -> Path:
    """An SQLite file with every migration applied (`flask db upgrade` from empty)."""
    folder = Path(tempfile.mkdtemp(prefix="triage-schema-"))
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "schema", "SQLALCHEMY_DATABASE_URI": default_database_uri(folder)}
    )
    with app.app_context():
        flask_migrate.upgrade()
    dispose(app)
    return folder / DATABASE_FILE


def prepare_instance(instance: Path | str) -> None:
    """Give an instance folder its own copy of the migrated database."""
    Path(instance).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_template(), Path(instance) / DATABASE_FILE)


def dispose(app: Flask) -> None:
    """Close the app's database connections (so files can be removed and copied safely)."""
    from triage.extensions import db

    with app.app_context():
        db.engine.dispose()
