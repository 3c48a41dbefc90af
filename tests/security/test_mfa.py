"""Finding 9: staff who see special-category health data log in with a second factor. TOTP (an
authenticator app) with one-time recovery codes; set up at the first login; required for admins
always and for everyone under STAFF_MFA=required (a deployment's default); `users reset-mfa`."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support.markup import parse, problems
from tests.support.records import account, audit_entries
from tests.support.staff import (
    ADMIN,
    CODE_PAGE,
    RECEPTION,
    RECOVERY_PAGE,
    SETUP_PAGE,
    Staff,
    enrolment_key,
    is_login_redirect,
    logged_in,
    login,
    next_code,
    try_login,
)
from triage.cli import main
from triage.config import Defaults

WRONG_CODE = "This code is not right. Enter the 6-digit code your authenticator app shows now."


def password_step(client: FlaskClient, user: Staff) -> str:
    """Send the right password; where the browser is sent."""
    response = try_login(client, user.username, user.password)
    assert response.status_code == 302, problems(response)
    return str(response.location)


def enrol(client: FlaskClient, user: Staff) -> list[str]:
    """The first login of an account that must use MFA, through the set-up; its recovery codes."""
    assert password_step(client, user) == SETUP_PAGE
    key = enrolment_key(client)
    sent = client.post(SETUP_PAGE, data={"code": pyotp.TOTP(key).now()})
    assert (sent.status_code, sent.location) == (302, RECOVERY_PAGE), problems(sent)
    page = parse(client.get(RECOVERY_PAGE).text)
    return [code.text for code in page.one("ul", cls="recovery-codes").find_all("code")]


def test_a_deployment_requires_mfa_of_everyone_by_default() -> None:
    assert Defaults.STAFF_MFA == "required"


def test_an_admin_sets_up_an_authenticator_at_the_first_login(app: Flask, client: FlaskClient) -> None:
    assert password_step(client, ADMIN) == SETUP_PAGE
    assert not logged_in(client), "the password alone must not log in"
    page = client.get(SETUP_PAGE)
    document = parse(page.text)
    assert document.one("div", cls="qr__code").find_all("svg"), "the QR code is drawn in the page"
    key = enrolment_key(client)
    assert len(key) == 32
    wrong = client.post(SETUP_PAGE, data={"code": "000000"})
    assert wrong.status_code == 200
    assert WRONG_CODE in problems(wrong)
    sent = client.post(SETUP_PAGE, data={"code": pyotp.TOTP(key).now()})
    assert sent.location == RECOVERY_PAGE
    codes = parse(client.get(RECOVERY_PAGE).text).one("ul", cls="recovery-codes").find_all("code")
    assert len(codes) == 10
    assert logged_in(client)
    assert client.get(RECOVERY_PAGE).status_code == 302, "recovery codes are shown once"
    stored = account(app, ADMIN.username)
    assert stored.mfa_secret and key not in stored.mfa_secret, "the secret is stored encrypted"
    assert len(stored.mfa_recovery or []) == 10
    assert not {code.text for code in codes} & set(stored.mfa_recovery or []), "codes are stored hashed"
    assert "mfa_enrol" in [entry.action for entry in audit_entries(app)]


def test_once_set_up_the_password_alone_does_not_log_in(client: FlaskClient) -> None:
    login(client, ADMIN)
    client.post("/staff/logout")
    assert password_step(client, ADMIN) == CODE_PAGE
    assert not logged_in(client)
    assert is_login_redirect(client.get("/staff/audit"))


def test_the_code_from_the_app_logs_in_once(app: Flask, client: FlaskClient) -> None:
    login(client, ADMIN)
    client.post("/staff/logout")
    password_step(client, ADMIN)
    code = next_code(app, ADMIN.username)
    assert client.post(CODE_PAGE, data={"code": code}).location == "/staff/"
    client.post("/staff/logout")
    password_step(client, ADMIN)
    replayed = client.post(CODE_PAGE, data={"code": code})
    assert replayed.status_code == 200
    assert WRONG_CODE in problems(replayed)
    assert not logged_in(client)


def test_a_recovery_code_logs_in_once(client: FlaskClient) -> None:
    codes = enrol(client, ADMIN)
    client.post("/staff/logout")
    password_step(client, ADMIN)
    used = client.post(CODE_PAGE, data={"code": codes[3].lower().replace("-", " ")})
    assert used.location == "/staff/"
    assert "9 left" in client.get("/staff/").text
    client.post("/staff/logout")
    password_step(client, ADMIN)
    assert WRONG_CODE in problems(client.post(CODE_PAGE, data={"code": codes[3]}))


def test_under_admins_only_reception_logs_in_with_the_password(client: FlaskClient) -> None:
    assert password_step(client, RECEPTION) == "/staff/"
    assert logged_in(client)


def test_under_required_everyone_sets_up_an_authenticator(
    make_app: Callable[..., Flask], database: Path
) -> None:
    client = make_app(database, STAFF_MFA="required").test_client()
    assert len(enrol(client, RECEPTION)) == 10
    assert logged_in(client)


def test_users_reset_mfa_makes_the_account_set_up_again_and_ends_its_sessions(
    app: Flask, client: FlaskClient, runner: CliRunner
) -> None:
    login(client, ADMIN)
    result = runner.invoke(main, ["users", "reset-mfa", ADMIN.username])
    assert result.exit_code == 0, result.output
    assert not logged_in(client)
    assert account(app, ADMIN.username).mfa_secret is None
    assert password_step(app.test_client(), ADMIN) == SETUP_PAGE
    assert runner.invoke(main, ["users", "reset-mfa", "nobody"]).exit_code == 1


def test_the_code_must_follow_the_password_within_ten_minutes(app: Flask, client: FlaskClient) -> None:
    login(client, ADMIN)
    client.post("/staff/logout")
    password_step(client, ADMIN)
    with client.session_transaction() as session:
        session["staff_pending"] = {**session["staff_pending"], "at": time.time() - 601}
    late = client.post(CODE_PAGE, data={"code": next_code(app, ADMIN.username)})
    assert is_login_redirect(late)
    assert not logged_in(client)


def test_wrong_codes_back_off_and_the_login_starts_again(app: Flask, client: FlaskClient) -> None:
    login(client, ADMIN)
    client.post("/staff/logout")
    password_step(client, ADMIN)
    for _ in range(5):
        assert client.post(CODE_PAGE, data={"code": "123456"}).status_code == 200
    stopped = client.post(CODE_PAGE, data={"code": next_code(app, ADMIN.username)})
    assert is_login_redirect(stopped)
    assert "Too many wrong codes" in client.get("/staff/login").text
    assert not logged_in(client)


@pytest.mark.parametrize("path", [SETUP_PAGE, CODE_PAGE])
def test_the_steps_after_the_password_are_closed_without_it(client: FlaskClient, path: str) -> None:
    assert is_login_redirect(client.get(path))
    assert is_login_redirect(client.post(path, data={"code": "123456"}))
