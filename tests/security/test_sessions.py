"""Finding 2: a staff session ends everywhere. A copied session cookie stops working after logging
out, a new password, `users disable` or 12 hours after logging in (each account's session version
is checked on every request); the CSRF token from before logging in is useless after it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE
from tests.support.records import save
from tests.support.staff import RECEPTION, csrf_token, is_login_redirect, logged_in, login
from triage.cli import main

URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of the client's session cookie (as a thief would)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


@pytest.fixture
def stolen(app: Flask, client: FlaskClient) -> tuple[FlaskClient, str]:
    """A copy of a logged-in receptionist's session that opens a record; the record's reference."""
    reference = save(app, URGENT)
    login(client, RECEPTION)
    thief = copy_of(app, client)
    assert thief.get(f"/staff/assessments/{reference}").status_code == 200
    return thief, reference


def test_a_copied_cookie_replayed_after_logout_no_longer_opens_records(
    client: FlaskClient, stolen: tuple[FlaskClient, str]
) -> None:
    thief, reference = stolen
    assert is_login_redirect(client.post("/staff/logout"))
    assert is_login_redirect(thief.get(f"/staff/assessments/{reference}"))
    assert is_login_redirect(thief.get("/staff/phone"))


def test_a_copied_cookie_stops_working_after_a_password_change(
    runner: CliRunner, client: FlaskClient, stolen: tuple[FlaskClient, str]
) -> None:
    thief, reference = stolen
    changed = runner.invoke(
        main,
        ["users", "set-password", RECEPTION.username, "--password-stdin"],
        input="a brand new desk phrase\n",
    )
    assert changed.exit_code == 0, changed.output
    assert is_login_redirect(thief.get(f"/staff/assessments/{reference}"))
    assert not logged_in(client)  # the session it was copied from ends too: log in with the new one


def test_a_disabled_accounts_sessions_end_at_once(
    runner: CliRunner, client: FlaskClient, stolen: tuple[FlaskClient, str]
) -> None:
    thief, reference = stolen
    assert runner.invoke(main, ["users", "disable", RECEPTION.username]).exit_code == 0
    assert is_login_redirect(thief.get(f"/staff/assessments/{reference}"))
    assert not logged_in(client)


def test_a_session_ends_12_hours_after_logging_in_however_active(
    client: FlaskClient, stolen: tuple[FlaskClient, str]
) -> None:
    _, reference = stolen
    with client.session_transaction() as session:
        session["staff_since"] = time.time() - 12 * 3600 + 60
    assert client.get(f"/staff/assessments/{reference}").status_code == 200  # a minute to go
    with client.session_transaction() as session:
        session["staff_since"] = time.time() - 12 * 3600 - 1
    response = client.get(f"/staff/assessments/{reference}")
    assert is_login_redirect(response)
    login_page = client.get(response.location).text
    assert "12 hours after logging in" in login_page


def test_the_absolute_limit_is_a_setting(make_app: Callable[..., Flask], database: Path) -> None:
    app = make_app(database, STAFF_SESSION_LIMIT_SECONDS=60)
    client = app.test_client()
    login(client, RECEPTION)
    with client.session_transaction() as session:
        session["staff_since"] = time.time() - 61
    assert not logged_in(client)


def test_logging_in_again_after_logout_works(client: FlaskClient) -> None:
    login(client, RECEPTION)
    client.post("/staff/logout")
    login(client, RECEPTION)
    assert logged_in(client)


def test_the_csrf_token_from_before_login_is_refused_after_it(csrf_client: FlaskClient) -> None:
    before = csrf_token(csrf_client, "/staff/login")
    response = csrf_client.post(
        "/staff/login",
        data={"username": RECEPTION.username, "password": RECEPTION.password, "csrf_token": before},
    )
    assert response.status_code == 302
    assert csrf_client.post("/staff/logout", data={"csrf_token": before}).status_code == 400
    assert logged_in(csrf_client)
    after = csrf_token(csrf_client, "/staff/")
    assert after != before
    assert is_login_redirect(csrf_client.post("/staff/logout", data={"csrf_token": after}))


def test_logging_out_still_clears_a_remember_cookie_the_browser_holds(client: FlaskClient) -> None:
    """The app never sets Flask-Login's remember cookie; one the browser still holds is cleared at
    logout (its bookkeeping runs after staff requests)."""
    login(client, RECEPTION)
    client.set_cookie("remember_token", "1|stale")
    logged_out = client.post("/staff/logout")
    assert logged_out.status_code == 302
    cleared = [c for c in logged_out.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert cleared and "Expires=Thu, 01 Jan 1970" in cleared[0]
