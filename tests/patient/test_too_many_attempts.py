"""Past a patient form's rate limit, the person is not stranded: the page says the call-back was not
sent and when to try again, links back to where they were, and gives the practice's and the
emergency phone numbers, in English and in Greek."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.apps import PRACTICE
from tests.support.cases import VIGNETTE
from tests.support.flow import FLOW
from tests.support.journeys import page_url, prime
from tests.support.markup import parse
from triage.config import Defaults

URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
#: What the page says, by language: the call-back not sent, when to try again, the way back.
WORDS = {
    "en": {"not sent": "was not sent", "again": "try again in 1 minute.", "back": "Back to your result"},
    "el": {"not sent": "δεν στάλθηκε", "again": "σε 1 λεπτό", "back": "Πίσω στο αποτέλεσμά σας"},
}
MOST_TRIES = 200  # more than any limit of a minute


def flooded(client: FlaskClient, path: str, data: dict[str, str] | None = None) -> TestResponse:
    """POST the form again and again, as someone who keeps trying, until the limit answers."""
    for _ in range(MOST_TRIES):
        response = client.post(path, data=data or {})
        if response.status_code == 429:
            return response
    raise AssertionError(f"{path} was never refused after {MOST_TRIES} tries")


@pytest.fixture
def limited(make_app: Callable[..., Flask], database: Path | str) -> Flask:
    """The test app with the patient forms' limit as deployed."""
    return make_app(database, RATELIMIT_PATIENT_FORMS=Defaults.RATELIMIT_PATIENT_FORMS)


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_flooding_the_call_back_form_keeps_the_way_back_and_the_numbers(limited: Flask, lang: str) -> None:
    client = limited.test_client()
    prime(client, URGENT, submitted=True)
    assert client.get(f"/result?lang={lang}").status_code == 200
    refused = flooded(client, "/call-back", {"name": "", "phone": ""})
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = parse(refused.text)
    assert page.html.get("lang") == lang
    words = WORDS[lang]
    assert words["not sent"] in page.main.text and words["again"] in page.main.text
    assert page.main.link(words["back"]).get("href") == "/result"
    links = {str(a.get("href")) for a in page.main.find_all("a")}
    assert f"tel:{PRACTICE['EMERGENCY_NUMBER']}" in links
    assert any(link.startswith("tel:+44") for link in links), links  # the practice's number
    assert client.get("/result").status_code == 200  # the way back leads to the result, still there


def test_after_the_answers_timed_out_the_way_back_is_the_results_own_address(limited: Flask) -> None:
    client = limited.test_client()
    prime(client, URGENT, submitted=True)
    assert client.post("/check-answers").status_code == 302  # saved: the result has an address
    result = parse(client.get("/result").text)
    secret = result.one("input", name="result").get("value")
    assert secret
    stranger = limited.test_client()  # the same person, their session's answers gone
    refused = flooded(stranger, "/call-back", {"result": secret, "name": "", "phone": ""})
    back = parse(refused.text).main.link("Back to your result").get("href")
    assert back == f"/result/{secret}"
    assert stranger.get(back).status_code == 200


def test_confirming_answers_too_often_leads_back_to_the_answers(limited: Flask) -> None:
    client = limited.test_client()
    prime(client, URGENT, submitted=False)
    page = parse(flooded(client, "/check-answers").text)
    assert page.main.link("Back to your answers").get("href") == "/check-answers"
    assert "was not sent" not in page.main.text  # no call-back was asked for


def test_a_question_page_past_its_limit_leads_back_to_the_question(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    client = make_app(database, RATELIMIT_PATIENT_PAGES="2 per minute").test_client()
    first = page_url(FLOW.pages[0])
    page = parse(flooded(client, first).text)
    assert page.main.link("Back to the question").get("href") == first


def test_more_time_asked_on_the_page_leads_back_to_the_result_with_the_answers(limited: Flask) -> None:
    client = limited.test_client()
    prime(client, URGENT, submitted=True)
    assert client.get("/result").status_code == 200
    page = parse(flooded(client, "/call-back", {"name": "", "phone": ""}).text)
    form = page.one("form", cls="idle__form")
    fields = {i.get("name"): i.get("value") or "" for i in form.find_all("input")}
    kept = client.post(str(form.get("action")), data={**fields, "more": "1"})
    assert kept.status_code == 302 and kept.location.startswith("/result"), kept.location
    assert client.get(kept.location).status_code == 200
