"""One questionnaire, two channels: every clinical vignette answered by the patient through the
pages and taken as a phone call by a receptionist, on the same app, gives the level the vignette
expects, the same in both channels and the same as the engine's; both show the emergency advice
before the other questions for the same vignettes, and both save the same level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support.cases import VIGNETTES
from tests.support.flow import RULES
from tests.support.journeys import Call, Journey, Trip, session_reference, take_call
from tests.support.markup import level_shown
from tests.support.records import record
from tests.support.staff import RECEPTION, login

BY_ID = pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])


@pytest.fixture
def database(staff_database: Path) -> Path:
    """This module's app holds the staff accounts as well: a receptionist takes the calls."""
    return staff_database


def online(app: Flask, answers: dict[str, Any]) -> tuple[Trip, str | None]:
    """The patient's way through the pages to the result, and the reference saved for it."""
    client = app.test_client()
    trip = Journey(client).walk(answers)
    return trip, session_reference(client)


def by_phone(app: Flask, answers: dict[str, Any]) -> Call:
    """The same answers given in a call to a receptionist, logged in through the login form."""
    client = app.test_client()
    login(client, RECEPTION)
    return take_call(client, answers, "Eleni Zacharopoulou", "6941234567")


@BY_ID
def test_the_pages_and_a_phone_call_give_the_expected_level_the_same_in_both_and_as_the_engine(
    app: Flask, case: dict[str, Any]
) -> None:
    trip, _ = online(app, case["answers"])
    call = by_phone(app, case["answers"])
    levels = {"pages": trip.level, "phone": level_shown(call.result)}
    assert levels == {"pages": case["expected_level"], "phone": case["expected_level"]}, case["story"]
    assert RULES.assess(case["answers"]).level.value == case["expected_level"]


@BY_ID
def test_the_pages_and_a_phone_call_give_the_emergency_advice_first_for_the_same_vignettes(
    app: Flask, case: dict[str, Any]
) -> None:
    trip, _ = online(app, case["answers"])
    call = by_phone(app, case["answers"])
    assert trip.saw_urgent_advice == (call.emergency_page is not None)
    if call.emergency_page is not None:
        assert trip.early_level == level_shown(call.emergency_page)


@BY_ID
def test_the_pages_and_a_phone_call_save_the_same_level_each_in_its_own_channel(
    app: Flask, case: dict[str, Any]
) -> None:
    _, reference = online(app, case["answers"])
    call = by_phone(app, case["answers"])
    assert reference is not None, "the patient's assessment was not saved"
    saved = {channel: record(app, ref) for channel, ref in (("online", reference), ("phone", call.reference))}
    assert {channel: (row.channel, row.level) for channel, row in saved.items()} == {
        "online": ("online", case["expected_level"]),
        "phone": ("phone", case["expected_level"]),
    }
