"""Issue 31: SDC $next-question on the Questionnaire. A portal sends the answers so far and gets back the
response with a contained Questionnaire of the items asked so far: the next page of the patient pages'
runner, the urgent advice first as soon as the warning signs need it (the person may carry on), and,
once the last page is answered, the completed response with the outcome and its RiskAssessment. The
portal here has no logic: it answers whatever items it is given, from a vignette's answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.apps import PLACEHOLDERS
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.fhir import parse_r4b, schema_problems
from tests.support.flow import FLOW, RULES, SCREEN
from triage.fhir.questionnaire import response_items

NEXT = "/api/v1/fhir/Questionnaire/$next-question"
QUESTIONNAIRE = "/api/v1/fhir/Questionnaire"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
NEXT_BY_ID = "/api/v1/fhir/Questionnaire/spine-triage/$next-question"
FHIR_JSON = "application/fhir+json"
#: Finding 1: a man with cancer and new leg weakness.
CANCER_AND_WEAK_LEGS = {
    **VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"],
    "sex": "male",
    "cancer": "current",
    "leg_weakness": True,
}


def ask(client: FlaskClient, answers: dict[str, Any], url: str = NEXT, **headers: str) -> dict[str, Any]:
    sent = {
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "item": response_items(RULES, answers),
    }
    response = client.post(url, data=json.dumps(sent), headers={"Content-Type": FHIR_JSON, **headers})
    assert response.status_code == 200, response.text
    assert response.mimetype == FHIR_JSON
    answer: dict[str, Any] = json.loads(response.text)
    return answer


def contained(response: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return next(r for r in response["contained"] if r["resourceType"] == resource_type)


def items(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The contained Questionnaire's items: display items at the top, each group's items after."""
    found = []
    for item in contained(response, "Questionnaire")["item"]:
        found += item.get("item", []) if item["type"] == "group" else [item]
    return found


def valid_r4(response: dict[str, Any]) -> list[str]:
    """What the R4 JSON Schema finds wrong with the response and with each resource it contains (each
    on its own: the schema's check of a contained resource against every resource type is slow)."""
    bare = {name: value for name, value in response.items() if name != "contained"}
    return [problem for resource in [bare, *response["contained"]] for problem in schema_problems(resource)]


def _every_item(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [one for item in found for one in [item, *_every_item(item.get("item", []))]]


def questions(response: dict[str, Any]) -> list[str]:
    return [item["linkId"] for item in items(response) if item["linkId"] in RULES.contract]


def run(client: FlaskClient, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """A portal without logic: it answers every question it is given from `answers`, until completed."""
    given: dict[str, Any] = {}
    exchanges = []
    while True:
        response = ask(client, given)
        exchanges.append(response)
        if response["status"] == "completed":
            return exchanges
        asked = [qid for qid in questions(response) if qid in answers]
        assert set(asked) - given.keys(), "no new question asked"
        given |= {qid: answers[qid] for qid in asked}


def test_the_first_answer_asks_the_warning_signs_first(client: FlaskClient) -> None:
    response = ask(client, {})
    assert response["status"] == "in-progress"
    assert questions(response) == list(FLOW.warning_signs[0].question_ids)  # the first warning-sign page
    assert response["questionnaire"] == "#adaptive"
    assert contained(response, "Questionnaire")["derivedFrom"][0].endswith(f"|{RULES.version.version}")
    assert valid_r4(response) == []
    parse_r4b(response)


def test_both_addresses_answer_the_same(client: FlaskClient) -> None:
    assert questions(ask(client, {})) == questions(ask(client, {}, NEXT_BY_ID))


@pytest.mark.parametrize("case", VIGNETTES, ids=lambda case: case["id"])
def test_every_vignette_runs_the_patient_pages_pages_to_its_level(
    client: FlaskClient, case: dict[str, Any]
) -> None:
    answers = case["answers"]
    exchanges = run(client, answers)
    pages = [page.question_ids for page in FLOW.asked(answers)]
    asked = [questions(response) for response in exchanges[:-1]]
    assert [
        tuple(qids[len(previous) :]) for previous, qids in zip([[], *asked], asked, strict=False)
    ] == pages
    for response in exchanges:
        links = [item["linkId"] for item in _every_item(contained(response, "Questionnaire")["item"])]
        assert len(links) == len(set(links))  # R4 que-2: every linkId once
    done = exchanges[-1]
    risk = contained(done, "RiskAssessment")
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == case["expected_level"]
    assert risk["basis"] == [{"reference": "#"}]
    (outcome,) = [item for item in items(done) if item["type"] == "display" and "code" in item]
    assert outcome["code"][0]["code"] == case["expected_level"]
    parse_r4b(done)  # the R4 JSON Schema too, once: test_the_advice_stays_first_…


def test_finding_1_the_man_with_cancer_and_weak_legs_is_sent_to_emergency_care_at_once(
    client: FlaskClient,
) -> None:
    screen = {qid: CANCER_AND_WEAK_LEGS[qid] for qid in SCREEN}
    response = ask(client, screen)
    assert response["status"] == "in-progress"  # he may carry on
    first = contained(response, "Questionnaire")["item"][0]
    assert (first["linkId"], first["type"]) == ("advice-now", "display")
    assert first["code"][0]["code"] in ("emergency", "ambulance")
    assert first["code"][0]["system"].endswith("/CodeSystem/spine-triage-level")
    assert PLACEHOLDERS["emergency_number"] in first["text"]
    assert RULES.levels[RULES.assess_partial(screen).level].label.get("en") in first["text"]
    assert questions(response)[len(SCREEN) :] == list(FLOW.next_page(screen).question_ids)  # type: ignore[union-attr]
    greek = contained(ask(client, screen, **{"Accept-Language": "el"}), "Questionnaire")["item"][0]
    translations = [
        part["valueString"]
        for extension in greek["_text"]["extension"]
        if extension["url"] == TRANSLATION
        for part in extension["extension"]
        if part["url"] == "content"
    ]
    assert any(PLACEHOLDERS["emergency_number"] in text for text in translations)
    # the form's own urgent advice (spec §5a) for that level says the same, in every language
    served = _every_item(client.get(QUESTIONNAIRE).get_json(force=True)["item"])
    (own,) = [item for item in served if item["linkId"] == f"urgent-advice-{first['code'][0]['code']}"]
    assert (own["text"], own["_text"]) == (first["text"], first["_text"])


def test_the_advice_stays_first_while_he_carries_on_and_ends_in_his_level(client: FlaskClient) -> None:
    exchanges = run(client, CANCER_AND_WEAK_LEGS)
    after_screen = [
        r for r in exchanges if set(SCREEN) <= {i["linkId"] for g in r["item"] for i in g["item"]}
    ]
    assert after_screen and all(
        contained(r, "Questionnaire")["item"][0]["linkId"] == "advice-now" for r in after_screen[:-1]
    )
    assert contained(exchanges[-1], "Questionnaire")["item"][0]["linkId"] == "outcome"
    level = contained(exchanges[-1], "RiskAssessment")["prediction"][0]["qualitativeRisk"]["coding"][0][
        "code"
    ]
    assert level == RULES.assess(CANCER_AND_WEAK_LEGS).level.value
    assert valid_r4(exchanges[-1]) == []


def test_no_advice_while_no_warning_sign_needs_it(client: FlaskClient) -> None:
    answers = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
    response = ask(client, {qid: answers[qid] for qid in SCREEN})
    assert [i["linkId"] for i in items(response) if i["type"] == "display" and "code" in i] == []


def test_an_answer_the_contract_refuses_is_an_issue_with_its_item(client: FlaskClient) -> None:
    sent = {
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "item": [
            {"linkId": "section-about_you", "item": [{"linkId": "age", "answer": [{"valueInteger": 12}]}]}
        ],
    }
    response = client.post(NEXT, data=json.dumps(sent), headers={"Content-Type": FHIR_JSON})
    assert response.status_code == 422
    (issue,) = response.get_json(force=True)["issue"]
    assert issue["expression"] == ["QuestionnaireResponse.item[0].item[0]"]  # the item answered 12
    assert issue["details"]["text"]


def test_a_body_that_is_not_a_response_is_refused(client: FlaskClient) -> None:
    assert client.post(NEXT, data="{}", headers={"Content-Type": "text/plain"}).status_code == 415
    assert client.post(NEXT, json={"resourceType": "Patient"}).status_code == 400


def test_the_answer_sent_back_with_the_next_page_answered_goes_on(client: FlaskClient) -> None:
    """As an SDC client does: the returned response, its contained Questionnaire and all, sent back with
    the new items answered."""
    answers = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
    first = ask(client, {})
    first["item"] = response_items(RULES, {qid: answers[qid] for qid in questions(first)})
    response = client.post(NEXT_BY_ID, data=json.dumps(first), headers={"Content-Type": FHIR_JSON})
    assert response.status_code == 200, response.text
    second = json.loads(response.text)
    asked = list(FLOW.warning_signs[0].question_ids)
    assert questions(second)[: len(asked)] == asked
    following = FLOW.next_page({qid: answers[qid] for qid in asked})
    assert following is not None and questions(second)[len(asked) :] == list(following.question_ids)


def test_a_portal_s_page_on_another_origin_may_ask(client: FlaskClient) -> None:
    """CORS: nothing is stored and nothing is read but what the page sends."""
    preflight = client.options(
        NEXT,
        headers={
            "Origin": "https://portal.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept-language",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    sent = {"resourceType": "QuestionnaireResponse", "status": "in-progress", "item": []}
    response = client.post(
        NEXT, data=json.dumps(sent), headers={"Content-Type": FHIR_JSON, "Origin": "https://portal.example"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
