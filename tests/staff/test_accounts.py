"""Logging in: throttling, lockout after repeated failures, argon2 hashes, idle expiry, and the
`python -m triage users` commands."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support.markup import problems
from tests.support.records import account, audit_entries, record
from tests.support.staff import (
    CLINICIAN,
    FAST_HASHER,
    REAL_DUMMY_HASH,
    REAL_HASHER,
    RECEPTION,
    Staff,
    is_login_redirect,
    logged_in,
    login,
    try_login,
)
from triage.cli import main
from triage.extensions import db
from triage.staff import accounts
from triage.storage import repository

WRONG = "The username or password is not right."


# --- throttling ---------------------------------------------------------------------------------


def test_the_eleventh_login_post_within_a_minute_from_one_address_gets_429(client: FlaskClient) -> None:
    for attempt in range(10):
        response = client.post("/staff/login", data={"username": "", "password": ""})
        assert response.status_code == 200, f"attempt {attempt + 1}"
    blocked = try_login(client, RECEPTION.username, RECEPTION.password)
    assert blocked.status_code == 429
    assert 55 <= int(blocked.headers["Retry-After"]) <= 60, "the wait left in the minute"  # posts take time
    assert not logged_in(client), "a throttled login must not log in, even with the right password"
    assert client.get("/staff/login").status_code == 200, "only posts are throttled"


def test_the_throttle_counts_per_address(client: FlaskClient) -> None:
    for _ in range(10):
        client.post("/staff/login", data={"username": "", "password": ""})
    assert try_login(client, "x", "").status_code == 429
    elsewhere = client.post(
        "/staff/login",
        data={"username": RECEPTION.username, "password": RECEPTION.password},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert (elsewhere.status_code, elsewhere.location) == (302, "/staff/")


# --- failed logins ------------------------------------------------------------------------------
# Repeated failures back off per username and address, never lock an account (a stranger could
# lock the reception out): tests/security/test_login_backoff.py.


def test_an_unknown_username_gets_the_same_message_as_a_wrong_password(client: FlaskClient) -> None:
    unknown = try_login(client, "nobody-here", RECEPTION.password)
    wrong = try_login(client, RECEPTION.username, "not the password at all")
    assert unknown.status_code == wrong.status_code == 200
    assert problems(unknown) == problems(wrong) == [WRONG]


def test_an_empty_form_asks_for_username_and_password(client: FlaskClient) -> None:
    response = client.post("/staff/login", data={"username": "", "password": ""})
    assert problems(response) == ["Enter your username", "Enter your password"]


def test_the_password_is_never_put_back_into_the_login_page(client: FlaskClient) -> None:
    response = try_login(client, RECEPTION.username, "my-secret-guess-123")
    assert "my-secret-guess-123" not in response.text


# --- hashes -------------------------------------------------------------------------------------


def test_passwords_are_stored_only_as_argon2id_hashes(app: Flask) -> None:
    with app.app_context():
        accounts.create("nina", "Nina New", "clinician", "a fresh long password")
        rows = db.session.execute(db.text("SELECT username, password_hash FROM staff_users")).all()
    assert len(rows) == 4
    for username, password_hash in rows:
        assert password_hash.startswith("$argon2id$"), username
        for user in (RECEPTION, CLINICIAN):
            assert user.password not in password_hash
        assert "a fresh long password" not in password_hash
    assert repr(account(app, "nina")) == "<StaffUser nina clinician>"


def test_production_hashes_are_argon2id_with_the_library_defaults(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "_hasher", REAL_HASHER)
    with app.app_context():
        accounts.create("nina", "Nina New", "clinician", "a fresh long password")
    stored = account(app, "nina").password_hash
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not REAL_HASHER.check_needs_rehash(stored)
    # An unknown username is checked against a hash of the same cost, so it takes as long.
    assert REAL_DUMMY_HASH.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_hash_with_weaker_parameters_is_upgraded_at_the_next_login(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "_hasher", REAL_HASHER)
    weak = account(app, RECEPTION.username).password_hash
    assert FAST_HASHER.verify(weak, RECEPTION.password) and REAL_HASHER.check_needs_rehash(weak)
    login(client, RECEPTION)
    upgraded = account(app, RECEPTION.username).password_hash
    assert upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert REAL_HASHER.verify(upgraded, RECEPTION.password)


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [
        ("reception", "eleven char", "at least 12 characters"),
        ("doctor", "a long enough password", "role must be one of"),
    ],
)
def test_accounts_refuse_short_passwords_and_unknown_roles(
    app: Flask, role: str, password: str, message: str
) -> None:
    with app.app_context(), pytest.raises(ValueError, match=message):
        accounts.create("nina", "Nina New", role, password)
    with app.app_context():
        assert repository.find_user("nina") is None


# --- idle expiry --------------------------------------------------------------------------------


def test_a_session_idle_for_over_30_minutes_is_logged_out(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    with client.session_transaction() as session:
        session["staff_seen"] = time.time() - 30 * 60 - 5
    response = client.get("/staff/")
    assert is_login_redirect(response)
    page = client.get(response.location)
    assert "You were logged out after 30 minutes without activity." in page.text
    assert is_login_redirect(client.get("/staff/")), "the session stays ended"
    last = audit_entries(app)[-1]
    assert (last.username, last.action) == (RECEPTION.username, "logout")


def test_a_session_idle_for_under_30_minutes_stays_in(client: FlaskClient) -> None:
    login(client, RECEPTION)
    with client.session_transaction() as session:
        session["staff_seen"] = time.time() - 29 * 60
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["staff_seen"] < 60, "activity resets the idle clock"


def test_a_change_sent_after_30_idle_minutes_is_not_made(
    app: Flask, client: FlaskClient, reference: str
) -> None:
    login(client, RECEPTION)
    with client.session_transaction() as session:
        session["staff_seen"] = time.time() - 31 * 60
    response = client.post(f"/staff/assessments/{reference}/status", data={"status": "closed"})
    assert is_login_redirect(response)
    assert record(app, reference).status == "new"


def test_logging_out_ends_the_session(client: FlaskClient) -> None:
    login(client, RECEPTION)
    assert logged_in(client)
    assert is_login_redirect(client.post("/staff/logout"))
    assert not logged_in(client)


# --- the users command --------------------------------------------------------------------------


def users(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[int, str]:
    """Run `python -m triage users ...` with a line on standard input; the exit code and all it printed."""
    result = runner.invoke(main, ["users", *args], input=None if stdin is None else stdin + "\n")
    return result.exit_code, result.output


def test_the_cli_creates_an_account_that_can_log_in(
    app: Flask, client: FlaskClient, runner: CliRunner
) -> None:
    phrase = "dora's desk password"
    code, output = users(
        runner,
        "create",
        "dora",
        "--role",
        "reception",
        "--name",
        "Dora Desk",
        "--password-stdin",
        stdin=phrase,
    )
    assert (code, output.strip()) == (0, "created reception account dora")
    assert phrase not in output
    stored = account(app, "dora")
    assert (stored.role, stored.display_name, stored.active) == ("reception", "Dora Desk", True)
    assert stored.password_hash.startswith("$argon2id$")
    login(client, Staff("dora", "Dora Desk", "reception", phrase))


def test_the_cli_refuses_a_short_password_without_echoing_it(app: Flask, runner: CliRunner) -> None:
    code, output = users(
        runner,
        "create",
        "dora",
        "--role",
        "reception",
        "--name",
        "Dora Desk",
        "--password-stdin",
        stdin="short-pw",
    )
    assert code == 1
    assert "at least 12 characters" in output
    assert "short-pw" not in output
    with app.app_context():
        assert repository.find_user("dora") is None


def test_the_cli_refuses_an_unknown_role(app: Flask, runner: CliRunner) -> None:
    phrase = "a long enough password"
    code, output = users(
        runner, "create", "dora", "--role", "surgeon", "--name", "Dora", "--password-stdin", stdin=phrase
    )
    assert code == 2
    assert "surgeon" in output
    assert phrase not in output
    with app.app_context():
        assert repository.find_user("dora") is None


def test_the_cli_refuses_a_taken_username(app: Flask, runner: CliRunner) -> None:
    code, output = users(
        runner,
        "create",
        RECEPTION.username,
        "--role",
        "admin",
        "--name",
        "X",
        "--password-stdin",
        stdin="another long password",
    )
    assert code == 1
    assert "taken" in output


def test_the_cli_sets_a_new_password_and_unlocks_the_account(
    app: Flask, client: FlaskClient, runner: CliRunner
) -> None:
    for attempt in range(5):
        try_login(client, RECEPTION.username, f"wrong password {attempt}")
    new = "a brand new desk password"
    code, output = users(runner, "set-password", RECEPTION.username, "--password-stdin", stdin=new)
    assert (code, output.strip()) == (0, f"set a new password for {RECEPTION.username}")
    assert new not in output
    assert problems(try_login(client, RECEPTION.username, RECEPTION.password)) == [WRONG]
    login(client, Staff(RECEPTION.username, RECEPTION.display_name, "reception", new))
    actions = [(e.username, e.action, e.target) for e in audit_entries(app)]
    assert ("cli", "set_password", RECEPTION.username) in actions
    assert all(new not in str(e.detail) for e in audit_entries(app))


def test_the_cli_refuses_a_short_new_password_and_keeps_the_old(
    client: FlaskClient, runner: CliRunner
) -> None:
    code, output = users(runner, "set-password", RECEPTION.username, "--password-stdin", stdin="too-short")
    assert code == 1
    assert "at least 12 characters" in output and "too-short" not in output
    login(client, RECEPTION)


@pytest.mark.parametrize("command", [["disable", "ghost"], ["set-password", "ghost", "--password-stdin"]])
def test_the_cli_names_an_unknown_account(app: Flask, runner: CliRunner, command: list[str]) -> None:
    code, output = users(runner, *command, stdin="a long enough password")
    assert code == 1
    assert "no account 'ghost'" in output


def test_the_cli_disables_an_account(app: Flask, client: FlaskClient, runner: CliRunner) -> None:
    code, output = users(runner, "disable", CLINICIAN.username)
    assert (code, output.strip()) == (0, f"disabled {CLINICIAN.username}")
    assert account(app, CLINICIAN.username).active is False
    assert problems(try_login(client, CLINICIAN.username, CLINICIAN.password)) == [WRONG]


def test_the_cli_prompts_for_a_password_twice_without_echoing_it(
    app: Flask, client: FlaskClient, runner: CliRunner
) -> None:
    phrase = "typed at the prompt 42"
    result = runner.invoke(
        main,
        ["users", "create", "pat", "--role", "clinician", "--name", "Pat"],
        input=f"{phrase}\n{phrase}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert phrase not in result.output
    login(client, Staff("pat", "Pat", "clinician", phrase))
