"""`make serve` as a practice runs it: gunicorn from deploy/gunicorn.conf.py with its defaults.

The rate limits hold as documented (5 wrong passwords for a username from one address, then "Too
many"): one process counts them, and says so at start-up; several processes each counting their own
are refused. On 127.0.0.1 only, bounded in count and time. (Slow clients: tests/ops/test_nginx.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.ops.served import (
    STARTUP_SECONDS,
    Served,
    csrf_token,
    free_port,
    gunicorn_command,
    installation,
    running,
    triage,
    wait_until_answering,
)

USERNAME, PASSWORD = "reception-serve", "the right password, long enough"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`make serve` with its defaults: only the address given (BIND), plain http on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("serve")
    env = installation(folder, SESSION_COOKIE_SECURE="false", STAFF_MFA="admins")
    triage(env, "users", "create", USERNAME, "--role", "reception", "--name", "Desk", "--password-stdin",
           stdin=PASSWORD + "\n")  # fmt: skip
    port = free_port()
    env["BIND"] = f"127.0.0.1:{port}"
    with running(gunicorn_command(), env, folder / "gunicorn.log") as server:
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(f"{url}/healthz", server)
        yield Served(url, server.log)


def _wrong_password(url: str) -> str:
    """One login with a wrong password, on a connection of its own, as a new browser would: what it got."""
    browser = requests.Session()
    browser.headers["Connection"] = "close"
    page = browser.get(f"{url}/staff/login", timeout=10)
    token = csrf_token(page)
    answer = browser.post(
        f"{url}/staff/login",
        data={"csrf_token": token, "username": USERNAME, "password": "not the password at all"},
        timeout=10,
    )
    browser.close()
    if answer.status_code == 429:
        return "429"
    if "Too many failed attempts" in answer.text:
        return "too many"
    return "wrong" if "username or password is not right" in answer.text else f"status {answer.status_code}"


def test_the_default_serve_says_too_many_after_five_wrong_passwords(served: Served) -> None:
    """LOGIN_FAILURES_PER_SOURCE, "5 per 15 minutes" (README): counted once for the whole server."""
    seen = [_wrong_password(served.url) for _ in range(8)]
    assert seen == ["wrong"] * 5 + ["too many"] * 3, " ".join(seen)


def test_its_start_up_line_says_one_worker_with_threads_counting_limits_in_its_memory(served: Served) -> None:
    assert "1 worker × 8 threads: rate limits counted in this process's memory" in served.log.read_text()


def test_several_workers_counting_limits_each_in_its_own_memory_are_refused(tmp_path: Path) -> None:
    env = installation(tmp_path, WEB_CONCURRENCY="2", BIND=f"127.0.0.1:{free_port()}")
    with running(gunicorn_command(), env, tmp_path / "gunicorn.log") as server:
        server.process.wait(STARTUP_SECONDS)
        said = server.output()
    assert server.process.returncode != 0
    assert "will not serve with 2 worker processes" in said and "WEB_CONCURRENCY=1" in said
    assert "Booting worker" not in said
