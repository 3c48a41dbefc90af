"""Finding 8 (attack tests) and 14 (the document and the API agree): the API is described by an
OpenAPI 3.1 document served at /api/v1/openapi.json, and schemathesis throws generated requests at
the in-process app (every operation; at least 1,000 examples each under CI=true) with every check it
has: no server error, every response one the document describes (status, content type, body schema,
headers), every request the document allows accepted and every one it forbids refused.

The answers' schema says what the engine accepts: a question asked only when another answer holds
(`asked_when`) is checked, and required, only then (JSON Schema's if/then); an optional question may
be null (not answered). A test compares the two on answer sets near the valid ones.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis.checks import positive_data_acceptance
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from tests.engine.strategies import answer_values, complete_answers
from tests.fhir.test_contract_changes import with_questions
from tests.support.cases import VIGNETTE, vignettes
from triage.api.openapi import answers_schema, openapi_document
from triage.engine import AnswersInvalid, RuleSet, load_rules
from triage.engine.contract import Question

IN_CI = os.environ.get("CI", "").lower() == "true"
#: Examples per operation: the issue asks for at least 1,000 in CI; fewer keep a local run quick.
EXAMPLES = 1000 if IN_CI else 60
RULES = load_rules()
ANSWERS_SCHEMA = Draft202012Validator(answers_schema(RULES))
#: Answers with no pain and no cancer: the questions that depend on those are not asked.
PLAIN = {
    question: answer
    for question, answer in VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"].items()
    if not question.startswith(("pain_", "cancer", "bone_"))
} | {"back_pain": False, "cancer": "never"}


def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served: dict[str, Any] = response.get_json()
    return served


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    served = document(client)
    assert served["openapi"].startswith("3.1")
    OPENAPI_31_VALIDATOR.validate(served)
    for name, schema in served["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert schema.get("type") == "object", name


def test_the_document_names_every_route_of_the_api(app: Flask, client: FlaskClient) -> None:
    described = {
        (path, method.upper()) for path, item in document(client)["paths"].items() for method in item
    }
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)  # Flask's <name> is OpenAPI's {name}
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or ()) - {"HEAD", "OPTIONS"}
    }
    assert described == routes


@pytest.mark.parametrize("case", vignettes(), ids=lambda case: case["id"])
def test_every_vignette_is_valid_by_the_answers_schema(case: dict[str, Any]) -> None:
    ANSWERS_SCHEMA.validate(case["answers"])


def test_the_served_document_is_the_one_the_attack_test_uses(client: FlaskClient) -> None:
    assert document(client) == json.loads(json.dumps(openapi_document(load_rules())))


# --- the answers' schema says what the API accepts --------------------------------------------------


def engine_accepts(ruleset: RuleSet, answers: dict[str, Any]) -> bool:
    try:
        ruleset.assess(answers)
    except AnswersInvalid:
        return False
    return True


@pytest.mark.parametrize(
    ("changes", "accepted"),
    [
        pytest.param({}, True, id="plain"),
        pytest.param(
            {"cancer": "past", "bone_metastases": False, "cancer_type": None}, True, id="optional null"
        ),
        pytest.param({"cancer": "past"}, False, id="cancer without bone_metastases"),
        pytest.param({"cancer": "current", "bone_metastases": None}, False, id="bone_metastases null"),
        pytest.param({"sex": None}, True, id="sex null"),
        pytest.param({"age": None}, False, id="age null"),
        pytest.param({"pain_location": "not asked", "pain_severity": 99}, True, id="pain details ignored"),
        pytest.param({"bone_metastases": "not asked"}, True, id="cancer details ignored"),
        pytest.param({"back_pain": True}, False, id="pain without its details"),
        pytest.param(
            {
                "back_pain": True,
                "pain_location": ["neck", "neck"],
                "pain_onset": "sudden",
                "pain_duration": "under_1_week",
                "pain_severity": 3,
                "pain_features": [],
            },
            False,
            id="a place twice",
        ),
        pytest.param(
            {"age": 70.0, "cancer": "past", "bone_metastases": "unsure"}, True, id="a whole number as 70.0"
        ),
        pytest.param({"age": 70.5}, False, id="not a whole number"),
        pytest.param({"sex": "unknown"}, False, id="not a choice"),
        pytest.param({"no_such_question": 1}, False, id="unknown question"),
    ],
)
def test_the_schema_and_the_api_agree(client: FlaskClient, changes: dict[str, Any], accepted: bool) -> None:
    answers = PLAIN | changes
    assert ANSWERS_SCHEMA.is_valid(answers) is accepted
    assert client.post("/api/v1/assessments", json=answers).status_code == (200 if accepted else 422)


def wrong_answers(question: Question) -> st.SearchStrategy[Any]:
    """Answers `question` does not take: other types, numbers out of range, unknown or repeated options."""
    others = st.sampled_from(["not an answer", 1.5, -1, 1000, True, False, "unsure", [], {}, ["x"]])
    repeated = (
        st.sampled_from(question.values).map(lambda value: [value, value]) if question.values else others
    )
    return st.one_of(others, repeated).filter(lambda value: question.problem(value) is not None)


@st.composite
def near_valid_answers(draw: st.DrawFn, ruleset: RuleSet) -> dict[str, Any]:
    """A complete valid answer set with up to three answers left out, null, wrong or added where they
    do not apply (questions asked only sometimes chosen more often), and sometimes an unknown key."""
    answers: dict[str, Any] = draw(complete_answers(ruleset.contract))
    questions = ruleset.contract.questions
    weighted = [*questions, *(4 * [q for q in questions if q.asked_when is not None])]
    for question in draw(st.lists(st.sampled_from(weighted), unique=True, max_size=3)):
        change = draw(st.sampled_from(("absent", "null", "wrong", "valid")))
        if change == "absent":
            answers.pop(question.id, None)
            continue
        values = {"null": st.none(), "wrong": wrong_answers(question), "valid": answer_values(question)}
        answers[question.id] = draw(values[change])
    if draw(st.integers(0, 9)) == 0:
        answers["no_such_question"] = 1
    return answers


@settings(max_examples=500 if IN_CI else 150, deadline=None, database=None)
@given(st.data())
def test_the_schema_accepts_exactly_what_the_engine_accepts(data: st.DataObject) -> None:
    answers = data.draw(near_valid_answers(RULES))
    assert ANSWERS_SCHEMA.is_valid(answers) is engine_accepts(RULES, answers), answers


def asked_when(question_id: str, kind: str, condition: dict[str, Any], **more: Any) -> dict[str, Any]:
    """A question for a copy of the contract, asked only when `condition` holds."""
    words = {"en": question_id, "el": question_id}
    return {
        "id": question_id,
        "section": "general",
        "type": kind,
        "asked_when": condition,
        "wording": {"label": words, "summary": words},
    } | more


#: Questions asked on conditions of every operator the rules' grammar has, some on answers to
#: questions that are themselves asked only sometimes.
EVERY_OPERATOR = [
    asked_when("night_sweats", "yes_no", {"yes_or_unsure": "fever"}),
    asked_when(
        "walking_aid",
        "choice",
        {"all": [{"at_least": {"age": 65}}, {"equals": {"back_pain": True}}]},
        values=["none", "stick"],
        required=False,
        wording={
            "label": {"en": "A walking aid?", "el": "Βοήθημα βάδισης;"},
            "summary": {"en": "Walking aid", "el": "Βοήθημα βάδισης"},
            "options": {"none": {"en": "No", "el": "Όχι"}, "stick": {"en": "A stick", "el": "Μπαστούνι"}},
        },
    ),
    asked_when("spread_treated", "yes_no", {"yes_or_unsure": "bone_metastases"}),
    asked_when(
        "neck_collar",
        "boolean",
        {"any": [{"contains": {"pain_location": "neck"}}, {"not": {"at_most": {"age": 80}}}]},
    ),
    asked_when("oncology_letter", "boolean", {"equals": {"cancer": "current"}}, required=False),
    asked_when("tingling_hands", "yes_no", {"in": {"numbness": ["one_side", "both_sides"]}}),
    asked_when("still_stooped", "yes_no", {"not": {"equals": {"height_loss": False}}}),
]


PAIN = {
    "back_pain": True,
    "pain_location": ["lower_back"],
    "pain_onset": "gradual",
    "pain_duration": "under_1_week",
    "pain_severity": 2,
    "pain_features": [],
}
#: Answers on each side of every condition of EVERY_OPERATOR.
BOUNDARIES = [
    *({"fever": answer} for answer in (True, False, "unsure")),
    *({"age": age} | PAIN for age in (64, 65, 66)),
    *({"age": age} for age in (80, 81)),
    PAIN | {"pain_location": ["neck", "upper_back"]},
    {"pain_location": ["neck"]},  # not asked: no pain
    {"cancer": "never", "bone_metastases": True},  # not asked: no cancer
    *(
        {"cancer": cancer, "bone_metastases": answer}
        for cancer in ("past", "current")
        for answer in (True, False, "unsure")
    ),
    *({"numbness": answer} for answer in ("none", "one_side", "both_sides")),
    *({"height_loss": answer} for answer in (True, False, "unsure")),
]
#: An answer to each question of EVERY_OPERATOR.
ADDED_ANSWERS = {
    "night_sweats": "unsure",
    "walking_aid": "stick",
    "spread_treated": False,
    "neck_collar": True,
    "oncology_letter": False,
    "tingling_hands": True,
    "still_stooped": True,
}


@pytest.fixture(scope="module")
def every_operator(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    """The rules with EVERY_OPERATOR added to the contract."""
    return load_rules(with_questions(tmp_path_factory.mktemp("contract"), *EVERY_OPERATOR))


@settings(
    max_examples=500 if IN_CI else 150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_the_schema_follows_every_operator_of_the_rules_grammar(
    every_operator: RuleSet, data: st.DataObject
) -> None:
    schema = Draft202012Validator(answers_schema(every_operator))
    answers = data.draw(near_valid_answers(every_operator))
    assert schema.is_valid(answers) is engine_accepts(every_operator, answers), answers


#: The document as the app serves it (the test above checks that), for schemathesis to attack the
#: in-process app with: requests go through the WSGI interface, never over a network.
schema = schemathesis.openapi.from_dict(openapi_document(load_rules()))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    database=None,
)
def test_generated_requests_get_no_server_error_and_match_the_document(
    app: Flask, case: schemathesis.Case
) -> None:
    # Every check schemathesis has (its default, as `--checks all`). A FHIR operation's body is valid
    # when its QuestionnaireResponse's answers keep the answers contract, which the document names but
    # does not restate as a schema of items: there a generated body may be refused (422, or 400 for one
    # that holds no QuestionnaireResponse); every other check still holds.
    fhir_operation = "$" in case.operation.path
    case.call_and_validate(app=app, excluded_checks=[positive_data_acceptance] if fhir_operation else [])


def test_the_schema_follows_every_operator_on_each_side_of_its_condition(every_operator: RuleSet) -> None:
    schema = Draft202012Validator(answers_schema(every_operator))
    disagreements, outcomes = [], set()
    for boundary in BOUNDARIES:
        for question, answer in ADDED_ANSWERS.items():
            given = PLAIN | boundary
            for answers in (given | {question: answer}, given | {question: "not an answer"}, given):
                accepted = engine_accepts(every_operator, answers)
                outcomes.add(accepted)
                if schema.is_valid(answers) is not accepted:
                    disagreements.append((boundary, question, answers.get(question), accepted))
    assert not disagreements
    assert outcomes == {True, False}  # the boundaries reach both sides
