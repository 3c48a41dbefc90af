"""Issue 31: POST /api/v1/fhir/QuestionnaireResponse/$extract. A completed response (the resource, or in
Parameters) is checked against the answers contract, assessed by the engine and answered with the Bundle
an export gives; with an API key it is saved like POST /api/v1/assessments and the Bundle carries its
reference; without one nothing is stored. Errors are OperationOutcomes, one issue per item refused.
Issue 31 finding 7: the Patient (age, sex) is the subject, each resource has its own identifier, and the
notes are written for the clinician."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.api import bearer, issue_key
from tests.support.apps import PLACEHOLDERS
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.database import REFUSED_POSTGRESQL
from tests.support.fhir import element_at, parse_r4b, response_problems, schema_problems
from tests.support.flow import RULES
from tests.support.records import count, record
from triage.fhir.questionnaire import SECTION_PREFIX, canonical, response_items
from triage.storage.models import Assessment

EXTRACT = "/api/v1/fhir/QuestionnaireResponse/$extract"
FHIR_JSON = "application/fhir+json"
CANCER_AND_WEAK_LEGS = {
    **VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"],
    "cancer": "current",
    "leg_weakness": True,
}


def questionnaire_response(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as a form filler sends them: a completed response to the served Questionnaire."""
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": canonical(RULES),
        "status": "completed",
        "item": response_items(RULES, answers),
    }


def answered(response: dict[str, Any], link: str) -> dict[str, Any]:
    """The response's item with this linkId, in its section's group."""
    return next(item for group in response["item"] for item in group["item"] if item["linkId"] == link)


def extract(client: FlaskClient, body: object, **headers: str) -> Any:
    return client.post(EXTRACT, data=json.dumps(body), headers={"Content-Type": FHIR_JSON, **headers})


def resources(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


def full_url(bundle: dict[str, Any], resource_type: str) -> str:
    return str(next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type))


def level_of(bundle: dict[str, Any]) -> str:
    (risk,) = resources(bundle)["RiskAssessment"]
    return str(risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"])


# --- every vignette, there and back -------------------------------------------------------------------


@pytest.mark.parametrize("case", VIGNETTES, ids=lambda case: case["id"])
def test_every_vignette_s_response_is_extracted_at_its_level_and_stored_nowhere(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    response = extract(client, questionnaire_response(case["answers"]))
    assert response.status_code == 200, response.text
    assert response.mimetype == FHIR_JSON
    bundle = json.loads(response.text)
    assert schema_problems(bundle) == []
    parse_r4b(bundle)
    assert bundle["type"] == "collection" and "identifier" not in bundle
    assert level_of(bundle) == case["expected_level"]
    (answered,) = resources(bundle)["QuestionnaireResponse"]
    served = client.get("/api/v1/fhir/Questionnaire").get_json(force=True)
    assert response_problems(served, answered) == []
    assert count(app, Assessment) == 0


def test_the_bundle_holds_what_the_engine_and_the_json_api_say(client: FlaskClient) -> None:
    bundle = json.loads(extract(client, questionnaire_response(CANCER_AND_WEAK_LEGS)).text)
    api = client.post("/api/v1/assessments", json=CANCER_AND_WEAK_LEGS).get_json()
    (risk,) = resources(bundle)["RiskAssessment"]
    assert level_of(bundle) == api["level"]
    assert [c["coding"][0]["code"] for c in risk["reasonCode"]] == [r["id"] for r in api["fired_rules"]]
    assert all(c["coding"][0]["system"].endswith("/CodeSystem/spine-triage-rule") for c in risk["reasonCode"])
    assert [c["text"] for c in risk["reasonCode"]] == [r["reason"] for r in api["fired_rules"]]
    assert risk["mitigation"] == api["action"]
    assert PLACEHOLDERS["emergency_number"] in risk["mitigation"]


def test_a_response_in_parameters_is_extracted_too(client: FlaskClient) -> None:
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "questionnaire-response", "resource": questionnaire_response(CANCER_AND_WEAK_LEGS)}
        ],
    }
    response = extract(client, parameters)
    assert response.status_code == 200, response.text
    assert level_of(json.loads(response.text)) in ("emergency", "ambulance")


# --- saved with a key ---------------------------------------------------------------------------------


def test_with_an_api_key_the_assessment_is_saved_and_the_bundle_carries_its_reference(
    app: Flask, client: FlaskClient
) -> None:
    key = issue_key(app, "hospital-portal")
    bundle = json.loads(extract(client, questionnaire_response(CANCER_AND_WEAK_LEGS), **bearer(key)).text)
    reference = bundle["identifier"]["value"]
    assert bundle["identifier"]["system"].endswith("/assessment-reference")
    saved = record(app, reference)
    assert (saved.level, saved.api_key, saved.channel) == (level_of(bundle), "hospital-portal", "api")
    (risk,) = resources(bundle)["RiskAssessment"]
    assert risk["identifier"] == [bundle["identifier"]]
    exported = client.get(f"/api/v1/fhir/assessments/{reference}", headers=bearer(key)).get_json(force=True)
    assert [e["fullUrl"] for e in exported["entry"]] == [e["fullUrl"] for e in bundle["entry"]]


def test_a_key_that_is_not_valid_is_refused_before_the_body_is_read(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        EXTRACT, data="not json", headers={"Content-Type": "text/plain", **bearer("st_wrong")}
    )
    assert response.status_code == 401
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert count(app, Assessment) == 0


# --- errors -------------------------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_unsupported_or_bad(client: FlaskClient) -> None:
    plain = client.post(EXTRACT, data="{}", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    broken = client.post(EXTRACT, data="{", headers={"Content-Type": FHIR_JSON})
    assert broken.status_code == 400
    for response in (plain, broken):
        assert response.mimetype == FHIR_JSON
        assert response.get_json(force=True)["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    "body",
    [
        {"resourceType": "Patient"},
        {"age": 70},
        [],
        {"resourceType": "Parameters", "parameter": [{"name": "other", "resource": {}}]},
    ],
)
def test_what_is_not_a_questionnaire_response_is_a_bad_request(client: FlaskClient, body: object) -> None:
    response = extract(client, body)
    assert response.status_code == 400
    assert response.get_json(force=True)["issue"][0]["severity"] == "error"


@pytest.mark.parametrize(
    ("item", "where"),
    [
        ([{"text": "no linkId"}], "QuestionnaireResponse.item[0]"),  # R4 requires an item's linkId
        ([{"linkId": "age", "answer": {"valueInteger": 70}}], "QuestionnaireResponse.item[0].answer"),
        ({"linkId": "age"}, "QuestionnaireResponse.item"),
    ],
)
def test_a_response_whose_fhir_structure_is_broken_is_a_bad_request_at_the_element(
    client: FlaskClient, item: object, where: str
) -> None:
    """Not answers the contract refuses (422) but no QuestionnaireResponse by R4 itself."""
    response = extract(client, {"resourceType": "QuestionnaireResponse", "item": item})
    assert response.status_code == 400
    (issue,) = response.get_json(force=True)["issue"]
    assert (issue["severity"], issue["code"], issue["expression"]) == ("error", "structure", [where])


@pytest.mark.parametrize("lang", ["en", "el"])
def test_each_answer_the_contract_refuses_is_one_issue_with_its_item_and_the_json_api_s_message(
    client: FlaskClient, lang: str
) -> None:
    answers = {**CANCER_AND_WEAK_LEGS, "age": 12}
    del answers["cancer"]
    sent = questionnaire_response(answers)
    answered(sent, "injury")["answer"] = [{"valueCoding": {"code": "skiing"}}]  # no such option
    sent["item"].append({"linkId": "shoe_size", "answer": [{"valueInteger": 44}]})
    api_answers = {**answers, "injury": "skiing", "shoe_size": 44}
    response = extract(client, sent, **{"Accept-Language": lang})
    assert response.status_code == 422
    issues = response.get_json(force=True)["issue"]
    messages = client.post(
        "/api/v1/assessments", json=api_answers, headers={"Accept-Language": lang}
    ).get_json()
    at = {element_at(sent, i["expression"][0])["linkId"]: i for i in issues}  # the items they point at
    cancer = SECTION_PREFIX + RULES.contract["cancer"].section  # left out: at its section's group
    assert {link: i["details"]["text"] for link, i in at.items()} == {
        (cancer if qid == "cancer" else qid): message for qid, message in messages["errors"].items()
    }
    assert at[cancer]["code"] == "required"
    assert at["shoe_size"]["code"] == "structure"


def test_pain_features_left_out_is_refused_and_none_of_them_is_the_answer_none_of_these(
    client: FlaskClient,
) -> None:
    answers = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
    none_of_these = questionnaire_response({**answers, "pain_features": []})
    assert extract(client, none_of_these).status_code == 200
    left_out = questionnaire_response({k: v for k, v in answers.items() if k != "pain_features"})
    response = extract(client, left_out)
    assert response.status_code == 422
    (issue,) = response.get_json(force=True)["issue"]
    section = SECTION_PREFIX + RULES.contract["pain_features"].section
    assert element_at(left_out, issue["expression"][0])["linkId"] == section  # its item's place
    assert issue["code"] == "required"


def test_a_response_with_every_item_worded_at_length_is_read(client: FlaskClient) -> None:
    sent = questionnaire_response(CANCER_AND_WEAK_LEGS)
    for group in sent["item"]:
        for item in group["item"]:
            item["text"] = "Ένα κείμενο ερώτησης όπως το δείχνει ένα πρόγραμμα φορμών. " * 8
    body = json.dumps(sent, ensure_ascii=False, indent=2).encode()
    assert 16 * 1024 < len(body) < 64 * 1024  # over the JSON API's limit, within the operations'
    response = client.post(EXTRACT, data=body, headers={"Content-Type": FHIR_JSON})
    assert response.status_code == 200, response.text


def test_extracts_are_limited_per_address_like_the_json_api(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_API_ADDRESS="3 per minute")
    client = app.test_client()
    body = questionnaire_response(CANCER_AND_WEAK_LEGS)
    assert [extract(client, body).status_code for _ in range(4)] == [200, 200, 200, 429]


# --- for an EHR (finding 7) --------------------------------------------------------------------------


@pytest.mark.parametrize("case", VIGNETTES[:6], ids=lambda case: case["id"])
def test_the_patient_is_the_subject_with_age_and_sex_and_every_resource_has_its_own_identifier(
    client: FlaskClient, case: dict[str, Any]
) -> None:
    answers = {**case["answers"], "sex": "female"}
    bundle = json.loads(extract(client, questionnaire_response(answers)).text)
    found = resources(bundle)
    (patient,) = found["Patient"]
    subject = {"reference": full_url(bundle, "Patient")}
    assert found["QuestionnaireResponse"][0]["subject"] == subject
    assert found["RiskAssessment"][0]["subject"] == subject
    assert patient["gender"] == "female"
    ages = [ext["valueAge"] for ext in patient["extension"] if "valueAge" in ext]
    assert ages == [
        {"value": answers["age"], "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"}
    ]
    identifiers = [
        json.dumps(identifier, sort_keys=True)
        for entry in bundle["entry"]
        for identifier in _identifiers(entry["resource"])
    ]
    assert len(identifiers) == len(bundle["entry"]) == len(set(identifiers))


def _identifiers(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found = resource.get("identifier", [])
    return found if isinstance(found, list) else [found]


@pytest.mark.parametrize("case", VIGNETTES, ids=lambda case: case["id"])
def test_the_notes_are_written_for_the_clinician(client: FlaskClient, case: dict[str, Any]) -> None:
    bundle = json.loads(extract(client, questionnaire_response(case["answers"])).text)
    (risk,) = resources(bundle)["RiskAssessment"]
    notes = [note["text"] for note in risk.get("note", [])]
    assert [note.split(" ", 1)[0] for note in notes] == [
        c["coding"][0]["code"] for c in risk.get("reasonCode", [])
    ]
    for note in notes:
        assert not re.search(r"\b(you|your)\b", note, re.IGNORECASE), note
        assert re.fullmatch(
            r"\w+ \((ambulance|emergency|urgent|soon|information)\): .+\.", note, re.DOTALL
        ), note


# --- the records down ----------------------------------------------------------------------------------


def test_with_the_records_unreachable_the_bundle_is_given_in_full_with_a_warning(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(REFUSED_POSTGRESQL).test_client()
    response = extract(client, questionnaire_response(CANCER_AND_WEAK_LEGS), **bearer("st_cannot-be-checked"))
    assert response.status_code == 200, response.text
    bundle = json.loads(response.text)
    assert level_of(bundle) == RULES.assess(CANCER_AND_WEAK_LEGS).level.value
    assert "identifier" not in bundle  # not saved: no reference code
    (outcome,) = resources(bundle)["OperationOutcome"]
    assert outcome["issue"][0]["severity"] == "warning"
    assert "could not be saved" in outcome["issue"][0]["details"]["text"]
    assert schema_problems(bundle) == []


def test_no_page_on_another_origin_may_read_what_extract_makes(client: FlaskClient) -> None:
    """No CORS: $extract makes a record of a person's answers (and with a key saves it); an API key
    belongs on a server. A page uses $next-question, whose last answer holds the outcome."""
    origin = "https://portal.example"
    preflight = client.options(EXTRACT, headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    response = extract(client, questionnaire_response(CANCER_AND_WEAK_LEGS), Origin=origin)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_a_body_over_the_operations_limit_is_a_413_that_names_it(client: FlaskClient) -> None:
    sent = questionnaire_response(CANCER_AND_WEAK_LEGS)
    sent["text"] = {"status": "generated", "div": "<div>" + "x" * 70 * 1024 + "</div>"}
    response = client.post(EXTRACT, data=json.dumps(sent), headers={"Content-Type": FHIR_JSON})
    assert response.status_code == 413
    (issue,) = response.get_json(force=True)["issue"]
    assert issue["diagnostics"] == "The body is larger than 64 KB."
