"""Issue 15: a saved assessment as a FHIR Bundle, from GET /api/v1/fhir/assessments/<reference> (an API key
or a staff session; audited) and from `python -m triage fhir export`. Every vignette's Bundle is valid
FHIR (R4B models and the R4 JSON Schema) and its QuestionnaireResponse is valid by the served
Questionnaire; the RiskAssessment holds the level, the fired rules and the rules version and hash; a
call-back request is a ServiceRequest."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support.api import bearer, issue_key
from tests.support.apps import PRACTICE, PRACTICE_IN_GREEK
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.fhir import (
    parse_r4,
    parse_r4b,
    practice_details_of,
    response_problems,
    schema_problems,
    stored_assessment,
    stored_callback,
)
from tests.support.flow import RULES, screen_answers
from tests.support.records import audit_entries, record, save
from tests.support.staff import RECEPTION, login
from triage.cli import main
from triage.engine import Level
from triage.extensions import db
from triage.fhir import assessment_bundle, levels_code_system, levels_to_infermedica, questionnaire
from triage.storage import repository
from triage.storage.codes import Action, Channel, KeyScope, TimeWindow

FHIR_JSON = "application/fhir+json"
QUESTIONNAIRE = "/api/v1/fhir/Questionnaire"
URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
#: issue 15: stat for the levels that send the person to emergency care now; the brief's choice for
#: urgent (documented in triage/fhir/bundle.py); routine otherwise.
PRIORITY = {
    "ambulance": "stat",
    "emergency": "stat",
    "urgent": "urgent",
    "soon": "routine",
    "information": "routine",
}


@pytest.fixture
def database(staff_database: Path) -> Path:
    """Apps whose database holds the staff accounts (a member of staff reads records too)."""
    return staff_database


@pytest.fixture
def key(app: Flask) -> str:
    """The practice's electronic record's key: it reads every record (the read scope)."""
    return issue_key(app, "practice-ehr", KeyScope.READ)


def url(reference: str) -> str:
    return f"/api/v1/fhir/assessments/{reference}"


def read(client: FlaskClient, reference: str, key: str) -> dict[str, Any]:
    response = client.get(url(reference), headers=bearer(key))
    assert response.status_code == 200, response.text
    assert response.mimetype == FHIR_JSON
    bundle: dict[str, Any] = json.loads(response.text)
    return bundle


def resources(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


# --- the public resources --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "make"),
    [
        (QUESTIONNAIRE, questionnaire),
        ("/api/v1/fhir/CodeSystem/spine-triage-level", levels_code_system),
        ("/api/v1/fhir/ConceptMap/spine-triage-level-to-infermedica", levels_to_infermedica),
    ],
    ids=["Questionnaire", "CodeSystem", "ConceptMap"],
)
def test_the_public_resources_are_served_as_fhir_json_to_anyone(
    app: Flask, client: FlaskClient, path: str, make: Callable[..., dict[str, Any]]
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == FHIR_JSON
    made = questionnaire(RULES, "en", practice_details_of(app)) if make is questionnaire else make(RULES)
    served = json.loads(response.text)
    assert served.pop("meta") == {"versionId": RULES.version.version}  # issue 31: vread by the version
    assert served == json.loads(json.dumps(made))


# --- every vignette --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VIGNETTES, ids=lambda case: case["id"])
def test_every_vignette_s_record_is_a_valid_bundle_by_the_served_questionnaire(
    app: Flask, client: FlaskClient, key: str, case: dict[str, Any]
) -> None:
    reference = save(app, case["answers"])
    bundle = read(client, reference, key)
    assert bundle["type"] == "collection"
    assert schema_problems(bundle) == []
    parse_r4b(bundle)
    parse_r4(bundle)
    questionnaire = client.get(QUESTIONNAIRE).get_json(force=True)
    found = resources(bundle)
    (answered,) = found["QuestionnaireResponse"]
    assert answered["status"] == "completed"
    assert response_problems(questionnaire, answered) == []
    stored = record(app, reference)
    (risk,) = found["RiskAssessment"]
    (prediction,) = risk["prediction"]
    assert [c["code"] for c in prediction["qualitativeRisk"]["coding"]] == [case["expected_level"]]
    assert prediction["qualitativeRisk"]["coding"][0]["system"].endswith("/CodeSystem/spine-triage-level")
    assert [note["text"].split(" ", 1)[0] for note in risk.get("note", [])] == stored.fired_rules
    assert risk["method"]["coding"][0]["code"] == stored.rules_hash
    assert risk["method"]["coding"][0]["version"] == stored.rules_version
    assert risk["basis"] == [{"reference": bundle["entry"][0]["fullUrl"]}]
    assert "ServiceRequest" not in found


def test_unsure_stays_the_coded_answer_it_is(app: Flask, client: FlaskClient, key: str) -> None:
    answers = {**URGENT, "steroids": "unsure", "osteoporosis": False}
    (answered,) = resources(read(client, save(app, answers), key))["QuestionnaireResponse"]
    given = {item["linkId"]: item.get("answer") for group in answered["item"] for item in group["item"]}
    assert [a["valueCoding"]["code"] for a in given["steroids"]] == ["unsure"]
    assert [a["valueCoding"]["code"] for a in given["osteoporosis"]] == ["no"]


def test_the_response_check_finds_what_the_questionnaire_does_not_allow(
    app: Flask, client: FlaskClient, key: str
) -> None:
    (answered,) = resources(read(client, save(app, URGENT), key))["QuestionnaireResponse"]
    questionnaire = client.get(QUESTIONNAIRE).get_json(force=True)
    items = {item["linkId"]: item for group in answered["item"] for item in group["item"]}
    items["numbness"]["answer"] = [{"valueCoding": {"code": "everywhere"}}]
    items["age"]["answer"] = [{"valueInteger": 7}]
    items["back_pain"]["answer"] = [{"valueBoolean": False}]  # its pain questions are answered all the same
    del items["fever"]["answer"]
    problems = "\n".join(response_problems(questionnaire, answered))
    for expected in (
        "numbness: code",
        "age: 7 is outside",
        "pain_location: answered, but not enabled",
        "fever: required",
    ):
        assert expected in problems


# --- who may read, and the audit trail ------------------------------------------------------------


def test_without_a_key_or_a_staff_session_a_record_is_refused(app: Flask, client: FlaskClient) -> None:
    reference = save(app, URGENT)
    for headers in ({}, bearer("st_not-a-key-the-practice-issued")):
        response = client.get(url(reference), headers=headers)
        assert response.status_code == 401
        assert response.mimetype == FHIR_JSON
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        outcome = json.loads(response.text)
        assert outcome["resourceType"] == "OperationOutcome" and schema_problems(outcome) == []
    assert [e for e in audit_entries(app) if e.action == Action.FHIR_EXPORT] == []


def test_an_unknown_reference_is_not_found(client: FlaskClient, key: str) -> None:
    response = client.get(url("ZZZZ-ZZZZ"), headers=bearer(key))
    assert response.status_code == 404
    assert json.loads(response.text)["issue"][0]["code"] == "not-found"


def test_a_read_with_a_key_is_audited_with_the_key_s_name(app: Flask, client: FlaskClient, key: str) -> None:
    reference = save(app, URGENT)
    read(client, reference, key)
    read(client, reference, key)
    reads = [e for e in audit_entries(app) if e.action == Action.FHIR_EXPORT]
    assert [(e.username, e.target) for e in reads] == [("api-key", reference)] * 2
    assert all("practice-ehr" in (e.detail or "") for e in reads)


def test_a_member_of_staff_logged_in_reads_a_record_and_is_audited_by_name(
    app: Flask, client: FlaskClient
) -> None:
    reference = save(app, URGENT)
    login(client, RECEPTION)
    response = client.get(url(reference))
    assert response.status_code == 200
    assert json.loads(response.text)["resourceType"] == "Bundle"
    reads = [e for e in audit_entries(app) if e.action == Action.FHIR_EXPORT]
    assert [(e.username, e.target) for e in reads] == [(RECEPTION.username, reference)]


def test_a_staff_session_idle_for_30_minutes_reads_nothing(app: Flask, client: FlaskClient) -> None:
    reference = save(app, URGENT)
    login(client, RECEPTION)
    with client.session_transaction() as session:
        session["staff_seen"] = time.time() - 31 * 60
    assert client.get(url(reference)).status_code == 401


def test_a_staff_session_reads_no_other_api_route_as_staff(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)  # the assessments endpoint saves only with an API key, never a session
    body = client.post("/api/v1/assessments", json=URGENT).get_json()
    assert body["saved"] is False


# --- call-backs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "window"),
    [
        ("breast-cancer-thoracic-night-pain", TimeWindow.TODAY),
        ("major-fall-walking", TimeWindow.ANY),
        *[(c["id"], TimeWindow.MORNING) for c in VIGNETTES if c["expected_level"] in ("soon", "information")][
            :2
        ],
    ],
)
def test_a_call_back_request_is_a_service_request_with_priority_time_and_consented_contact(
    app: Flask, client: FlaskClient, key: str, case: str, window: TimeWindow
) -> None:
    reference = save(app, VIGNETTE[case]["answers"])
    with app.app_context():
        repository.save_callback(reference, "Eleni Papadopoulou", "+306912345678", window)
    bundle = read(client, reference, key)
    assert schema_problems(bundle) == []
    parse_r4b(bundle)
    parse_r4(bundle)
    (request,) = resources(bundle)["ServiceRequest"]
    assert request["priority"] == PRIORITY[VIGNETTE[case]["expected_level"]]
    (caller,) = resources(bundle)["Patient"]  # the person assessed is the person to call
    patient = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert request["subject"] == {"reference": patient}
    assert caller["name"] == [{"text": "Eleni Papadopoulou"}]
    assert caller["telecom"] == [{"system": "phone", "value": "+306912345678"}]
    assert request["occurrenceTiming"]["code"]["coding"][0]["code"] == window
    repeat = request["occurrenceTiming"].get("repeat", {})
    assert repeat.get("when") == {TimeWindow.MORNING: ["MORN"]}.get(window)
    assert ("boundsDuration" in repeat) is (window == TimeWindow.TODAY)
    risk = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "RiskAssessment")
    assert request["reasonReference"] == [{"reference": risk}]


def test_without_consent_no_contact_detail_leaves() -> None:
    callback = stored_callback("any", name="Eleni Papadopoulou", consent=False)
    stored = stored_assessment(RULES.assess(URGENT), callback)
    bundle = assessment_bundle(stored, RULES)
    text = json.dumps(bundle, ensure_ascii=False)
    assert "Eleni" not in text and "6912345678" not in text
    (patient,) = resources(bundle)["Patient"]
    assert "name" not in patient and "telecom" not in patient
    assert schema_problems(bundle) == []


# --- early exits, older rules -------------------------------------------------------------------------


def test_an_early_exit_is_an_in_progress_response_and_a_preliminary_assessment(
    app: Flask, client: FlaskClient, key: str
) -> None:
    screen = screen_answers(VIGNETTE["roof-fall-legs-dont-move"]["answers"])
    with app.app_context():
        reference = repository.save_assessment(RULES.assess_partial(screen), Channel.ONLINE, "el")
    bundle = read(client, reference, key)
    assert schema_problems(bundle) == []
    found = resources(bundle)
    (answered,) = found["QuestionnaireResponse"]
    assert answered["status"] == "in-progress"
    questionnaire = client.get(QUESTIONNAIRE).get_json(force=True)
    assert [p for p in response_problems(questionnaire, answered) if "required" not in p] == []
    assert found["RiskAssessment"][0]["status"] == "preliminary"


def test_a_record_made_under_other_rules_keeps_only_its_rule_ids(
    app: Flask, client: FlaskClient, key: str
) -> None:
    reference = save(app, URGENT)
    with app.app_context():
        found = repository.find_assessment(reference)
        assert found is not None
        found.rules_hash, found.rules_version = "sha256:" + "0" * 64, "2025.1.0"
        db.session.commit()
    bundle = read(client, reference, key)
    assert schema_problems(bundle) == []
    (risk,) = resources(bundle)["RiskAssessment"]
    stored = record(app, reference)
    assert [note["text"] for note in risk["note"]] == [
        f"Rule {rule} (rules 2025.1.0: its reason is not kept with the record)" for rule in stored.fired_rules
    ]
    assert resources(bundle)["QuestionnaireResponse"][0]["questionnaire"].endswith("|2025.1.0")


# --- the command line -------------------------------------------------------------------------------


def test_fhir_export_prints_the_api_s_bundle_and_is_audited(
    app: Flask, client: FlaskClient, key: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**PRACTICE, **PRACTICE_IN_GREEK}.items():  # the CLI's app: the test app's practice
        monkeypatch.setenv(name, value)
    reference = save(app, URGENT)
    result = runner.invoke(main, ["fhir", "export", reference.lower()])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == read(client, reference, key)
    assert next((e.username, e.target) for e in audit_entries(app) if e.action == Action.FHIR_EXPORT) == (
        "cli",
        reference,
    )


def test_fhir_export_of_an_unknown_reference_fails(app: Flask, runner: CliRunner) -> None:
    result = runner.invoke(main, ["fhir", "export", "ZZZZ-ZZZZ"])
    assert result.exit_code == 1
    assert "no record" in result.stderr


def test_fhir_questionnaire_prints_the_served_questionnaire(client: FlaskClient, runner: CliRunner) -> None:
    practice = {name: str(value) for name, value in {**PRACTICE, **PRACTICE_IN_GREEK}.items()}
    result = runner.invoke(main, ["fhir", "questionnaire"], env=practice)  # the server's settings
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == client.get(QUESTIONNAIRE).get_json(force=True)


# --- a clinician's change of level (spec §3a, v3) ------------------------------------------------------


def test_a_clinicians_level_is_the_first_prediction_with_the_tools_who_and_why(
    app: Flask, client: FlaskClient, key: str
) -> None:
    reference = save(app, URGENT)
    with app.app_context():
        repository.set_override(reference, Level.SOON, "Scan booked: safe to wait.", "colin")
        repository.save_callback(reference, "Eleni", "+306912345678", TimeWindow.ANY)
    bundle = read(client, reference, key)
    assert schema_problems(bundle) == []
    parse_r4b(bundle)
    parse_r4(bundle)
    (risk,) = resources(bundle)["RiskAssessment"]
    levels = [p["qualitativeRisk"]["coding"][0]["code"] for p in risk["prediction"]]
    assert levels == ["soon", "urgent"], "the clinician's level first, then the tool's"
    assert "colin" in risk["prediction"][0]["rationale"]
    assert "Scan booked: safe to wait." in risk["prediction"][0]["rationale"]
    assert risk["status"] == "amended"
    assert (risk["note"][0]["authorString"], "Scan booked" in risk["note"][0]["text"]) == ("colin", True)
    (request,) = resources(bundle)["ServiceRequest"]
    assert request["priority"] == PRIORITY["soon"], "the call-back's priority follows the level acted on"
