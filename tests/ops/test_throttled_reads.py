"""Reads skip the rate limiter, except where a view's limits count reads (a PDF costs CPU time)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
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


def test_without_limits_for_every_request_only_the_views_limits_are_checked(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    from triage.extensions import limiter

    app = make_app(database, RATELIMIT_PATIENT_PAGES="1 per minute")
    assert limiter._check_request_limit not in app.before_request_funcs[None]  # no empty check per request
    client = app.test_client()
    prime(client, {}, submitted=False)
    first = FLOW.pages[0]
    statuses = [client.post(page_url(first), data={}).status_code for _ in range(2)]
    assert statuses[-1] == 429  # the view's own limit still counts


def test_limits_for_every_request_are_checked_before_each(
    make_app: Callable[..., Flask], database: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage.extensions import limiter

    # Default limits stay on the one Limiter after its app is gone: other apps must not get them.
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [])
    app = make_app(database, RATELIMIT_DEFAULT="2 per minute")
    assert limiter._check_request_limit in app.before_request_funcs[None]
    statuses = [app.test_client().get(page_url(FLOW.pages[0])).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


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


def test_the_limiters_per_request_hooks_are_skipped_without_a_checked_limit(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    from triage.extensions import limiter

    app = make_app(database)
    after = app.after_request_funcs[None]
    assert not any(getattr(hook, "args", None) == (limiter,) for hook in after)  # only its guarded form
    guarded = [getattr(hook, "__wrapped__", None) for hook in after]
    assert any(getattr(hook, "args", None) == (limiter,) for hook in guarded)
    release = limiter._Limiter__release_context  # type: ignore[attr-defined]
    assert release not in app.teardown_request_funcs[None]
    with app.test_request_context("/"):
        from flask.globals import request_ctx

        for hook in app.teardown_request_funcs[None]:
            hook(None)
        assert not hasattr(request_ctx._get_current_object(), "_limiter_request_context")


def test_a_page_read_is_never_counted_against_its_views_limit(
    make_app: Callable[..., Flask], database: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage.extensions import limiter

    app = make_app(database, RATELIMIT_PATIENT_PAGES="5 per minute", RATELIMIT_PATIENT_FORMS="5 per minute")
    client = app.test_client()
    prime(client, {}, submitted=False)
    counted: list[tuple[str, str]] = []
    strategy = limiter.limiter
    hit = strategy.hit

    def hit_and_note(item: object, *identifiers: str, **kwargs: object) -> bool:
        from flask import request

        counted.append((request.method, identifiers[-1]))
        return hit(item, *identifiers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(strategy, "hit", hit_and_note)
    first = page_url(FLOW.pages[0])
    assert client.get(first).status_code == 200
    assert client.get("/check-answers").status_code in (200, 302)
    assert counted == []  # neither read counted
    assert client.post(first, data={}).status_code == 200  # refused answers, shown again
    assert counted == [("POST", "patient.question_page")]  # a POST is counted, once


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
