"""The staff accounts the tests log in with, a database holding them, and logging in through the
real login form.

The accounts are made once per run with triage.staff.accounts.create, in a copy of the migrated
database; every app gets its own copy of that database, so what one test does to an account or a
record no other test sees.

Hashing: argon2id with the production parameters takes a quarter of a second per hash or check on
a small machine, and the staff tests log in some hundred times. So accounts hash with argon2id at
its lowest cost in tests (same code, same format, other parameters: the `fast_hashing` fixture);
tests/staff/test_accounts.py checks the production parameters with the real hasher, and that a
hash of other parameters is upgraded.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.apps import DATABASE_FILE, dispose, make_app
from tests.support.database import migrated_database, migrated_template
from tests.support.markup import parse, problems
from triage.staff import accounts


@dataclass(frozen=True)
class Staff:
    """An account the tests log in with."""

    username: str
    display_name: str
    role: str
    password: str


RECEPTION = Staff("rita", "Rita Reception", "reception", "rita-desk-password-1")
CLINICIAN = Staff("colin", "Colin Clinician", "clinician", "colin-ward-password-2")
ADMIN = Staff("ada", "Ada Admin", "admin", "ada-office-password-3")
STAFF = {user.role: user for user in (RECEPTION, CLINICIAN, ADMIN)}

#: The hasher of triage.staff.accounts, with the production parameters.
REAL_HASHER = accounts._hasher
REAL_DUMMY_HASH = accounts._DUMMY_HASH
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
FAST_DUMMY_HASH = FAST_HASHER.hash("not a real password")


@functools.cache
def staff_database() -> Path:
    """The migrated database with the three accounts, made through accounts.create (with whichever
    hasher is in place at the first call: the `staff_database` fixture makes it the fast one)."""
    folder = Path(tempfile.mkdtemp(prefix="triage-staff-"))
    app = make_app(folder, migrated_template())
    with app.app_context():
        for user in STAFF.values():
            accounts.create(user.username, user.display_name, user.role, user.password)
    dispose(app)
    return folder / DATABASE_FILE


def staff_database_on(backend: str, folder: Path) -> Path | str:
    """A database of `backend` ("sqlite" or "postgresql") holding the three accounts: a copy of
    staff_database() for SQLite, a freshly migrated PostgreSQL database for the other."""
    if backend == "sqlite":
        return staff_database()
    url = migrated_database(backend, folder)
    app = make_app(folder / "instance", url)
    with app.app_context():
        for user in STAFF.values():
            accounts.create(user.username, user.display_name, user.role, user.password)
    dispose(app)
    return url


# --- logging in ---------------------------------------------------------------------------------


def login(client: FlaskClient, user: Staff, password: str | None = None) -> TestResponse:
    """Log in through the real login form; fails the test unless it sends the user on to the queue."""
    response = client.post(
        "/staff/login",
        data={"username": user.username, "password": user.password if password is None else password},
    )
    assert response.status_code == 302, (
        f"login of {user.username}: {response.status_code} {problems(response)}"
    )
    assert response.location == "/staff/", response.location
    return response


def try_login(client: FlaskClient, username: str, password: str) -> TestResponse:
    """Post the login form, whatever comes of it."""
    return client.post("/staff/login", data={"username": username, "password": password})


def is_login_redirect(response: TestResponse) -> bool:
    """Whether a response sends the browser to the login page."""
    return response.status_code == 302 and urlsplit(response.location).path == "/staff/login"


def logged_in(client: FlaskClient) -> bool:
    """Whether the client's session is a logged-in staff session (the queue opens)."""
    return client.get("/staff/").status_code == 200


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the first form on a page."""
    document = parse(client.get(path).text)
    fields = document.find_all("input", name="csrf_token")
    assert fields, f"no CSRF token on {path}"
    return str(fields[0].get("value"))
