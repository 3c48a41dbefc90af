"""A page that is only read is never counted, except where its view counts reads (a PDF costs CPU time)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from tests.support.cases import VIGNETTES
from tests.support.flow import FLOW
from tests.support.journeys import page_url, prime


def test_a_patients_pdf_is_throttled_though_it_is_a_read(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    client = make_app(database, RATELIMIT_PDF="2 per minute").test_client()
    prime(client, VIGNETTES[0]["answers"], submitted=True)
    statuses = [client.get("/result/summary.pdf").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_question_pages_shown_are_never_counted(make_app: Callable[..., Flask], database: Path | str) -> None:
    client = make_app(database, RATELIMIT_PATIENT_PAGES="1 per minute").test_client()
    assert {client.get(page_url(FLOW.pages[0])).status_code for _ in range(5)} == {200}


def test_limits_for_every_request_count_the_pages_without_limits_of_their_own(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    app = make_app(database, RATELIMIT_DEFAULT="2 per minute")
    statuses = [app.test_client().get("/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    other = make_app(database)  # the next app, without them: not one limit left over
    assert {other.test_client().get("/").status_code for _ in range(5)} == {200}


def test_the_limiters_headers_come_only_after_a_view_whose_limit_was_checked(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    app = make_app(database, RATELIMIT_PATIENT_PAGES="5 per minute")
    client = app.test_client()
    prime(client, {}, submitted=False)
    first = page_url(FLOW.pages[0])
    posted = [client.post(first, data={}) for _ in range(2)]
    assert [p.headers["X-RateLimit-Limit"] for p in posted] == ["5", "5"]
    assert [p.headers["X-RateLimit-Remaining"] for p in posted] == ["4", "3"]  # counted on, not stale
    shown = client.get(first)
    assert shown.status_code == 200
    assert "X-RateLimit-Limit" not in shown.headers  # a page only read: no limit checked


def test_a_page_read_is_never_counted_against_its_views_limit(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    app = make_app(database, RATELIMIT_PATIENT_PAGES="1 per minute", RATELIMIT_PATIENT_FORMS="1 per minute")
    client = app.test_client()
    prime(client, VIGNETTES[0]["answers"], submitted=False)
    first = page_url(FLOW.pages[0])
    assert {client.get(first).status_code for _ in range(3)} == {200}
    assert {client.get("/check-answers").status_code for _ in range(3)} == {200}
    assert client.post("/check-answers").status_code == 302  # the one confirmation of the minute
    assert client.post("/check-answers").status_code == 429
    assert client.post(first, data={}).status_code != 429  # the one answer of the minute
    assert client.post(first, data={}).status_code == 429


def test_confirming_answers_and_asking_for_a_call_back_share_one_limit_per_address(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    app = make_app(database, RATELIMIT_PATIENT_FORMS="2 per minute")
    client = app.test_client()
    prime(client, VIGNETTES[0]["answers"], submitted=False)
    assert client.post("/check-answers").status_code == 302  # confirmed: the result
    assert client.post("/call-back", data={}).status_code != 429  # the second of the minute
    refused = client.post("/check-answers")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Limit"] == "2"
    assert "Too many attempts" in refused.text  # the person's page, not a bare error
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    prime(other, VIGNETTES[0]["answers"], submitted=False)
    assert other.post("/check-answers").status_code == 302  # another address counts on its own
