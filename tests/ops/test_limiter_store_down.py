"""When the shared rate-limit store (Redis) cannot be reached, the limits are counted in each
process's memory: a patient's answers still reach their guidance, and floods are still stopped.

The store here is a closed port on 127.0.0.1: its connections are refused at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

import triage.limits
from tests.support.cases import VIGNETTES
from tests.support.flow import FLOW
from tests.support.journeys import page_url, prime
from tests.support.staff import try_login
from triage.extensions import limiter

UNREACHABLE = "redis://127.0.0.1:1"


@pytest.fixture(autouse=True)
def _limiter_state_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The one limiter outlives each app: its note that the store is down must not reach other tests."""
    monkeypatch.setattr(limiter, "_storage_dead", False)
    yield


def _store_down(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "Rate limit store unreachable" in r.getMessage()]


def test_a_patients_answers_go_on_and_are_still_limited_with_the_store_down(
    make_app: Callable[..., Flask], database: Path | str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(database, RATELIMIT_STORAGE_URI=UNREACHABLE, RATELIMIT_PATIENT_PAGES="3 per minute")
    client = app.test_client()
    prime(client, {}, submitted=False)
    first = page_url(FLOW.pages[0])
    posted = [client.post(first, data={}) for _ in range(4)]
    assert [p.status_code for p in posted] == [200, 200, 200, 429]  # refused answers shown, then the limit
    assert [p.headers["X-RateLimit-Remaining"] for p in posted] == ["2", "1", "0", "0"]
    said = _store_down(caplog)
    assert len(said) == 1  # once, then counted in memory without trying the store on every request
    assert "ConnectionError" in said[0] and "127.0.0.1" not in said[0]  # the error's type, no address


def test_confirming_answers_gives_the_result_with_the_store_down(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    client = make_app(database, RATELIMIT_STORAGE_URI=UNREACHABLE).test_client()
    prime(client, VIGNETTES[0]["answers"], submitted=False)
    confirmed = client.post("/check-answers")
    assert confirmed.status_code == 302
    assert client.get(confirmed.location).status_code == 200


def test_the_api_assesses_with_the_store_down(make_app: Callable[..., Flask], database: Path | str) -> None:
    client = make_app(database, RATELIMIT_STORAGE_URI=UNREACHABLE).test_client()
    answered = client.post("/api/v1/assessments", json=VIGNETTES[0]["answers"])
    assert answered.status_code == 200
    assert answered.get_json()["level"] == VIGNETTES[0]["expected_level"]


def test_the_store_is_tried_again_once_the_fallback_time_is_over(
    make_app: Callable[..., Flask],
    database: Path | str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(triage.limits, "FALLBACK_SECONDS", 0.0)
    client = make_app(database, RATELIMIT_STORAGE_URI=UNREACHABLE).test_client()
    for _ in range(2):
        assert client.post("/api/v1/assessments", json=VIGNETTES[0]["answers"]).status_code == 200
    assert len(_store_down(caplog)) == 2  # each request found the time over and tried the store


def test_login_throttling_still_counts_with_the_store_down(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    client = make_app(database, RATELIMIT_STORAGE_URI=UNREACHABLE).test_client()
    statuses = [try_login(client, "nobody", "wrong").status_code for _ in range(11)]
    assert 500 not in statuses
    assert statuses[:10] == [200] * 10 and statuses[10] == 429  # ten a minute, counted in memory
