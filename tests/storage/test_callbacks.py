"""Call-back requests: only with consent and a number that can be called, linked to the saved
assessment, stored in international form, and still there after the app restarts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.apps import PRACTICE, dispose
from tests.support.cases import vignettes
from tests.support.journeys import prime, show, submit_online
from tests.support.markup import Document, error_summary, level_shown, parse
from tests.support.records import as_utc, assessments, callbacks, count
from triage.storage.models import CallbackRequest

#: A result that offers a call back (level "soon").
CASE = next(case for case in vignettes() if case["expected_level"] == "soon")
REQUEST = {"name": "Eleni Ioannou", "phone": "694 123 4567", "time_window": "afternoon", "consent": "y"}


@pytest.fixture
def saved(app: Flask) -> tuple[FlaskClient, str]:
    """A browser on the result page of a saved assessment, and its reference code."""
    client = app.test_client()
    reference = submit_online(client, CASE["answers"])
    assert reference is not None
    assert show(client, "/result").find_all("input", name="consent"), "the result offers no call back"
    return client, reference


def field_value(page: Document, name: str) -> str | None:
    """What the call-back form's field shows (the checked one, for radios)."""
    inputs = page.find_all("input", name=name)
    if inputs and inputs[0].get("type") == "radio":
        checked = [radio.get("value") for radio in inputs if radio.has("checked")]
        return checked[0] if checked else None
    assert len(inputs) == 1, f"expected one input {name}, found {len(inputs)}"
    return inputs[0].get("value")


def refused(client: FlaskClient, data: dict[str, Any]) -> Document:
    """Send the call-back form; it must come back as the result page, with the form and its errors."""
    response = client.post("/call-back", data=data)
    assert response.status_code == 200, f"{response.status_code} {response.location or ''}"
    page = parse(response.text)
    assert level_shown(page) == CASE["expected_level"]
    assert error_summary(page), "no error summary"
    return page


def test_without_consent_nothing_is_saved_and_what_was_typed_is_kept(
    app: Flask, saved: tuple[FlaskClient, str]
) -> None:
    client, _ = saved
    page = refused(client, {k: v for k, v in REQUEST.items() if k != "consent"})
    assert len(error_summary(page)) == 1
    assert page.find_all(id="consent-error")
    assert field_value(page, "name") == REQUEST["name"]
    assert field_value(page, "phone") == REQUEST["phone"]
    assert field_value(page, "time_window") == REQUEST["time_window"]
    assert not page.one("input", name="consent").has("checked")
    assert count(app, CallbackRequest) == 0


#: Numbers that cannot be called: too short, not digits, too long, incomplete.
UNCALLABLE = ["12", "abc", "+30 12", "694 123 456 789 012", "210 000"]
#: Numbers as people type them, and as they are stored (E.164; without a country code: Greek).
CALLABLE = {
    "694 123 4567": "+306941234567",  # a Greek mobile as people write it
    "6941234567": "+306941234567",
    "+30 694 123 4567": "+306941234567",
    "210 123 4567": "+302101234567",  # a Greek landline
    "+44 7911 123456": "+447911123456",  # a UK mobile
    "+44 20 7946 0321": "+442079460321",  # a UK landline
}


def test_a_number_that_cannot_be_called_is_refused(app: Flask, saved: tuple[FlaskClient, str]) -> None:
    client, _ = saved
    for phone in UNCALLABLE:
        page = refused(client, {**REQUEST, "phone": phone})
        assert page.find_all(id="phone-error"), phone
        assert field_value(page, "phone") == phone
        assert field_value(page, "name") == REQUEST["name"]
    assert count(app, CallbackRequest) == 0


def test_the_number_is_stored_in_international_form(app: Flask) -> None:
    expected = []
    for typed, stored in CALLABLE.items():
        client = app.test_client()
        reference = submit_online(client, CASE["answers"])
        response = client.post("/call-back", data={**REQUEST, "phone": typed})
        assert (response.status_code, response.location) == (302, "/call-back/sent"), typed
        expected.append((reference, stored))
    assert [(row["reference"], row["phone"]) for row in callbacks(app)] == expected


@pytest.mark.usefixtures("far_time_zone")
def test_a_request_is_linked_to_its_assessment_and_outlives_the_app(
    app: Flask,
    saved: tuple[FlaskClient, str],
    make_app: Callable[..., Flask],
    database_url: str,
    backend: str,
) -> None:
    client, reference = saved
    before = datetime.now(UTC)
    response = client.post("/call-back", data={**REQUEST, "name": "  Eleni Ioannou "})
    after = datetime.now(UTC)
    assert (response.status_code, response.location) == (302, "/call-back/sent")
    assert show(client, "/call-back/sent").one("strong", cls="reference").text == reference
    dispose(app)

    restarted = make_app(database_url)  # a new process would do the same: a new app, same database
    (assessment,) = assessments(restarted)
    (request,) = callbacks(restarted)
    assert assessment["reference"] == reference
    assert request["assessment_id"] == assessment["id"]
    assert {k: request[k] for k in ("reference", "name", "phone", "time_window")} == {
        "reference": reference,
        "name": "Eleni Ioannou",
        "phone": "+306941234567",
        "time_window": "afternoon",
    }
    assert before <= as_utc(request["consent_at"], backend) <= after
    assert before <= as_utc(request["created_at"], backend) <= after


def test_without_a_saved_assessment_no_request_is_saved(app: Flask) -> None:
    """The assessment could not be saved (no reference): there is nothing to call back about."""
    client = app.test_client()
    prime(client, CASE["answers"], submitted=True)
    with client.session_transaction() as session:
        session["reference"] = None
    response = client.post("/call-back", data=REQUEST)
    assert response.status_code == 200, f"{response.status_code} {response.location or ''}"
    page = parse(response.text)
    assert level_shown(page) == CASE["expected_level"]
    assert not page.find_all("input", name="consent"), "a call back is offered for an unsaved result"
    assert count(app, CallbackRequest) == 0
    nothing_sent = client.get("/call-back/sent")
    assert (nothing_sent.status_code, nothing_sent.location) == (302, "/result")


def test_for_an_assessment_that_is_gone_no_request_is_saved(app: Flask) -> None:
    """A reference in the session whose assessment was purged meanwhile: the practice's number instead."""
    client = app.test_client()
    prime(client, CASE["answers"], submitted=True)
    with client.session_transaction() as session:
        session["reference"] = "A0B1-C0D1"
    response = client.post("/call-back", data=REQUEST)
    assert response.status_code == 503
    page = parse(response.text)
    assert PRACTICE["PRACTICE_PHONE"] in [link.text for link in page.main.find_all("a", cls="tel")]
    assert count(app, CallbackRequest) == 0


def test_a_request_before_any_result_is_not_saved(app: Flask) -> None:
    response = app.test_client().post("/call-back", data=REQUEST)
    assert response.status_code in (302, 303)
    assert count(app, CallbackRequest) == 0


def test_confirming_the_same_answers_twice_saves_them_once(app: Flask) -> None:
    client = app.test_client()
    first = submit_online(client, CASE["answers"])
    again = client.post("/check-answers")  # a double click, or back and confirm again
    assert again.status_code == 302 and again.location == "/result"
    with client.session_transaction() as session:
        assert session["reference"] == first
    assert [row["reference"] for row in assessments(app)] == [first]


def test_changing_an_answer_after_confirming_saves_a_new_assessment(app: Flask) -> None:
    client = app.test_client()
    first = submit_online(client, CASE["answers"])
    client.post("/questions/general", data={"weight_loss": "no", "fever": "yes"})
    client.post("/check-answers")
    with client.session_transaction() as session:
        second = session["reference"]
    assert second != first
    assert sorted(row["reference"] for row in assessments(app)) == sorted([first, second])


def test_sending_the_call_back_form_twice_saves_one_request(
    app: Flask, saved: tuple[FlaskClient, str]
) -> None:
    client, _ = saved
    assert client.post("/call-back", data=REQUEST).status_code == 302
    again = client.post("/call-back", data=REQUEST)
    assert again.status_code == 302 and again.location == "/call-back/sent"
    assert count(app, CallbackRequest) == 1
