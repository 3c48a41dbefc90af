"""The JSON API: POST /api/v1/assessments and GET /api/v1/questions (clinical spec §2 and §3)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support import apps
from tests.support.api import send_api_key
from tests.support.apps import PRACTICE
from tests.support.cases import vignettes
from tests.support.database import migrated_template
from tests.support.flow import RULES
from triage.cli import main
from triage.engine import DEFAULT_RULES_DIR, Level, RuleSet, load_rules

ASSESSMENTS = "/api/v1/assessments"
QUESTIONS = "/api/v1/questions"
MAX_BODY = 16 * 1024
VIGNETTES = vignettes()
LEVELS = ["ambulance", "emergency", "urgent", "soon", "information"]

#: The answers contract of spec §2: id -> (type, values or (min, max), required, asked when).
PAIN = {"equals": {"back_pain": True}}
CANCER = {"in": {"cancer": ["past", "current"]}}
YES_NO = [True, False, "unsure"]
CANCER_TYPES = ["breast", "lung", "prostate", "kidney", "thyroid"]
CANCER_TYPES += ["myeloma", "lymphoma", "bowel", "other", "unknown"]
CONTRACT: dict[str, tuple[str, Any, bool, dict[str, Any] | None]] = {
    "leg_weakness": ("yes_no", YES_NO, True, None),
    "numbness": ("choice", ["none", "one_side", "both_sides"], True, None),
    "walking_difficulty": ("yes_no", YES_NO, True, None),
    "saddle_numbness": ("yes_no", YES_NO, True, None),
    "bladder_bowel": ("yes_no", YES_NO, True, None),
    "sexual_dysfunction": ("yes_no", YES_NO, True, None),
    "cannot_stand": ("yes_no", YES_NO, True, None),
    "age": ("integer", (18, 120), True, None),
    "sex": ("choice", ["female", "male", "other"], False, None),
    "injury": ("choice", ["none", "strain", "minor_fall", "major"], True, None),
    "back_pain": ("boolean", [True, False], True, None),
    "pain_location": ("multi_choice", ["neck", "upper_back", "lower_back"], True, PAIN),
    "pain_onset": ("choice", ["sudden", "gradual"], True, PAIN),
    "pain_duration": (
        "choice",
        ["under_1_week", "1_to_4_weeks", "4_to_12_weeks", "over_12_weeks"],
        True,
        PAIN,
    ),
    "pain_severity": ("integer", (0, 10), True, PAIN),
    "pain_features": (
        "multi_choice",
        ["night_pain", "worsening", "worse_straining", "not_relieved"],
        True,
        PAIN,
    ),
    "height_loss": ("yes_no", YES_NO, True, None),
    "osteoporosis": ("yes_no", YES_NO, True, None),
    "previous_fracture": ("yes_no", YES_NO, True, None),
    "steroids": ("yes_no", YES_NO, True, None),
    "cancer": ("choice", ["never", "past", "current"], True, None),
    "cancer_type": ("choice", CANCER_TYPES, False, CANCER),
    "bone_metastases": ("yes_no", YES_NO, True, CANCER),
    "weight_loss": ("yes_no", YES_NO, True, None),
    "fever": ("yes_no", YES_NO, True, None),
}
EMERGENCY_SCREEN = {
    "leg_weakness",
    "numbness",
    "walking_difficulty",
    "saddle_numbness",
    "bladder_bowel",
    "sexual_dysfunction",
    "cannot_stand",
}


def by_id(case_id: str) -> dict[str, Any]:
    """A copy of one vignette's answers."""
    return dict(next(case["answers"] for case in VIGNETTES if case["id"] == case_id))


def calm_answers() -> dict[str, Any]:
    """A complete, valid answer set that reaches no urgent level: the base for bad-input tests."""
    return {
        **{name: False for name, spec in CONTRACT.items() if spec[0] in ("yes_no", "boolean")},
        "age": 40,
        "sex": "female",
        "injury": "none",
        "numbness": "none",
        "cancer": "never",
    }


REFERENCE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def assess(client: FlaskClient, answers: Any) -> Any:
    """POST answers as JSON and return the response."""
    return client.post(ASSESSMENTS, json=answers)


def errors_of(response: Any) -> dict[str, str]:
    """The {field: message} map of a 4xx answer, checked to be JSON."""
    assert response.is_json, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert errors and all(isinstance(m, str) and m.strip() for m in errors.values())
    return errors


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    """The project's rules, as the app loads them."""
    return load_rules()


# --- assessing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
def test_each_vignette_gets_its_expected_level(client: FlaskClient, case: dict[str, Any]) -> None:
    response = assess(client, case["answers"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["level"] == case["expected_level"]


@pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
def test_every_outcome_has_the_full_shape(client: FlaskClient, case: dict[str, Any]) -> None:
    outcome = assess(client, case["answers"]).get_json()
    assert outcome["level"] in LEVELS
    for key in ("label", "action", "phone_script", "not_a_diagnosis"):
        assert isinstance(outcome[key], str) and outcome[key].strip(), key
    assert PRACTICE["PRACTICE_PHONE"] not in outcome["phone_script"], "the receptionist is the practice"
    assert all(isinstance(text, str) and text.strip() for text in outcome["guidance"])
    for fired in outcome["fired_rules"]:
        assert set(fired) == {"id", "level", "reason", "guidance", "source"}
        assert fired["level"] in LEVELS
        assert fired["reason"].strip() and fired["source"].strip()
        assert fired["guidance"] is None or fired["guidance"].strip()
    net = outcome["safety_net"]
    assert set(net) >= {"intro", "warning_signs", "what_to_expect"}
    assert net["intro"].strip() and net["what_to_expect"].strip() and net["warning_signs"]
    assert set(outcome["rules_version"]) == {"version", "hash"}


@pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
def test_the_level_is_that_of_the_most_urgent_fired_rule(client: FlaskClient, case: dict[str, Any]) -> None:
    outcome = assess(client, case["answers"]).get_json()
    fired_levels = [fired["level"] for fired in outcome["fired_rules"]]
    expected = min(fired_levels, key=LEVELS.index) if fired_levels else "information"
    assert outcome["level"] == expected


@pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
def test_the_guidance_shown_is_that_of_the_rules_at_the_outcomes_level_only(
    client: FlaskClient, ruleset: RuleSet, case: dict[str, Any]
) -> None:
    """Spec §3a: the decisive rules' guidance and the level's own are shown, never a lower rule's."""
    outcome = assess(client, case["answers"]).get_json()
    decisive = [
        r["guidance"] for r in outcome["fired_rules"] if r["level"] == outcome["level"] and r["guidance"]
    ]
    lower = [
        r["guidance"] for r in outcome["fired_rules"] if r["level"] != outcome["level"] and r["guidance"]
    ]
    assert outcome["guidance"][: len(decisive)] == decisive
    assert len(outcome["guidance"]) - len(decisive) == len(ruleset.levels[Level(outcome["level"])].guidance)
    assert not set(lower) & set(outcome["guidance"])


def facts(reason: str) -> list[str]:
    """The facts an English reason names: a told list's lines, or its one sentence's clause."""
    lead, *listed = reason.split("\n- ")
    return listed or [lead.removeprefix("You told us ").removesuffix(".")]


@pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
def test_why_gives_the_decisive_reasons_first_then_the_others_without_guidance(
    client: FlaskClient, case: dict[str, Any]
) -> None:
    outcome = assess(client, case["answers"]).get_json()
    deciding = {r["id"] for r in outcome["fired_rules"] if r["level"] == outcome["level"]}
    at_level = [  # less a reason that another deciding rule's says in full (its `repeats`)
        r["reason"]
        for r in outcome["fired_rules"]
        if r["level"] == outcome["level"] and not deciding & set(RULES.rule(r["id"]).repeats)
    ]
    below = [r["reason"] for r in outcome["fired_rules"] if r["level"] != outcome["level"]]
    # each fact is told once: the decisive rules' facts first, then the others' not told yet
    decisive = [fact for reason in outcome["decisive_reasons"] for fact in facts(reason)]
    also = [fact for reason in outcome["also_told_reasons"] for fact in facts(reason)]
    assert len(decisive + also) == len(set(decisive + also)), decisive + also
    assert set(decisive) == {fact for reason in at_level for fact in facts(reason)}
    assert set(also) <= {fact for reason in below for fact in facts(reason)} - set(decisive)
    assert not set(outcome["also_told_reasons"]) & set(outcome["guidance"])


def test_the_api_gives_the_same_json_as_the_cli(
    app: Flask, client: FlaskClient, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    send_api_key(app, client)
    for name, value in PRACTICE.items():  # the CLI reads the practice's details from the environment
        monkeypatch.setenv(name, value)
    batch = [case["answers"] for case in VIGNETTES]
    result = runner.invoke(main, ["assess", "-"], input=json.dumps(batch))
    assert result.exit_code == 0, result.stderr
    from_api = [assess(client, answers).get_json() for answers in batch]
    # The API also saves each assessment: whether it did and its reference code are the one thing
    # the CLI has not.
    assert all(REFERENCE.match(outcome.pop("reference")) for outcome in from_api)
    assert all(outcome.pop("saved") is True for outcome in from_api)
    assert from_api == json.loads(result.stdout)


def test_the_outcome_names_the_rules_version_it_was_made_with(client: FlaskClient, ruleset: RuleSet) -> None:
    outcome = assess(client, by_id("saddle-numbness-only")).get_json()
    assert outcome["rules_version"] == ruleset.version.as_dict()
    assert set(outcome["rules_version"]) == {"version", "hash"}


@pytest.mark.parametrize("level", ["ambulance", "emergency"])
def test_red_actions_give_the_configured_emergency_number(client: FlaskClient, level: str) -> None:
    case = next(case for case in VIGNETTES if case["expected_level"] == level)
    action = assess(client, case["answers"]).get_json()["action"]
    assert PRACTICE["EMERGENCY_NUMBER"] in action
    assert "112" not in action  # the default is not used once one is configured


CANNOT_STAND = [case for case in VIGNETTES if case["answers"]["cannot_stand"] in (True, "unsure")]


@pytest.mark.parametrize("case", CANNOT_STAND, ids=[case["id"] for case in CANNOT_STAND])
def test_a_person_who_cannot_stand_is_told_to_call_the_emergency_number_not_to_go(
    client: FlaskClient, case: dict[str, Any]
) -> None:
    action = assess(client, case["answers"]).get_json()["action"]
    assert f"call {PRACTICE['EMERGENCY_NUMBER']} now" in action.lower()
    assert "Go to the nearest" not in action


@pytest.mark.parametrize("level", ["urgent", "soon"])
def test_practice_actions_give_the_configured_practice_phone(client: FlaskClient, level: str) -> None:
    case = next(case for case in VIGNETTES if case["expected_level"] == level)
    action = assess(client, case["answers"]).get_json()["action"]
    assert PRACTICE["PRACTICE_PHONE"] in action
    assert PRACTICE["PRACTICE_NAME"] in action


def test_the_api_needs_no_csrf_token_while_csrf_protects_the_app(
    csrf_app: Flask, csrf_client: FlaskClient
) -> None:
    assert csrf_app.config.get("WTF_CSRF_ENABLED", True) is True
    assert "csrf" in csrf_app.extensions
    response = csrf_client.post(ASSESSMENTS, json=calm_answers())  # no token, no session cookie
    assert response.status_code == 200


def test_questions_that_do_not_apply_are_ignored_whatever_was_sent(client: FlaskClient) -> None:
    answers = {**calm_answers(), "pain_severity": 99, "pain_location": "everywhere", "cancer_type": 7}
    response = assess(client, answers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["level"] == "information"


# --- invalid answers: 422, one message per question --------------------------------------------


def test_several_problems_are_reported_at_once_one_message_per_field(client: FlaskClient) -> None:
    answers = {**calm_answers(), "age": 17, "numbness": "maybe", "colour": "blue"}
    del answers["fever"]
    response = assess(client, answers)
    assert response.status_code == 422
    assert set(errors_of(response)) == {"age", "numbness", "colour", "fever"}


def test_an_unknown_field_is_rejected_by_name(client: FlaskClient) -> None:
    response = assess(client, {**calm_answers(), "diagnosis": "fracture"})
    assert response.status_code == 422
    assert set(errors_of(response)) == {"diagnosis"}


@pytest.mark.parametrize(
    ("field", "value", "limits"),
    [
        ("age", 121, (18, 120)),
        ("pain_severity", 11, (0, 10)),
        ("pain_severity", -1, (0, 10)),
    ],
)
def test_an_out_of_range_number_is_rejected_with_its_limits(
    client: FlaskClient, field: str, value: int, limits: tuple[int, int]
) -> None:
    base = by_id("young-lifting-strain")  # back pain, so pain_severity is asked
    response = assess(client, {**base, field: value})
    assert response.status_code == 422
    errors = errors_of(response)
    assert set(errors) == {field}
    assert all(str(limit) in errors[field] for limit in limits)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("for adults", "own doctor", f"call {PRACTICE['EMERGENCY_NUMBER']}.")),
        ("el", ("ενήλικες", "γιατρό", f"καλέστε το {PRACTICE['EMERGENCY_NUMBER']}.")),
    ],
)
def test_an_age_under_18_is_422_saying_the_tool_is_for_adults_and_the_practices_emergency_number(
    client: FlaskClient, language: str, words: tuple[str, ...]
) -> None:
    response = client.post(
        ASSESSMENTS, json={**calm_answers(), "age": 17}, headers={"Accept-Language": language}
    )
    assert response.status_code == 422
    errors = errors_of(response)
    assert set(errors) == {"age"}
    assert all(word in errors["age"] for word in words), errors["age"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age", "70"),
        ("age", 70.5),
        ("age", True),
        ("back_pain", "unsure"),  # a plain true/false question, not yes/no/unsure
        ("fever", "yes"),
        ("injury", "fall"),
        ("numbness", None),
        ("cancer", ["past"]),
    ],
)
def test_a_wrong_type_or_value_is_rejected(client: FlaskClient, field: str, value: Any) -> None:
    response = assess(client, {**calm_answers(), field: value})
    assert response.status_code == 422
    assert set(errors_of(response)) == {field}


@pytest.mark.parametrize("body", ["[]", "[{}]", "null", '"answers"', "42", "true"])
def test_anything_but_a_json_object_is_rejected(client: FlaskClient, body: str) -> None:
    response = client.post(ASSESSMENTS, data=body, content_type="application/json")
    assert response.status_code == 422
    assert set(errors_of(response)) == {"answers"}


def test_an_empty_object_names_every_required_question(client: FlaskClient) -> None:
    response = assess(client, {})
    assert response.status_code == 422
    required = {name for name, spec in CONTRACT.items() if spec[2] and spec[3] is None}
    assert set(errors_of(response)) == required


# --- the request itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_args",
    [
        {"data": json.dumps({"age": 40}), "content_type": "text/plain"},
        {"data": {"age": "40"}},  # a form post
        {"data": json.dumps({"age": 40})},  # no content type at all
    ],
    ids=["text-plain", "form-data", "no-content-type"],
)
def test_a_body_that_is_not_json_is_415(client: FlaskClient, request_args: dict[str, Any]) -> None:
    response = client.post(ASSESSMENTS, **request_args)
    assert response.status_code == 415
    assert set(errors_of(response)) == {"request"}


@pytest.mark.parametrize("body", ["{bad", '{"age": }', "{'age': 40}", ""])
def test_malformed_json_is_400(client: FlaskClient, body: str) -> None:
    response = client.post(ASSESSMENTS, data=body, content_type="application/json")
    assert response.status_code == 400
    assert set(errors_of(response)) == {"request"}


def padded_body(size: int) -> str:
    """A JSON object of exactly `size` bytes: valid JSON, invalid answers (an unknown field)."""
    skeleton = json.dumps({"age": 40, "padding": ""})
    body = json.dumps({"age": 40, "padding": "x" * (size - len(skeleton))})
    assert len(body.encode()) == size
    return body


@pytest.mark.parametrize("size", [MAX_BODY + 1, 4 * MAX_BODY])
def test_a_body_over_16_kb_is_413(client: FlaskClient, size: int) -> None:
    response = client.post(ASSESSMENTS, data=padded_body(size), content_type="application/json")
    assert response.status_code == 413
    assert set(errors_of(response)) == {"request"}


@pytest.mark.parametrize("size", [MAX_BODY - 1, MAX_BODY])
def test_a_body_up_to_16_kb_is_read_and_its_answers_checked(client: FlaskClient, size: int) -> None:
    response = client.post(ASSESSMENTS, data=padded_body(size), content_type="application/json")
    assert response.status_code == 422
    assert "padding" in errors_of(response)


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_assessments_take_only_post(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)(ASSESSMENTS)
    assert response.status_code == 405
    assert set(errors_of(response)) == {"request"}


def test_a_405_says_which_methods_are_allowed(client: FlaskClient) -> None:
    response = client.get(ASSESSMENTS)
    assert response.headers.get("Allow", "").split(", ").count("POST") == 1


@pytest.mark.parametrize(
    ("method", "path", "request_args", "status"),
    [
        ("get", "/api/v1/no-such-thing", {}, 404),
        ("get", "/api/v2/assessments", {}, 404),
        ("get", ASSESSMENTS, {}, 405),
        ("post", QUESTIONS, {"json": {}}, 405),
        ("post", ASSESSMENTS, {"data": "{bad", "content_type": "application/json"}, 400),
        ("post", ASSESSMENTS, {"data": "age=40", "content_type": "text/plain"}, 415),
        ("post", ASSESSMENTS, {"data": padded_body(MAX_BODY + 1), "content_type": "application/json"}, 413),
        ("post", ASSESSMENTS, {"json": {"age": 5}}, 422),
    ],
)
def test_errors_under_the_api_are_json_never_html(
    client: FlaskClient, method: str, path: str, request_args: dict[str, Any], status: int
) -> None:
    response = getattr(client, method)(path, **request_args)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert "<html" not in response.get_data(as_text=True).lower()
    errors_of(response)


def test_a_crash_under_the_api_is_a_json_500_without_a_traceback(
    make_app: Callable[..., Flask], database: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(database, csrf=True, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def crash(self: RuleSet, answers: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(RuleSet, "assess", crash)
    response = app.test_client().post(ASSESSMENTS, json=calm_answers())
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "secret internals" not in body
    errors_of(response)


def test_json_nested_too_deeply_to_read_is_400_not_500(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    app = make_app(database, csrf=True, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    body = "[" * 8000 + "]" * 8000
    response = app.test_client().post(ASSESSMENTS, data=body, content_type="application/json")
    assert response.status_code == 400


# --- the contract ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """GET /api/v1/questions, fetched once for this module's many contract checks."""
    instance = tmp_path_factory.mktemp("instance")
    app = apps.make_app(instance, migrated_template(), RULES_DIR=str(DEFAULT_RULES_DIR))
    response = app.test_client().get(QUESTIONS)
    assert response.status_code == 200
    return response.get_json()


def questions_of(contract: dict[str, Any]) -> list[dict[str, Any]]:
    """Every question of the contract, section by section."""
    return [question for section in contract["sections"] for question in section["questions"]]


def test_the_contract_lists_every_question_of_the_spec_exactly_once(contract: dict[str, Any]) -> None:
    ids = [question["id"] for question in questions_of(contract)]
    assert sorted(ids) == sorted(CONTRACT)


def test_the_emergency_screen_comes_first_and_holds_the_red_flag_questions(contract: dict[str, Any]) -> None:
    first = contract["sections"][0]
    assert first["id"] == "emergency_screen"
    assert first["title"].strip()
    assert {question["id"] for question in first["questions"]} == EMERGENCY_SCREEN


@pytest.mark.parametrize("question_id", list(CONTRACT))
def test_each_question_has_its_type_values_and_limits(contract: dict[str, Any], question_id: str) -> None:
    kind, values, required, _ = CONTRACT[question_id]
    question = next(q for q in questions_of(contract) if q["id"] == question_id)
    assert question["type"] == kind
    assert question["required"] is required
    assert question["label"].strip()
    if kind == "integer":
        assert (question["min"], question["max"]) == values
    else:
        assert question["values"] == values


@pytest.mark.parametrize("question_id", list(CONTRACT))
def test_conditional_questions_say_when_they_are_asked(contract: dict[str, Any], question_id: str) -> None:
    asked_when = CONTRACT[question_id][3]
    question = next(q for q in questions_of(contract) if q["id"] == question_id)
    assert question.get("asked_when") == asked_when


@pytest.mark.parametrize("question_id", ["pain_location", "pain_features"])
def test_list_questions_say_how_many_options_are_needed(contract: dict[str, Any], question_id: str) -> None:
    question = next(q for q in questions_of(contract) if q["id"] == question_id)
    assert question["min_items"] == (1 if question_id == "pain_location" else 0)


def test_the_contract_names_the_rules_version(contract: dict[str, Any], ruleset: RuleSet) -> None:
    assert contract["rules_version"] == ruleset.version.as_dict()


def test_a_greek_answer_is_sent_as_utf_8_letters_not_escapes(client: FlaskClient) -> None:
    response = client.post(ASSESSMENTS, json=calm_answers(), headers={"Accept-Language": "el"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    text = response.get_data().decode("utf-8")
    assert "\\u03" not in text  # no \u03xx escapes for Greek letters
    assert re.search("[α-ω]", text), "the Greek texts are there, as letters"
    assert json.loads(text) == response.get_json()
