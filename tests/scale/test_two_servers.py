"""Two gunicorn servers behind one name, as a practice scaling out would run them: both on the one
PostgreSQL database and the one Redis (RATELIMIT_STORAGE_URI), the same SECRET_KEY.

They must behave as one: login throttling counted across both, a staff session (and its end at
logout) valid on both, concurrent writers spread over both each stored once, one second-factor
code sent to both at the same moment logging in once, each ready.
Needs TEST_DATABASE_URL and TEST_REDIS_URL (`.ci/run` starts both); skipped locally without them,
a failure under CI=true. Traffic goes to 127.0.0.1 only, bounded in count.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.ops.served import triage
from tests.support.cases import VIGNETTES
from tests.support.database import IN_CI, POSTGRESQL_URL, reset_postgresql, upgrade
from tests.support.services import redis_url
from triage import PROJECT_ROOT

REDIS_URL = redis_url()
WRITERS = 50
PASSWORD = "two servers, one practice"  # noqa: S105  # a test account's
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _needed() -> None:
    missing = [
        name
        for name, value in (("TEST_DATABASE_URL", POSTGRESQL_URL), ("TEST_REDIS_URL", REDIS_URL))
        if not value
    ]
    if missing:
        reason = f"{' and '.join(missing)} not set: the two-server test needs PostgreSQL and Redis"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true, so it must run; .ci/run starts both)", pytrace=False)
        pytest.skip(reason)


@dataclass
class Servers:
    urls: list[str]
    api_key: str
    env: dict[str, str]
    username: str = "reception-two"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"a server stopped at start-up: {log.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not start within 60 s")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Two gunicorn servers (one worker, two threads each) on PostgreSQL and Redis."""
    _needed()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # no throttling counted by an earlier run
    url = reset_postgresql()
    upgrade(url)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RATELIMIT_", "LOGIN_FAILURES", "DATABASE_URL", "SECRET_KEY"))
    }
    env |= {
        "DATABASE_URL": url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": "false",
        "STAFF_MFA": "admins",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "LOG_LEVEL": "WARNING",
        "LOGIN_FAILURES_PER_SOURCE": "4 per 15 minutes",
        "RATELIMIT_API_ADDRESS": "1000 per minute",
        "PROXY_COUNT": "1",  # each browser of the second-factor tests comes from an address of its own
    }
    triage(
        env,
        "users",
        "create",
        "reception-two",
        "--role",
        "reception",
        "--name",
        "Two",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    api_key = triage(env, "api-keys", "create", "two-servers").strip().splitlines()[-1]
    processes, urls, logs = [], [], []
    folder = tmp_path_factory.mktemp("two-servers")
    for number in (1, 2):
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "run:app",
        ]
        logs.append(folder / f"server-{number}.log")
        with logs[-1].open("wb") as log:  # the server writes on; this process needs no handle
            processes.append(
                subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
            )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url_of, process, log_of in zip(urls, processes, logs, strict=True):
            _wait_ready(url_of, process, log_of)
        yield Servers(urls, api_key, env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def _token(response: requests.Response) -> str:
    match = _TOKEN.search(response.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _browser(address: str) -> requests.Session:
    """A browser whose requests come from `address` (as the proxy in front says: X-Forwarded-For)."""
    browser = requests.Session()
    browser.headers["X-Forwarded-For"] = address
    return browser


def _log_in(browser: requests.Session, base: str, username: str, password: str) -> requests.Response:
    page = browser.get(f"{base}/staff/login", timeout=10)
    return browser.post(
        f"{base}/staff/login",
        data={"csrf_token": _token(page), "username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )


def test_each_server_is_ready(servers: Servers) -> None:
    for url in servers.urls:
        answer = requests.get(f"{url}/readyz", timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "ready"
        assert "Set-Cookie" not in answer.headers


def test_a_staff_session_begun_on_one_server_holds_on_the_other_and_ends_on_both(servers: Servers) -> None:
    first, second = servers.urls
    browser = requests.Session()
    assert _log_in(browser, first, servers.username, PASSWORD).status_code == 302
    assert browser.get(f"{second}/staff/", allow_redirects=False, timeout=10).status_code == 200
    queue = browser.get(f"{first}/staff/", timeout=10)
    kept = browser.cookies.copy()
    logged_out = browser.post(
        f"{second}/staff/logout", data={"csrf_token": _token(queue)}, allow_redirects=False, timeout=10
    )
    assert logged_out.status_code == 302
    replayed = requests.Session()
    replayed.cookies.update(kept)  # the cookie from before the logout, shown again to either server
    for url in servers.urls:
        answer = replayed.get(f"{url}/staff/", allow_redirects=False, timeout=10)
        assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]


def test_login_failures_are_counted_across_both_servers(servers: Servers) -> None:
    """Four wrong passwords (the limit set above), two on each server: then even the right password
    waits, on either server."""
    browser = requests.Session()
    for attempt in range(4):
        answer = _log_in(browser, servers.urls[attempt % 2], "reception-two", "not the password at all")
        assert answer.status_code == 200  # the login page again
    for url in servers.urls:
        answer = _log_in(requests.Session(), url, "reception-two", PASSWORD)
        assert answer.status_code == 200, "logged in although the failures reached the limit"
        assert "Location" not in answer.headers


def test_concurrent_writers_spread_over_both_servers_are_each_stored_once(servers: Servers) -> None:
    def write(number: int) -> requests.Response:
        return requests.post(
            f"{servers.urls[number % 2]}/api/v1/assessments",
            json=VIGNETTES[number % len(VIGNETTES)]["answers"],
            headers={"Authorization": f"Bearer {servers.api_key}"},
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        answered = list(pool.map(write, range(WRITERS)))
    assert [a.status_code for a in answered] == [200] * WRITERS, [
        a.text[:200] for a in answered if a.status_code != 200
    ]
    saved = [a.json()["reference"] for a in answered if a.json()["saved"]]
    assert len(saved) == WRITERS
    engine = create_engine(POSTGRESQL_URL, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            stored = (
                connection.execute(
                    text(
                        "SELECT reference FROM assessments WHERE channel = 'api' AND api_key = 'two-servers'"
                    )
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    assert sorted(stored) == sorted(saved)  # every accepted write once, nothing else
    assert len(set(stored)) == WRITERS


ADMIN = "admin-two"


@pytest.fixture(scope="module")
def enrolled(servers: Servers) -> tuple[pyotp.TOTP, list[str]]:
    """An admin account set up through the pages of the first server: its authenticator, its
    recovery codes."""
    creation = ("users", "create", ADMIN, "--role", "admin", "--name", "Admin", "--password-stdin")
    triage(servers.env, *creation, stdin=PASSWORD + "\n")
    base, browser = servers.urls[0], _browser("127.0.7.1")
    assert _log_in(browser, base, ADMIN, PASSWORD).headers["Location"].endswith("/staff/mfa/setup")
    page = browser.get(f"{base}/staff/mfa/setup", timeout=10)
    key = re.search(r'class="mfa-key">([^<]+)<', page.text)
    assert key, "no key on the set-up page"
    totp = pyotp.TOTP(key.group(1).replace(" ", ""))
    sent = browser.post(
        f"{base}/staff/mfa/setup",
        data={"csrf_token": _token(page), "code": totp.now()},
        allow_redirects=False,
        timeout=10,
    )
    assert sent.headers["Location"].endswith("/staff/mfa/recovery-codes")
    shown = browser.get(f"{base}/staff/mfa/recovery-codes", timeout=10).text
    return totp, re.findall(r"<li><code>([0-9A-Z-]+)</code></li>", shown)


def _same_code_to_both(servers: Servers, code: str, browsers: int, first_address: int) -> list[str]:
    """`browsers` browsers give the admin's password (each from an address of its own, on both servers
    in turn), then all post `code` at the same moment; where each was sent."""
    ready = []
    for number in range(browsers):
        base, browser = servers.urls[number % 2], _browser(f"127.0.7.{first_address + number}")
        assert _log_in(browser, base, ADMIN, PASSWORD).headers["Location"].endswith("/staff/login/code")
        ready.append((base, browser, _token(browser.get(f"{base}/staff/login/code", timeout=10))))
    start = threading.Barrier(browsers)

    def send(number: int) -> str:
        base, browser, token = ready[number]
        start.wait(timeout=30)
        answer = browser.post(
            f"{base}/staff/login/code",
            data={"csrf_token": token, "code": code},
            allow_redirects=False,
            timeout=30,
        )
        return str(answer.headers.get("Location", answer.status_code))

    with ThreadPoolExecutor(max_workers=browsers) as pool:
        return list(pool.map(send, range(browsers)))


def test_one_code_sent_to_both_servers_at_once_logs_in_once(
    servers: Servers, enrolled: tuple[pyotp.TOTP, list[str]]
) -> None:
    totp, _ = enrolled
    code = totp.at(time.time() + totp.interval)  # the step after the one the set-up used
    where = _same_code_to_both(servers, code, 6, first_address=10)
    assert [place.endswith("/staff/") for place in where].count(True) == 1, where


def test_one_recovery_code_sent_to_both_servers_at_once_logs_in_once(
    servers: Servers, enrolled: tuple[pyotp.TOTP, list[str]]
) -> None:
    _, codes = enrolled
    where = _same_code_to_both(servers, codes[0], 8, first_address=20)
    assert [place.endswith("/staff/") for place in where].count(True) == 1, where
