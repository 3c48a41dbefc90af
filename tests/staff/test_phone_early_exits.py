"""A phone call that ends in an early exit is saved at once, with a reference code read out to the
caller and the caller's name and number; carrying on completes the same record (spec §3a)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTES
from tests.support.flow import early_level, screen_answers
from tests.support.journeys import form_data, take_call
from tests.support.markup import parse
from tests.support.records import assessments, record
from tests.support.staff import RECEPTION, login
from triage.engine import Level

EARLY = [case for case in VIGNETTES if early_level(case["answers"]) >= Level.EMERGENCY]
BY_ID = pytest.mark.parametrize("case", EARLY, ids=[case["id"] for case in EARLY])


def red_flag_page(client: FlaskClient, case: dict[str, Any]) -> str:
    login(client, RECEPTION)
    client.get("/staff/phone")
    response = client.post("/staff/phone", data=form_data(screen_answers(case["answers"])))
    assert response.status_code == 200
    return response.text


@BY_ID
def test_the_red_flag_page_shows_the_saved_calls_reference(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    page = parse(red_flag_page(client, case))
    reference = page.one("strong", cls="reference").text
    saved = record(app, reference)
    assert saved.early_exit and saved.partial and saved.channel == "phone"
    assert saved.level == early_level(case["answers"]).value
    assert saved.recorded_by == RECEPTION.username


@BY_ID
def test_the_callers_details_are_saved_with_the_early_exit(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    reference = parse(red_flag_page(client, case)).one("strong", cls="reference").text
    sent = client.post(
        "/staff/phone/caller", data={"caller_name": "Maria Pappa", "caller_phone": "6941234567"}
    )
    assert (sent.status_code, sent.location) == (302, "/staff/phone/emergency?saved=1")
    again = parse(client.get(sent.location).text)
    assert again.one("strong", cls="reference").text == reference
    saved = record(app, reference)
    assert (saved.caller_name, saved.caller_phone) == ("Maria Pappa", "+306941234567")


@BY_ID
def test_carrying_on_with_the_call_completes_the_same_record(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    login(client, RECEPTION)
    before = len(assessments(app))
    call = take_call(client, case["answers"], caller_name="Maria Pappa")
    assert call.emergency_page is not None
    assert call.emergency_page.one("strong", cls="reference").text == call.reference
    assert len(assessments(app)) == before + 1, "carrying on made a second record"
    saved = record(app, call.reference)
    assert saved.early_exit and not saved.partial
    assert saved.level == case["expected_level"]
    assert saved.caller_name == "Maria Pappa"


def test_the_queue_marks_an_early_exit(app: Flask, client: FlaskClient) -> None:
    reference = parse(red_flag_page(client, EARLY[0])).one("strong", cls="reference").text
    queue = parse(client.get("/staff/").text)
    row = next(tr for tr in queue.find_all("tr") if reference in tr.text)
    assert row.find_all(cls="tag--early")
    assert "Early exit" in parse(client.get(f"/staff/assessments/{reference}").text).main.text
