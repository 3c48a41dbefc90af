"""The fixtures every test may use: one family of app fixtures, made by tests/support/apps.py.

`app` is a test app with CSRF checks off (tests post forms without a token), `csrf_app` the same
app with CSRF protection on, as deployed; `client` and `csrf_client` are a fresh browser on each.
Both apps get the database the `database` fixture names: a copy of the migrated database here;
tests/staff/ (and any module that needs the staff accounts) names the one holding the accounts,
tests/storage/ a database of the backend under test. The patient pages' tests share one `app`
for the whole session (tests/patient/conftest.py): same factory, same settings.

Engine tests (tests/engine/) and questionnaire tests (tests/questionnaire/) need none of these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support import apps, staff
from tests.support.database import migrated_template
from triage import extensions
from triage.staff import accounts


@pytest.fixture(autouse=True)
def rules_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps share one loaded rule set per folder (immutable; loading it is most of create_app's time)."""
    monkeypatch.setattr(extensions, "load_rules", apps.shared_rules)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the shell, and the instance folder is a fresh one under tmp_path
    (for create_app called in a test as for the test apps); its path."""
    instance = tmp_path / "instance"
    apps.isolate(monkeypatch, instance)
    return instance


@pytest.fixture
def database() -> Path | str:
    """The database of the test apps: an SQLite file they get a copy of, or a database URL."""
    return migrated_template()


@pytest.fixture
def make_app(hermetic: Path) -> Iterator[Callable[..., Flask]]:
    """Makes test apps in the test's instance folder: `make_app(database, csrf=False, **settings)`
    (tests/support/apps.py); their database connections are closed afterwards."""
    made: list[Flask] = []

    def make(database: Path | str, *, csrf: bool = False, **settings: object) -> Flask:
        app = apps.make_app(hermetic, database, csrf=csrf, **settings)
        made.append(app)
        return app

    yield make
    for app in made:
        apps.dispose(app)


@pytest.fixture
def app(make_app: Callable[..., Flask], database: Path | str) -> Flask:
    """A fresh test app with CSRF checks off, the practice's details and its own database."""
    return make_app(database)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A fresh browser on `app`: no cookies, so no answers and no login."""
    return app.test_client()


@pytest.fixture
def csrf_app(make_app: Callable[..., Flask], database: Path | str) -> Flask:
    """The test app with CSRF protection on, as deployed."""
    return make_app(database, csrf=True)


@pytest.fixture
def csrf_client(csrf_app: Flask) -> FlaskClient:
    """A fresh browser on the CSRF-protected app."""
    return csrf_app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    """Runs the click CLI of triage/cli/ (`runner.invoke(main, [...])`), stderr kept apart."""
    return CliRunner()


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its lowest cost (tests/support/staff.py says why), for the unknown-user check too."""
    monkeypatch.setattr(accounts, "_hasher", staff.FAST_HASHER)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", staff.FAST_DUMMY_HASH)


@pytest.fixture
def staff_database(fast_hashing: None) -> Path:
    """The migrated database with one account per role (tests/support/staff.py), for `database`."""
    return staff.staff_database()
