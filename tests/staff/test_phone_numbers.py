"""Spec §3a (v3), "a phone call that needs a call-back has a number to call": at urgent and soon a
call is finished only with the caller's number or the reason there is none, which the queue shows;
an urgent call with no number is never told "the practice will call you back". And the caller's
details saved with an early exit are filled in when the form comes back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.staff.test_queue import AT_LEVEL
from tests.support.cases import VIGNETTES
from tests.support.flow import SCREEN, asked_answers, early_level, screen_answers
from tests.support.journeys import form_data, take_call
from tests.support.markup import error_summary, parse
from tests.support.records import assessments, record
from tests.support.staff import RECEPTION, login
from triage.engine import Level

URGENT, SOON = AT_LEVEL[Level.URGENT], AT_LEVEL[Level.SOON]
NEEDS_NUMBER = "Enter the caller's phone number, or why there is none"
CALL_BACK = "call the caller back today"  # the urgent script's promise (rules/levels.yaml)
EARLY = next(case["answers"] for case in VIGNETTES if early_level(case["answers"]) >= Level.EMERGENCY)


def last_screen(client: FlaskClient, answers: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """A call through the warning signs to the last screen; what is ticked and typed on it."""
    given = asked_answers(answers)
    client.get("/staff/phone")
    assert client.post("/staff/phone", data=form_data(screen_answers(given))).status_code == 302
    return form_data({qid: value for qid, value in given.items() if qid not in SCREEN})


def finish(client: FlaskClient, answers: Mapping[str, Any], **caller: str) -> TestResponse:
    """A call through to the end, sent with these caller details."""
    return client.post("/staff/phone/questions", data={**last_screen(client, answers), **caller})


@pytest.mark.parametrize("answers", [URGENT, SOON], ids=["urgent", "soon"])
def test_an_urgent_or_soon_call_needs_a_number_or_why_there_is_none(
    app: Flask, client: FlaskClient, answers: dict[str, Any]
) -> None:
    login(client, RECEPTION)
    before = len(assessments(app))
    rest = last_screen(client, answers)
    response = client.post("/staff/phone/questions", data={**rest, "caller_name": "Eleni"})
    assert response.status_code == 200
    page = parse(response.text)
    assert error_summary(page) == [NEEDS_NUMBER]
    assert page.one("input", id="caller_name").get("value") == "Eleni", "what was typed stays"
    assert len(assessments(app)) == before, "nothing saved"

    reason = {"caller_name": "Eleni", "no_number_reason": "Number refused"}
    response = client.post("/staff/phone/questions", data={**rest, **reason})
    assert response.status_code == 302, error_summary(parse(response.text))
    saved = record(app, response.location.rsplit("/", 1)[-1])
    assert (saved.caller_phone, saved.no_number_reason) == (None, "Number refused")


def test_the_queue_and_the_record_show_why_there_is_no_number(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    call = take_call(client, URGENT, caller_name="Eleni", no_number_reason="Caller will ring back at 4")
    queue = parse(client.get("/staff/").text)
    assert "No number: Caller will ring back at 4" in queue.one("tbody").text
    assert (
        "No number: Caller will ring back at 4"
        in parse(client.get(f"/staff/assessments/{call.reference}").text).main.text
    )


def test_an_urgent_call_with_no_number_is_not_promised_a_call_back(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    call = take_call(client, URGENT, no_number_reason="Number refused")
    text = " ".join(call.result.main.text.split())
    assert CALL_BACK not in text
    assert "There is no number to call the caller back on" in text and "Number refused" in text
    script = " ".join(call.result.one("p", cls="action").text.split())
    assert "call the practice" not in script.lower()
    assert record(app, call.reference).told == script, "the record stores what the caller was told"


def test_an_urgent_call_with_a_number_says_when_the_call_back_is_due(client: FlaskClient) -> None:
    login(client, RECEPTION)
    call = take_call(client, URGENT, caller_phone="6941234567")
    text = " ".join(call.result.main.text.split())
    assert CALL_BACK in text and "The call back is due by" in text


@pytest.mark.parametrize("level", [Level.INFORMATION])
def test_other_levels_finish_without_a_number(app: Flask, client: FlaskClient, level: Level) -> None:
    login(client, RECEPTION)
    response = finish(client, AT_LEVEL[level])
    assert response.status_code == 302 and "/staff/phone/result/" in response.location


def test_the_callers_saved_details_are_filled_in_when_the_form_comes_back(client: FlaskClient) -> None:
    login(client, RECEPTION)
    client.get("/staff/phone")
    assert client.post("/staff/phone", data=form_data(screen_answers(EARLY))).status_code == 200
    sent = client.post(
        "/staff/phone/caller", data={"caller_name": "Maria Pappa", "caller_phone": "6941234567"}
    )
    again = parse(client.get(sent.location).text)
    assert again.one("input", id="caller_name").get("value") == "Maria Pappa"
    assert again.one("input", id="caller_phone").get("value") == "+306941234567"
    rest = parse(client.get("/staff/phone/questions").text)
    assert rest.one("input", id="caller_name").get("value") == "Maria Pappa"
    assert rest.one("input", id="caller_phone").get("value") == "+306941234567"
