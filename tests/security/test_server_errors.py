"""Finding 9 (server errors): requests that gave 500 answer with what is right for them instead —
a queue-news time past the calendar's ends gets 400, a JSON key that is not Unicode text gets 400,
and the phone result of an early exit's reference shows the early advice it gave."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTES
from tests.support.flow import early_level, screen_answers
from tests.support.journeys import form_data
from tests.support.markup import level_shown, parse
from tests.support.records import save
from tests.support.staff import RECEPTION, login
from triage.engine import Level
from triage.extensions import db
from triage.storage import repository

API = "/api/v1/assessments"
EARLY = next(case for case in VIGNETTES if early_level(case["answers"]) >= Level.EMERGENCY)


@pytest.fixture
def reception(app: Flask) -> FlaskClient:
    """A receptionist's browser, logged in."""
    client = app.test_client()
    login(client, RECEPTION)
    return client


# --- the queue's news ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "after",
    [
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
        "0001-01-01T00:00:00+23:59",
    ],
)
def test_a_news_time_past_the_calendars_ends_gets_400(reception: FlaskClient, after: str) -> None:
    response = reception.get("/staff/queue/news", query_string={"after": after})
    assert response.status_code == 400
    assert response.get_json() == {"error": "after: not an ISO 8601 time"}


@pytest.mark.parametrize(
    "after", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "2026-01-01T00:00"]
)
def test_a_news_time_at_the_calendars_ends_is_still_answered(reception: FlaskClient, after: str) -> None:
    response = reception.get("/staff/queue/news", query_string={"after": after})
    assert response.status_code == 200
    assert set(response.get_json()) == {"count", "newest"}


# --- JSON that is not Unicode text -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"\\ud800": 1}',
        '{"\\udfff": true, "age": 40}',
        '{"age": 40, "x\\ud83d": "no"}',  # a high surrogate with no low one after it
    ],
)
def test_a_json_key_that_is_not_unicode_text_gets_400(client: FlaskClient, body: str) -> None:
    response = client.post(API, data=body, content_type="application/json")
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert list(errors) == ["request"]
    response.data.decode("utf-8")  # the answer itself is UTF-8 text


def test_a_key_with_a_whole_surrogate_pair_is_an_unknown_question(client: FlaskClient) -> None:
    response = client.post(API, data='{"\\ud83d\\ude00": 1}', content_type="application/json")
    assert response.status_code == 422
    assert "\U0001f600" in response.get_json()["errors"]


# --- the phone result of an early exit ---------------------------------------------------------------


def early_exit_call(client: FlaskClient, case: dict[str, Any]) -> str:
    """A call that ended at the warning signs; the reference of its record."""
    client.get("/staff/phone")
    response = client.post("/staff/phone", data=form_data(screen_answers(case["answers"])))
    assert response.status_code == 200
    return str(parse(response.text).one("strong", cls="reference").text)


def test_the_phone_result_of_an_early_exit_shows_its_early_advice(reception: FlaskClient) -> None:
    reference = early_exit_call(reception, EARLY)
    response = reception.get(f"/staff/phone/result/{reference}")
    assert response.status_code == 200
    page = parse(response.text)
    assert level_shown(page) == early_level(EARLY["answers"]).value
    assert "other questions were not answered" in page.main.text
    assert reference in page.main.text


def test_the_phone_result_of_a_record_from_other_rules_opens_the_record(
    app: Flask, reception: FlaskClient
) -> None:
    reference = save(app, EARLY["answers"])
    with app.app_context():
        found = repository.find_assessment(reference)
        assert found is not None
        found.answers = {"leg_weakness": "a question these rules no longer have"}
        found.rules_hash = "rules that are gone"
        db.session.commit()
    response = reception.get(f"/staff/phone/result/{reference}")
    assert (response.status_code, response.location) == (302, f"/staff/assessments/{reference}")
