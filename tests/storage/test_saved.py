"""What is saved for each assessment, through the API and through the patient's pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect

from tests.support.api import send_api_key
from tests.support.cases import vignettes
from tests.support.flow import asked_answers
from tests.support.journeys import show, submit_online
from tests.support.records import as_utc, assessments
from triage.engine import load_rules
from triage.extensions import db
from triage.storage.models import Assessment
from triage.storage.repository import find_assessment

API = "/api/v1/assessments"
RULES = load_rules()
VIGNETTES = vignettes()
#: Columns that may only ever hold a person's details (for assessments taken by phone).
PERSONAL = ("name", "phone", "email", "address", "birth")


def with_inapplicable(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers plus answers to questions that do not apply to them (to be ignored, not saved)."""
    extra: dict[str, Any] = {}
    if answers.get("back_pain") is False:
        extra |= {"pain_location": ["neck"], "pain_onset": "sudden", "pain_duration": "under_1_week"}
        extra |= {"pain_severity": 9, "pain_features": ["night_pain"]}
    if answers.get("cancer") == "never":
        extra |= {"cancer_type": "breast", "bone_metastases": True}
    return {**answers, **extra}


def saved(app: Flask, reference: str) -> dict[str, Any]:
    """The saved assessment with this reference, column by column (found as the practice would)."""
    with app.app_context():
        row = find_assessment(reference)
        assert row is not None, f"no assessment saved under {reference}"
        return {column.key: getattr(row, column.key) for column in Assessment.__table__.columns}


def personal_details(row: dict[str, Any]) -> dict[str, Any]:
    """The row's values in columns meant for a person's details, where any is set."""
    return {k: v for k, v in row.items() if any(word in k for word in PERSONAL) and v is not None}


def assert_saved_as(row: dict[str, Any], expected: dict[str, Any], case_id: str) -> None:
    assert {k: row[k] for k in expected} == expected, case_id
    assert personal_details(row) == {}, f"{case_id}: personal details saved with the assessment"


@pytest.mark.usefixtures("far_time_zone")
def test_every_vignette_sent_to_the_api_is_saved_as_given(
    app: Flask, client: FlaskClient, backend: str
) -> None:
    send_api_key(app, client)
    references = []
    for case in VIGNETTES:
        before = datetime.now(UTC)
        response = client.post(API, json=with_inapplicable(case["answers"]))
        after = datetime.now(UTC)
        assert response.status_code == 200, f"{case['id']}: {response.status_code}"
        body = response.get_json()
        assert body.get("saved", True) is True, case["id"]
        assert body["level"] == case["expected_level"], case["id"]
        reference = body["reference"]
        references.append(reference)
        row = saved(app, reference)
        expected = {
            "reference": reference,
            "channel": "api",
            "language": "en",
            "level": case["expected_level"],
            "fired_rules": [rule["id"] for rule in body["fired_rules"]],
            "rules_version": RULES.version.version,
            "rules_hash": RULES.version.content_hash,
            "answers": case["answers"],  # only the questions that apply: the extra ones are dropped
        }
        assert_saved_as(row, expected, case["id"])
        assert body["rules_version"] == {"version": row["rules_version"], "hash": row["rules_hash"]}
        assert before <= as_utc(row["created_at"], backend) <= after, case["id"]
    assert len(set(references)) == len(VIGNETTES) == len(assessments(app))


@pytest.mark.usefixtures("far_time_zone")
def test_every_vignette_confirmed_on_the_pages_is_saved_as_answered(app: Flask, backend: str) -> None:
    references = []
    for case in VIGNETTES:
        client = app.test_client()
        before = datetime.now(UTC)
        reference = submit_online(client, case["answers"])
        after = datetime.now(UTC)
        assert reference is not None, f"{case['id']}: not saved"
        references.append(reference)
        result = show(client, "/result")
        assert result.one("strong", cls="reference").text == reference, case["id"]
        row = saved(app, reference)
        outcome = RULES.assess(case["answers"])
        expected = {
            "reference": reference,
            "channel": "online",
            "language": "en",
            "level": case["expected_level"],
            "fired_rules": [rule.id for rule in outcome.fired_rules],
            "rules_version": RULES.version.version,
            "rules_hash": RULES.version.content_hash,
            "answers": asked_answers(case["answers"]),
        }
        assert_saved_as(row, expected, case["id"])
        assert before <= as_utc(row["created_at"], backend) <= after, case["id"]
        # Shown again, the result page keeps the same code (nothing is saved twice).
        assert show(client, "/result").one("strong", cls="reference").text == reference
    assert len(set(references)) == len(VIGNETTES) == len(assessments(app))


@pytest.mark.parametrize("lang", RULES.languages)
def test_the_language_of_the_request_is_saved(app: Flask, client: FlaskClient, lang: str) -> None:
    send_api_key(app, client)
    response = client.post(API, json=VIGNETTES[0]["answers"], headers={"Accept-Language": lang})
    assert response.status_code == 200
    assert saved(app, response.get_json()["reference"])["language"] == lang


def test_the_assessment_table_has_no_column_for_a_name_except_the_phone_callers(app: Flask) -> None:
    """Names live in call-back requests; an assessment may hold one only for a call taken by phone."""
    with app.app_context():
        columns = {column["name"] for column in inspect(db.engine).get_columns("assessments")}
    named = {column for column in columns if any(word in column for word in PERSONAL)}
    assert named <= {"caller_name", "caller_phone"}


def test_a_name_sent_with_the_answers_is_refused_and_nothing_is_saved(
    app: Flask, client: FlaskClient
) -> None:
    send_api_key(app, client)
    answers = {**VIGNETTES[0]["answers"], "name": "Maria Papadopoulou", "phone": "+306941234567"}
    response = client.post(API, json=answers)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"name", "phone"}
    assert assessments(app) == []


def test_nothing_but_the_answers_reaches_the_row(app: Flask, client: FlaskClient) -> None:
    """A whole saved row, as text, holds no trace of what the request carried besides the answers."""
    send_api_key(app, client)
    response = client.post(
        API,
        json=VIGNETTES[0]["answers"],
        headers={"User-Agent": "Maria-Papadopoulou-Phone", "X-Forwarded-For": "203.0.113.77"},
    )
    assert response.status_code == 200
    (row,) = assessments(app)
    text = json.dumps(row, default=str)
    assert "Papadopoulou" not in text
    assert "203.0.113.77" not in text


def test_the_json_columns_hold_compact_json_and_read_back_as_sent(app: Flask, client: FlaskClient) -> None:
    from sqlalchemy import text

    send_api_key(app, client)
    assert client.post(API, json=VIGNETTES[0]["answers"]).get_json()["saved"]
    as_text = "SELECT CAST(answers AS TEXT), CAST(fired_rules AS TEXT) FROM assessments"
    with app.app_context():
        answers_text, fired_text = db.session.execute(text(as_text)).one()
    (row,) = assessments(app)
    assert len(row["answers"]) > 1 and len(row["fired_rules"]) > 1
    assert ": " not in answers_text and ", " not in fired_text  # written by orjson: no spaces
    assert (json.loads(answers_text), json.loads(fired_text)) == (row["answers"], row["fired_rules"])


def test_a_json_column_value_orjson_refuses_is_written_by_the_standard_library() -> None:
    from triage.web.json_provider import json_text

    assert json_text({"age": 70, "symptoms": ["numbness"], "note": "πόνος"}) == (
        '{"age":70,"symptoms":["numbness"],"note":"πόνος"}'
    )
    assert json_text({"big": 2**70}) == '{"big": 1180591620717411303424}'
