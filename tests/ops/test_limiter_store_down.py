"""When the shared rate-limit store (Redis) cannot be reached, each server counts the limits in its
own memory: pages still answer, never with a server error, and floods are still stopped.

Served as production serves it (tests/ops/served.py), in a process of its own: the limiter keeps
its note that the store is down for as long as its process lives. The store is a closed port on
127.0.0.1: its connections are refused at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from tests.ops.served import (
    Served,
    csrf_token,
    free_port,
    gunicorn_command,
    installation,
    running,
    triage,
    wait_until_answering,
)
from tests.support.cases import VIGNETTES
from tests.support.flow import FLOW
from tests.support.journeys import page_url

UNREACHABLE = "redis://127.0.0.1:1"
USERNAME, PASSWORD = "reception-down", "the right password, long enough"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One gunicorn worker whose rate-limit store cannot be reached, with small limits."""
    folder = tmp_path_factory.mktemp("store-down")
    port = free_port()
    env = installation(
        folder,
        RATELIMIT_STORAGE_URI=UNREACHABLE,
        RATELIMIT_PATIENT_PAGES="3 per minute",
        RATELIMIT_API_ADDRESS="5 per minute",
        SESSION_COOKIE_SECURE="false",
        STAFF_MFA="admins",
        WEB_CONCURRENCY="1",  # every request counted in the one process's memory
        GUNICORN_THREADS="2",
        BIND=f"127.0.0.1:{port}",
    )
    triage(env, "users", "create", USERNAME, "--role", "reception", "--name", "Desk", "--password-stdin",
           stdin=PASSWORD + "\n")  # fmt: skip
    with running(gunicorn_command(), env, folder / "gunicorn.log") as server:
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(f"{url}/healthz", server)
        yield Served(url, server.log)


def test_a_patients_answers_are_answered_and_a_flood_of_them_is_stopped(served: Served) -> None:
    browser = requests.Session()
    first = f"{served.url}{page_url(FLOW.pages[0])}"
    page = browser.get(first, timeout=10)
    assert page.status_code == 200
    posted = [
        browser.post(first, data={"csrf_token": csrf_token(page)}, allow_redirects=False, timeout=10)
        for _ in range(4)
    ]
    statuses = [p.status_code for p in posted]
    assert 500 not in statuses and 429 not in statuses[:3] and statuses[3] == 429, statuses
    assert [p.headers["X-RateLimit-Remaining"] for p in posted] == ["2", "1", "0", "0"]
    assert 1 <= int(posted[3].headers["Retry-After"]) <= 61
    assert browser.get(first, timeout=10).status_code == 200  # a page read is never refused


def test_the_api_assesses_and_a_flood_is_stopped(served: Served) -> None:
    case = VIGNETTES[0]
    answers = [
        requests.post(f"{served.url}/api/v1/assessments", json=case["answers"], timeout=10) for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[0].json()["level"] == case["expected_level"]
    assert "request" in answers[5].json()["errors"]  # JSON under /api/, as ever
    assert 1 <= int(answers[5].headers["Retry-After"]) <= 61


def test_failed_logins_still_back_off_and_a_flood_of_logins_is_stopped(served: Served) -> None:
    """LOGIN_FAILURES_PER_SOURCE (5 per 15 minutes) and 10 login posts a minute, counted in memory."""
    browser = requests.Session()
    token = csrf_token(browser.get(f"{served.url}/staff/login", timeout=10))

    def log_in(password: str) -> requests.Response:
        sent = {"csrf_token": token, "username": USERNAME, "password": password}
        return browser.post(f"{served.url}/staff/login", data=sent, allow_redirects=False, timeout=10)

    wrong = [log_in("not the password at all") for _ in range(5)]
    assert [w.status_code for w in wrong] == [200] * 5
    right = log_in(PASSWORD)
    assert right.status_code == 200 and "Too many failed attempts" in right.text  # held back
    more = [log_in("not the password at all").status_code for _ in range(5)]
    assert more == [200] * 4 + [429]  # the eleventh post of the minute


def test_the_outage_is_logged_as_a_warning_without_an_address(served: Served) -> None:
    requests.post(f"{served.url}/api/v1/assessments", json=VIGNETTES[0]["answers"], timeout=10)
    lines = [json.loads(line) for line in served.log.read_text().splitlines() if line.startswith("{")]
    warned = [line for line in lines if "unreachable" in line["message"].lower()]
    assert warned and {line["level"] for line in warned} == {"warning"}  # counting in memory, said
    assert not any("127.0.0.1" in line["message"] for line in lines)  # no address, the store's or a client's
    assert not any(line["level"] in ("error", "critical") for line in lines)
