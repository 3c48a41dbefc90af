"""Findings 11 and 16 of issue 28: the numbers the practice is asked to call back.

A premium-rate, shared-cost or other special-service number, or a number outside Europe, is a
toll-fraud route: whoever leaves it is paid for the practice's call. The patient's call-back form and
the caller's details in phone mode refuse them with a message of their own (English and Greek),
keeping everything typed. An extension is kept, stored after the number in RFC 3966's form
(+302101234567;ext=12) and shown to staff beside the number, never dropped.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE, vignettes
from tests.support.flow import SCREEN, asked_answers, screen_answers
from tests.support.journeys import form_data, submit_online, take_call
from tests.support.markup import Document, error_summary, parse
from tests.support.records import assessments, callbacks, count, record
from tests.support.staff import RECEPTION, login
from triage.storage.models import CallbackRequest
from triage.web import phones

#: A result that offers a call back (level "soon").
SOON = next(case for case in vignettes() if case["expected_level"] == "soon")
REQUEST = {"name": "Eleni Ioannou", "phone": "694 123 4567", "time_window": "afternoon", "consent": "y"}
RED_FLAGS = VIGNETTE["saddle-numbness-only"]["answers"]
ROUTINE = VIGNETTE["osteoporosis-no-pain"]["answers"]
#: The longest extension kept: with the longest E.164 number, it fits the columns (32 characters).
MAX_EXTENSION_DIGITS = 8

#: Numbers that are not a person's mobile or landline, as phonenumbers classifies them: most cost the
#: practice extra to call, and a freephone, UAN or voicemail number is a service's, not a caller's.
SPECIAL_SERVICE = {
    "909 123 4567": "Greek premium rate",
    "+44 901 234 5678": "UK premium rate",
    "+1 900 555 0123": "US premium rate",
    "801 111 1111": "Greek shared cost",
    "+44 845 464 0000": "UK 0845 (premium rate in phonenumbers)",
    "+44 55 1234 5678": "UK corporate (UAN)",
    "+44 70 1234 5678": "UK personal number (follow-me)",
    "+44 56 1234 5678": "UK VoIP",
    "800 111 1111": "Greek freephone",
    "+44 300 123 4567": "UK 03 (UAN: a business's number)",
}
#: Mobile and fixed numbers outside Europe: "+53 5 1234567" is a valid Cuban mobile to phonenumbers,
#: and Cuba is among the dearest places to call.
ABROAD = ["+53 5 1234567", "+53 7 1234567", "+881 2 1234 5678", "+1 264 235 1234"]
#: An extension written the ways people write it, kept after the number (RFC 3966).
EXTENSIONS = {
    "210 123 4567 ext. 12": "+302101234567;ext=12",
    "210 123 4567 x12": "+302101234567;ext=12",
    "+302101234567;ext=12": "+302101234567;ext=12",
    "+30 210 123 4567 ext 4321": "+302101234567;ext=4321",
}
LONG_EXTENSION = "210 123 4567 ext. " + "1" * (MAX_EXTENSION_DIGITS + 1)
#: Words each refusal's message must hold, in each language.
SPECIAL_SERVICE_WORDS = {"en": "other special number", "el": "ειδικής υπηρεσίας"}
ABROAD_WORDS = {"en": "in Europe", "el": "στην Ευρώπη"}
EXTENSION_WORDS = {
    "en": f"extension of {MAX_EXTENSION_DIGITS} digits",
    "el": f"έως {MAX_EXTENSION_DIGITS} ψηφία",
}


def field_error(page: Document, field_id: str) -> str:
    """The error message shown under a field ("" when there is none)."""
    found = page.find_all(id=f"{field_id}-error")
    return found[0].text if found else ""


def input_value(page: Document, name: str) -> str | None:
    (found,) = page.find_all("input", name=name)
    return found.get("value")


# --- which numbers, without a page --------------------------------------------------------------------


@pytest.mark.parametrize("typed", SPECIAL_SERVICE, ids=list(SPECIAL_SERVICE.values()))
def test_special_service_numbers_are_refused_as_such(typed: str) -> None:
    with pytest.raises(phones.NumberRefused) as refused:
        phones.callback_number(typed)
    assert refused.value.reason is phones.Refusal.SPECIAL_SERVICE


@pytest.mark.parametrize("typed", ABROAD)
def test_numbers_outside_europe_are_refused_as_such(typed: str) -> None:
    with pytest.raises(phones.NumberRefused) as refused:
        phones.callback_number(typed)
    assert refused.value.reason is phones.Refusal.ABROAD


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("694 123 4567", "+306941234567"),  # a Greek mobile
        ("210 123 4567", "+302101234567"),  # a Greek landline
        ("+44 7911 123456", "+447911123456"),  # a UK mobile
        ("+49 30 1234567", "+49301234567"),  # a Berlin landline
        ("+357 96 123456", "+35796123456"),  # a Cypriot mobile
        *EXTENSIONS.items(),
    ],
)
def test_mobiles_and_landlines_in_europe_are_stored_in_e164_with_any_extension(
    typed: str, stored: str
) -> None:
    assert phones.callback_number(typed) == stored


@pytest.mark.parametrize("typed", ["12", "abc", "+30 12", "210 000", "+44 7700 900123"])
def test_what_is_not_a_number_is_refused_as_such(typed: str) -> None:
    with pytest.raises(phones.NumberRefused) as refused:
        phones.callback_number(typed)
    assert refused.value.reason is phones.Refusal.NOT_A_NUMBER


def test_an_extension_longer_than_the_stored_number_can_hold_is_refused() -> None:
    assert phones.MAX_EXTENSION_DIGITS == MAX_EXTENSION_DIGITS
    with pytest.raises(phones.NumberRefused) as refused:
        phones.callback_number(LONG_EXTENSION)
    assert refused.value.reason is phones.Refusal.LONG_EXTENSION
    longest = phones.callback_number("+44 20 7946 0321 ext. " + "9" * MAX_EXTENSION_DIGITS)
    assert len(longest) <= 32  # the columns' size (callback_requests.phone, assessments.caller_phone)


# --- the patient's call-back form ------------------------------------------------------------------------


def refused_callback(app: Flask, phone: str, lang: str) -> Document:
    """Ask for a call back with this number; the result page must come back with the form."""
    client = app.test_client()
    assert submit_online(client, SOON["answers"]) is not None
    response = client.post(f"/call-back?lang={lang}", data={**REQUEST, "phone": phone})
    assert response.status_code == 200, f"{phone}: {response.status_code} {response.location}"
    page = parse(response.text)
    assert input_value(page, "phone") == phone, "what was typed is kept"
    assert input_value(page, "name") == REQUEST["name"]
    return page


@pytest.mark.parametrize("lang", ["en", "el"])
@pytest.mark.parametrize(
    ("phone", "words"),
    [
        ("909 123 4567", SPECIAL_SERVICE_WORDS),
        ("+44 901 234 5678", SPECIAL_SERVICE_WORDS),
        ("801 111 1111", SPECIAL_SERVICE_WORDS),
        ("+53 5 1234567", ABROAD_WORDS),
        (LONG_EXTENSION, EXTENSION_WORDS),
    ],
)
def test_the_call_back_form_refuses_a_toll_fraud_number_with_its_own_message(
    app: Flask, phone: str, words: dict[str, str], lang: str
) -> None:
    page = refused_callback(app, phone, lang)
    assert words[lang] in field_error(page, "phone")
    assert count(app, CallbackRequest) == 0


def test_the_call_back_form_keeps_an_extension(app: Flask) -> None:
    client = app.test_client()
    reference = submit_online(client, SOON["answers"])
    response = client.post("/call-back", data={**REQUEST, "phone": "210 123 4567 ext. 12"})
    assert (response.status_code, response.location) == (302, "/call-back/sent")
    assert [(row["reference"], row["phone"]) for row in callbacks(app)] == [
        (reference, "+302101234567;ext=12")
    ]


# --- phone mode: the caller's details ------------------------------------------------------------------


def finish_call(client: FlaskClient, caller_phone: str, lang: str = "en") -> Any:
    """A call through the phone pages, ending with these caller's details; the last answer."""
    given = asked_answers(ROUTINE)
    assert client.get(f"/staff/phone?lang={lang}").status_code == 200
    assert client.post("/staff/phone", data=form_data(screen_answers(given))).status_code == 302
    rest = {qid: value for qid, value in given.items() if qid not in SCREEN}
    data = {**form_data(rest), "caller_name": "Maria Pappa", "caller_phone": caller_phone}
    return client.post("/staff/phone/questions", data=data)


@pytest.mark.parametrize("lang", ["en", "el"])
@pytest.mark.parametrize(
    ("phone", "words"),
    [
        ("909 123 4567", SPECIAL_SERVICE_WORDS),
        ("+53 5 1234567", ABROAD_WORDS),
        (LONG_EXTENSION, EXTENSION_WORDS),
    ],
)
def test_phone_mode_refuses_a_toll_fraud_number_for_the_caller(
    app: Flask, client: FlaskClient, phone: str, words: dict[str, str], lang: str
) -> None:
    login(client, RECEPTION)
    response = finish_call(client, phone, lang)
    assert response.status_code == 200, response.location
    page = parse(response.text)
    assert words[lang] in field_error(page, "caller_phone")
    assert any(words[lang] in message for message in error_summary(page)), "the summary names it too"
    assert input_value(page, "caller_phone") == phone
    assert input_value(page, "caller_name") == "Maria Pappa"
    assert assessments(app) == []


def test_phone_mode_refuses_what_is_not_a_number_instead_of_storing_it_as_typed(
    app: Flask, client: FlaskClient
) -> None:
    login(client, RECEPTION)
    response = finish_call(client, "call the hotel")
    assert response.status_code == 200
    assert field_error(parse(response.text), "caller_phone")
    assert assessments(app) == []


def test_the_emergency_pages_caller_form_refuses_a_toll_fraud_number(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    client.get("/staff/phone")
    page = parse(client.post("/staff/phone", data=form_data(screen_answers(RED_FLAGS))).text)
    reference = page.one("strong", cls="reference").text
    sent = client.post(
        "/staff/phone/caller", data={"caller_name": "Maria Pappa", "caller_phone": "909 123 4567"}
    )
    assert sent.status_code == 400
    refused = parse(sent.text)
    assert SPECIAL_SERVICE_WORDS["en"] in field_error(refused, "caller_phone")
    assert input_value(refused, "caller_phone") == "909 123 4567"
    assert record(app, reference).caller_phone is None


def test_phone_mode_keeps_the_callers_extension(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    call = take_call(client, ROUTINE, "Maria Pappa", "210 123 4567 x12")
    assert record(app, call.reference).caller_phone == "+302101234567;ext=12"


# --- staff see the extension -------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "extension"), [("en", "ext. 12"), ("el", "εσωτ. 12")])
def test_staff_see_the_extension_beside_a_link_that_dials_the_number(
    app: Flask, client: FlaskClient, lang: str, extension: str
) -> None:
    login(client, RECEPTION)
    call = take_call(client, ROUTINE, "Maria Pappa", "210 123 4567 ext. 12")
    for path in (f"/staff/assessments/{call.reference}?lang={lang}", f"/staff/?lang={lang}"):
        page = parse(client.get(path).text)
        assert f"+30 21 0123 4567 {extension}" in page.main.text, path
        assert "tel:+302101234567" in [a.get("href") for a in page.main.find_all("a")], path
