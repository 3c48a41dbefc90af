"""Finding 7: failed logins back off, and never let a stranger lock the reception out. Failures
count per username and address (or per username and a browser it logged in on before) and per
username from unknown browsers; a known browser still gets in. Real and unknown usernames get the
same answer, and every attempt checks exactly one password hash, so the time tells nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.markup import problems
from tests.support.staff import (
    ADMIN,
    CODE_PAGE,
    REAL_DUMMY_HASH,
    REAL_HASHER,
    RECEPTION,
    logged_in,
    login,
    next_code,
    try_login,
)
from triage.staff import accounts

WRONG = "The username or password is not right."
WAIT = (
    "Too many failed attempts with this username. Wait 15 minutes, then try again, or log in on a "
    "computer you have used before."
)


def browser_at(app: Flask, address: str) -> FlaskClient:
    """A fresh browser whose requests come from this address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_five_failures_from_one_address_make_that_address_wait(app: Flask) -> None:
    stranger = browser_at(app, "198.51.100.9")
    for attempt in range(5):
        assert problems(try_login(stranger, RECEPTION.username, f"guess {attempt}")) == [WRONG]
    right = try_login(stranger, RECEPTION.username, RECEPTION.password)
    assert problems(right) == [WAIT]
    assert not logged_in(stranger)
    login(browser_at(app, "203.0.113.20"), RECEPTION)  # the same account from the reception desk


def test_a_stranger_on_many_addresses_cannot_lock_the_reception_out(app: Flask) -> None:
    desk = browser_at(app, "203.0.113.20")
    login(desk, RECEPTION)  # this browser is now known for the account
    desk.post("/staff/logout")
    for address in range(5):
        stranger = browser_at(app, f"198.51.100.{address}")
        for attempt in range(5):
            try_login(stranger, RECEPTION.username, f"guess {address}.{attempt}")
    newcomer = browser_at(app, "198.51.100.200")
    assert problems(try_login(newcomer, RECEPTION.username, RECEPTION.password)) == [WAIT]
    login(desk, RECEPTION)  # the reception's own browser gets in whatever strangers tried
    assert logged_in(desk)


def test_a_known_browser_backs_off_after_its_own_failures(app: Flask) -> None:
    desk = browser_at(app, "203.0.113.20")
    login(desk, RECEPTION)
    desk.post("/staff/logout")
    for attempt in range(5):
        try_login(desk, RECEPTION.username, f"typo {attempt}")
    assert problems(try_login(desk, RECEPTION.username, RECEPTION.password)) == [WAIT]


@pytest.mark.parametrize("username", [RECEPTION.username, "nobody-at-all"])
def test_real_and_unknown_usernames_get_the_same_answers(app: Flask, username: str) -> None:
    stranger = browser_at(app, "198.51.100.9")
    answers = [problems(try_login(stranger, username, f"guess {n}")) for n in range(7)]
    assert answers == [[WRONG]] * 5 + [[WAIT]] * 2


def test_a_successful_login_is_not_held_back_by_earlier_typos(app: Flask) -> None:
    desk = browser_at(app, "203.0.113.20")
    for attempt in range(4):
        try_login(desk, RECEPTION.username, f"typo {attempt}")
    login(desk, RECEPTION)


def test_the_limits_are_settings(make_app: Callable[..., Flask], database: Path) -> None:
    app = make_app(database, LOGIN_FAILURES_PER_SOURCE="2 per 15 minutes")
    stranger = browser_at(app, "198.51.100.9")
    try_login(stranger, RECEPTION.username, "one")
    try_login(stranger, RECEPTION.username, "two")
    assert problems(try_login(stranger, RECEPTION.username, RECEPTION.password)) == [WAIT]


@pytest.fixture
def counted_hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every password hash checked, in order."""
    checked: list[str] = []
    real_verify = accounts._verify

    def verify(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", verify)
    yield checked


def test_every_attempt_checks_exactly_one_password_hash(app: Flask, counted_hashes: list[str]) -> None:
    stranger = browser_at(app, "198.51.100.9")
    for attempt in range(5):
        try_login(stranger, RECEPTION.username, f"guess {attempt}")
    try_login(stranger, "nobody-at-all", "guess")
    try_login(stranger, RECEPTION.username, "backed off")  # waiting: still one hash checked
    assert len(counted_hashes) == 7


def test_a_backed_off_answer_takes_as_long_as_a_wrong_password(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "_hasher", REAL_HASHER)  # the production cost: ~0.1-0.3 s a check
    monkeypatch.setattr(accounts, "_DUMMY_HASH", REAL_DUMMY_HASH)
    stranger = browser_at(app, "198.51.100.9")

    def timed(username: str, password: str) -> float:
        start = time.perf_counter()
        try_login(stranger, username, password)
        return time.perf_counter() - start

    wrong = min(timed("nobody-at-all", f"guess {n}") for n in range(5))
    waiting = min(timed("nobody-at-all", "backed off") for _ in range(2))
    assert waiting > 0.5 * wrong, f"backed off in {waiting:.3f} s, a wrong password in {wrong:.3f} s"


def test_outside_development_the_known_browser_cookie_is_secure_with_a_host_prefix(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, TESTING=False)
    response = try_login(app.test_client(), RECEPTION.username, RECEPTION.password)
    assert response.status_code == 302
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if "staff-device=" in c]
    assert cookie.startswith("__Host-staff-device=")
    for flag in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_with_rate_limits_off_wrong_passwords_and_codes_are_refused_not_a_server_error(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    """RATELIMIT_ENABLED=false (development) turns the back-off off, never the login itself."""
    app = make_app(database, RATELIMIT_ENABLED=False)
    browser = app.test_client()
    for attempt in range(8):
        assert problems(try_login(browser, RECEPTION.username, f"guess {attempt}")) == [WRONG]
    assert login(browser, RECEPTION) == "/staff/"
    login(app.test_client(), ADMIN)  # its authenticator set up: its next login asks for a code
    admin = app.test_client()
    password = admin.post("/staff/login", data={"username": ADMIN.username, "password": ADMIN.password})
    assert urlsplit(password.location).path == CODE_PAGE
    for _ in range(3):
        wrong = admin.post(CODE_PAGE, data={"code": "000000"})
        assert wrong.status_code == 200 and problems(wrong)
    right = admin.post(CODE_PAGE, data={"code": next_code(app, ADMIN.username)})
    assert (right.status_code, right.location) == (302, "/staff/")
