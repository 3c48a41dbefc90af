"""Emergency exits are recorded (spec §3a): the early advice is saved at once with a reference code,
shown on the advice page with a summary to print; carrying on updates the same record, never a
second one. Also the smaller promises of the result page: a call-back at the urgent level is today,
a call-back asked for is not offered again and changes the top of the page, the reference code says
what it is for at each level, and the warning-signs box does not end with a time to wait."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTES
from tests.support.flow import RULES, early_level
from tests.support.journeys import Journey, answer_warning_signs, prime, session_reference, show
from tests.support.markup import level_shown
from tests.support.records import assessments
from triage.engine import Level

EARLY = [case for case in VIGNETTES if early_level(case["answers"]) >= Level.EMERGENCY]
NOT_EARLY = [case for case in VIGNETTES if early_level(case["answers"]) < Level.EMERGENCY]
BY_LEVEL = {case["expected_level"]: case for case in reversed(VIGNETTES)}
CALLBACK = {"name": "Eleni Ioannou", "phone": "694 123 4567", "time_window": "morning", "consent": "y"}


def records_of(app: Flask, reference: str | None) -> list[dict[str, Any]]:
    return [row for row in assessments(app) if row["reference"] == reference]


def test_the_public_vignettes_include_early_exits() -> None:
    assert EARLY and NOT_EARLY


@pytest.mark.parametrize("case", EARLY, ids=[case["id"] for case in EARLY])
def test_an_early_exit_is_saved_at_once_and_its_advice_shows_the_reference(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    sent = answer_warning_signs(client, case["answers"])
    assert (sent.status_code, sent.location) == (302, "/urgent-advice")
    reference = session_reference(client)
    assert reference is not None
    (saved,) = records_of(app, reference)
    assert saved["early_exit"] and saved["partial"]
    assert saved["level"] == early_level(case["answers"]).value
    advice = show(client, "/urgent-advice")
    assert reference in advice.one(cls="reference").text
    assert advice.find_all(cls="print-summary"), "the advice says to take a summary: there must be one"


@pytest.mark.parametrize("case", EARLY, ids=[case["id"] for case in EARLY])
def test_carrying_on_after_an_early_exit_completes_the_same_record(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    before = len(assessments(app))
    trip = Journey(client).walk(case["answers"])
    assert trip.saw_urgent_advice
    reference = session_reference(client)
    (saved,) = records_of(app, reference)
    assert len(assessments(app)) == before + 1, "carrying on made a second record"
    assert saved["early_exit"] and not saved["partial"]
    assert saved["level"] == case["expected_level"] == trip.level
    assert trip.trail.count("/urgent-advice") == 1, f"the same advice was shown twice: {trip.trail}"


@pytest.mark.parametrize("case", NOT_EARLY[:3], ids=[case["id"] for case in NOT_EARLY[:3]])
def test_a_journey_without_a_red_flag_is_saved_once_and_not_as_an_early_exit(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    trip = Journey(client).walk(case["answers"])
    assert not trip.saw_urgent_advice
    (saved,) = records_of(app, session_reference(client))
    assert not saved["early_exit"] and not saved["partial"]


def test_an_urgent_call_back_is_today_without_a_choice_of_time(app: Flask, client: FlaskClient) -> None:
    prime(client, BY_LEVEL["urgent"]["answers"])
    client.post("/check-answers")
    result = show(client, "/result")
    assert level_shown(result) == "urgent"
    assert result.find_all("input", name="time_window") == []
    assert "today" in result.one(cls="callback__today").text
    sent = client.post("/call-back", data={k: v for k, v in CALLBACK.items() if k != "time_window"})
    assert (sent.status_code, sent.location) == (302, "/call-back/sent")
    assert "today" in show(client, "/call-back/sent").main.text
    reference = session_reference(client)
    (saved,) = [row for row in _callbacks(app) if row["reference"] == reference]
    assert saved["time_window"] == "today"


@pytest.mark.parametrize("level", ["soon", "information"])
def test_a_call_back_below_urgent_offers_a_time(client: FlaskClient, level: str) -> None:
    prime(client, BY_LEVEL[level]["answers"])
    client.post("/check-answers")
    assert show(client, "/result").find_all("input", name="time_window")


def test_a_result_whose_call_back_was_asked_for_does_not_offer_it_again(client: FlaskClient) -> None:
    prime(client, BY_LEVEL["soon"]["answers"])
    client.post("/check-answers")
    assert client.post("/call-back", data=CALLBACK).status_code == 302
    again = show(client, "/result")
    assert again.find_all("input", name="consent") == []
    assert "will call you back" in again.one(cls="action").text


#: What the reference code is for, by level (spec §3a, v3).
REFERENCE_USE = {
    "ambulance": "Show it at the hospital.",
    "emergency": "Show it at the hospital.",
    "urgent": "Quote it when you speak to the practice.",
    "soon": "Quote it when you speak to the practice.",
    "information": "Keep it in case you contact the practice about this.",
}


@pytest.mark.parametrize("level", list(REFERENCE_USE))
def test_the_result_says_what_its_reference_code_is_for(client: FlaskClient, level: str) -> None:
    prime(client, BY_LEVEL[level]["answers"])
    client.post("/check-answers")
    result = show(client, "/result")
    assert level_shown(result) == level
    assert REFERENCE_USE[level] in result.one(cls="reference-line").text
    assert "when you call" not in result.main.text.lower()


def test_the_early_advice_says_to_show_its_reference_code_at_the_hospital(client: FlaskClient) -> None:
    answer_warning_signs(client, EARLY[0]["answers"])
    line = show(client, "/urgent-advice").one(cls="reference-line").text
    assert REFERENCE_USE["emergency"] in line


#: Within how many working days the practice calls back at soon: the level's data (levels.yaml).
SOON_DAYS = RULES.levels[Level.SOON].callback_working_days
#: The top of a result once a call-back is asked for: the practice's promise, not "call us" (spec
#: §3a, v3: "today" at urgent, "within N working days" at soon).
CALLED_BACK = {
    "urgent": "The practice will call you back today.",
    "soon": f"The practice will call you back within {SOON_DAYS} working days, at the time of day you chose.",
}


@pytest.mark.parametrize("level", list(CALLED_BACK))
def test_after_a_call_back_request_the_result_says_the_practice_will_call(
    client: FlaskClient, level: str
) -> None:
    prime(client, BY_LEVEL[level]["answers"])
    client.post("/check-answers")
    asked_to_call = show(client, "/result").one(cls="action").text
    sent = {k: v for k, v in CALLBACK.items() if level != "urgent" or k != "time_window"}
    assert client.post("/call-back", data=sent).status_code == 302
    result = show(client, "/result")
    assert level_shown(result) == level
    assert result.one(cls="action").text == CALLED_BACK[level]
    assert "If you get worse, do not wait for the call." in result.main.text
    assert asked_to_call not in result.main.text, "the page still tells the person to call"
    assert result.find_all("input", name="consent") == []
    assert "when you call" not in result.main.text.lower()


@pytest.mark.parametrize(
    ("lang", "promise"),
    [
        ("en", CALLED_BACK["soon"]),
        ("el", f"Το ιατρείο θα σας τηλεφωνήσει μέσα σε {SOON_DAYS} εργάσιμες ημέρες, την ώρα που επιλέξατε."),
    ],
)
def test_a_soon_call_back_is_promised_within_the_levels_working_days_on_both_pages(
    client: FlaskClient, lang: str, promise: str
) -> None:
    assert SOON_DAYS, "the soon level says within how many working days it calls back"
    client.get(f"/?lang={lang}")
    prime(client, BY_LEVEL["soon"]["answers"])
    client.post("/check-answers")
    sent = client.post("/call-back", data=CALLBACK)
    assert (sent.status_code, sent.location) == (302, "/call-back/sent")
    assert promise in show(client, "/call-back/sent").one(cls="call-back-promise").text
    assert show(client, "/result").one(cls="action").text == promise


def test_the_urgent_warning_signs_end_with_a_sign_not_a_time_to_wait(client: FlaskClient) -> None:
    prime(client, BY_LEVEL["urgent"]["answers"])
    client.post("/check-answers")
    box = show(client, "/result").one("section", cls="safety-net")
    assert "24 hours" not in box.text
    assert box.find_all("li"), "the box lists the warning signs"


def test_the_site_has_an_icon(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header


def _callbacks(app: Flask) -> list[dict[str, Any]]:
    from tests.support.records import callbacks

    rows = callbacks(app)
    by_id = {row["id"]: row["reference"] for row in assessments(app)}
    return [{**row, "reference": by_id[row["assessment_id"]]} for row in rows]
