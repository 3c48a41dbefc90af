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
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.apps import DATABASE_FILE, dispose, make_app
from tests.support.database import migrated_database, migrated_template
from tests.support.markup import parse, problems
from triage.staff import accounts, mfa
from triage.storage import repository


@dataclass(frozen=True)
class Staff:
    """An account the tests log in with."""

    username: str
    display_name: str
    role: str
    password: str


#: The pages after the password: the code, and the set-up at the first login.
CODE_PAGE, SETUP_PAGE, RECOVERY_PAGE = "/staff/login/code", "/staff/mfa/setup", "/staff/mfa/recovery-codes"

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


def login(client: FlaskClient, user: Staff, password: str | None = None) -> str:
    """Log in through the real login form, and the MFA pages where they follow (the code computed
    from the enrolled secret, as the person's phone would); fails the test unless it sends the user
    on to the queue. Where it went in the end."""
    response = client.post(
        "/staff/login",
        data={"username": user.username, "password": user.password if password is None else password},
    )
    assert response.status_code == 302, (
        f"login of {user.username}: {response.status_code} {problems(response)}"
    )
    onward = through_mfa(client, user.username, response)
    assert onward == "/staff/", onward
    return onward


def through_mfa(client: FlaskClient, username: str, response: TestResponse) -> str:
    """After the password: enter the code (or set up the authenticator at the first login, then
    pass its recovery codes); where the browser is sent in the end."""
    step = urlsplit(response.location).path
    if step == CODE_PAGE:
        sent = client.post(CODE_PAGE, data={"code": next_code(client.application, username)})
        assert sent.status_code == 302, f"code of {username}: {sent.status_code} {problems(sent)}"
        return str(sent.location)
    if step == SETUP_PAGE:
        key = enrolment_key(client)
        sent = client.post(SETUP_PAGE, data={"code": pyotp.TOTP(key).now()})
        assert (sent.status_code, sent.location) == (302, RECOVERY_PAGE), problems(sent)
        codes = parse(client.get(RECOVERY_PAGE).text)
        return str(codes.main.find_all("a", cls="button")[0].get("href"))
    return str(response.location)


def enrolment_key(client: FlaskClient) -> str:
    """The key the MFA set-up page shows for typing into an app, without its spaces."""
    page = parse(client.get(SETUP_PAGE).text)
    return page.one("code", cls="mfa-key").text.replace(" ", "")


def next_code(app: Flask, username: str) -> str:
    """A code the account's authenticator app would show that the app has not accepted yet.

    A code is accepted once per 30-second step (and the step either side); a test logging in a
    third time within one step has the account's last step forgotten, as if time had passed.
    """
    with app.app_context():
        user = repository.find_user(username)
        assert user is not None, username
        secret = mfa.secret_of(user)
        assert secret is not None, f"{username} has no authenticator set up"
        totp = pyotp.TOTP(secret)
        now = int(time.time()) // totp.interval
        step = now if user.mfa_last_step is None else max(now, user.mfa_last_step + 1)
        if step > now + 1:
            repository.update_user(user, mfa_last_step=None)
            step = now
        return totp.at(step * totp.interval)


def logged_in_on(down: Flask, up: Flask, user: Staff) -> FlaskClient:
    """A browser that logged in on `up` (its database there), now on `down`: the same server (same
    secret key) with its database gone."""
    before = up.test_client()
    login(before, user)
    cookie = before.get_cookie("session")
    assert cookie is not None
    after = down.test_client()
    after.set_cookie("session", cookie.value)
    return after


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
