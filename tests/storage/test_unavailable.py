"""With the database down, nobody is left without their result: the API still answers in full, the
result page still shows everything with a notice and the practice's number, and a call-back request
gives a page with that number. Nothing of the answers reaches the logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support.api import bearer
from tests.support.apps import PRACTICE
from tests.support.cases import vignettes
from tests.support.database import POSTGRESQL_URL, REFUSED_POSTGRESQL, UNOPENABLE_SQLITE, migrated_database
from tests.support.journeys import prime, show, submit_online
from tests.support.markup import Element, level_shown, parse
from triage.config import practice_values
from triage.engine import load_rules
from triage.engine.export import FilledTexts, outcome_as_dict
from triage.extensions import db
from triage.storage.models import Base
from triage.storage.repository import (
    StorageUnavailable,
    find_assessment,
    purge,
    save_assessment,
    save_callback,
)

API = "/api/v1/assessments"
RULES = load_rules()
VIGNETTES = vignettes()
#: One vignette for each level.
BY_LEVEL = {case["expected_level"]: case for case in reversed(VIGNETTES)}
PHONE = PRACTICE["PRACTICE_PHONE"]
CALLBACK = {"name": "Eleni Ioannou", "phone": "694 123 4567", "time_window": "morning", "consent": "y"}
FAILURES = [
    "sqlite-cannot-open",
    "sqlite-tables-dropped",
    "postgresql-refused",
    *(["postgresql-tables-dropped"] if POSTGRESQL_URL else []),
]


@pytest.fixture(params=FAILURES)
def broken_app(request: pytest.FixtureRequest, make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app whose database cannot be opened or reached, or has lost its tables."""
    backend, failure = str(request.param).split("-", 1)
    if failure == "cannot-open":
        return make_app(UNOPENABLE_SQLITE)
    if failure == "refused":
        return make_app(REFUSED_POSTGRESQL)
    app = make_app(migrated_database(backend, tmp_path / "database"))
    with app.app_context():
        Base.metadata.drop_all(db.engine)
    return app


def expected_outcome(answers: dict[str, Any]) -> dict[str, Any]:
    """The full outcome the API gives for these answers, as JSON."""
    outcome = outcome_as_dict(RULES.assess(answers), FilledTexts("en", practice_values(PRACTICE)))
    as_json: dict[str, Any] = json.loads(json.dumps(outcome))
    return as_json


def tel_links(element: Element) -> list[str]:
    """The text of the tap-to-call links inside an element."""
    return [link.text for link in element.find_all("a", cls="tel")]


def test_the_api_still_gives_the_full_outcome(broken_app: Flask) -> None:
    client = broken_app.test_client()
    for level, case in BY_LEVEL.items():
        response = client.post(API, json=case["answers"], headers=bearer("st_a-key-that-cannot-be-checked"))
        assert response.status_code == 200, level
        body = response.get_json()
        assert "could not be saved" in body.pop("notice"), level
        expected = {**expected_outcome(case["answers"]), "reference": None, "saved": False}
        assert body == expected, level


def test_the_result_page_is_complete_and_says_it_was_not_saved(broken_app: Flask) -> None:
    for level, case in BY_LEVEL.items():
        expected = expected_outcome(case["answers"])
        client = broken_app.test_client()
        assert submit_online(client, case["answers"]) is None
        page = show(client, "/result")
        assert level_shown(page) == level
        assert page.one("p", cls="action").text == " ".join(expected["action"].split()), level
        safety_net = page.one("section", cls="safety-net").text
        for sign in [expected["safety_net"]["intro"], *expected["safety_net"]["warning_signs"]]:
            assert " ".join(sign.split()) in safety_net, level
        (notice,) = [element for element in page.main.find_all(cls="notice") if "save" in element.text]
        assert "could not save" in notice.text.lower(), level
        assert PHONE in tel_links(notice), level
        assert page.find_all(cls="reference") == [], level
        assert page.find_all("input", name="consent") == [], f"{level}: a call back offered, unsaved"


def test_a_call_back_request_gives_the_practice_number(broken_app: Flask) -> None:
    """The assessment was saved; then the database went down before the call-back request."""
    client = broken_app.test_client()
    prime(client, BY_LEVEL["soon"]["answers"], submitted=True)
    with client.session_transaction() as session:
        session["reference"] = "A0B1-C0D1"
    response = client.post("/call-back", data=CALLBACK)
    assert response.status_code == 503
    page = parse(response.text)
    assert PHONE in tel_links(page.main)
    assert page.main.one(cls="reference").text == "A0B1-C0D1"


def test_every_storage_operation_raises_storage_unavailable(broken_app: Flask) -> None:
    outcome = RULES.assess(VIGNETTES[0]["answers"])
    with broken_app.app_context():
        for _ in range(2):  # and again: a failed operation leaves nothing half-done behind
            with pytest.raises(StorageUnavailable):
                find_assessment("A0B1-C0D1")
            with pytest.raises(StorageUnavailable):
                save_assessment(outcome, channel="api", language="en")
            with pytest.raises(StorageUnavailable):
                save_callback("A0B1-C0D1", "Eleni Ioannou", "+306941234567", "any")
            with pytest.raises(StorageUnavailable):
                purge(timedelta(days=90))


def test_no_answer_and_no_personal_detail_reaches_the_logs(
    broken_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = {**BY_LEVEL["urgent"]["answers"], "age": 87}
    api = broken_app.test_client().post(API, json=answers)
    assert api.status_code == 200
    client = broken_app.test_client()
    assert submit_online(client, answers) is None
    assert show(client, "/result")
    with client.session_transaction() as session:
        session["reference"] = "A0B1-C0D1"
    assert client.post("/call-back", data=CALLBACK).status_code == 503

    assert any("Database operation failed" in r.getMessage() for r in caplog.records), "no failure logged"
    logged = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    words = [value for value in answers.values() if isinstance(value, str)]
    words += [item for value in answers.values() if isinstance(value, list) for item in value]
    needles = {*words, "87", *(f'"{question}"' for question in answers), json.dumps(answers)}
    needles |= {"Eleni", "Ioannou", "694", "6941234567"}
    assert sorted(needle for needle in needles if needle in logged) == []
