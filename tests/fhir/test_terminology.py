"""Issue 31 (findings 5): every coded answer has a system, and every system a record or the Questionnaire
cites is a CodeSystem the service serves, with a ValueSet of it: the answers of each choice question, the
yes/no/not sure shared by every yes/no question, the call-back times a ServiceRequest cites and the rules
a RiskAssessment cites. Standard codes only where certain: LOINC 30525-0 (Age) on the age question."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTES
from tests.support.fhir import (
    parse_r4b,
    practice_details_of,
    schema_problems,
    stored_assessment,
    stored_callback,
)
from triage.engine import DEFAULT_RULES_DIR, load_rules
from triage.fhir import assessment_bundle, questionnaire, resources, rule_coding
from triage.storage.codes import TimeWindow

RULES = load_rules()
CONTRACT = yaml.safe_load((DEFAULT_RULES_DIR / "questions.yaml").read_text(encoding="utf-8"))
RULE_FILES = [
    yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(DEFAULT_RULES_DIR.glob("*.yaml"))
    if "rules" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
]
CANONICAL = "https://fhir.spine-triage.example"
CATALOG = resources(RULES)
CODE_SYSTEMS = {r["url"]: r for r in CATALOG if r["resourceType"] == "CodeSystem"}
VALUE_SETS = {r["url"]: r for r in CATALOG if r["resourceType"] == "ValueSet"}
LOINC = "http://loinc.org"


def codings(resource: Any) -> Iterator[dict[str, Any]]:
    """Every Coding in a resource: a valueCoding, an answerCoding, or an element of a `coding` list."""
    if isinstance(resource, dict):
        for name, value in resource.items():
            if name in ("valueCoding", "answerCoding"):
                yield value
            elif name == "coding":
                yield from value
            else:
                yield from codings(value)
    elif isinstance(resource, list):
        for value in resource:
            yield from codings(value)


def concepts(system: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {concept["code"]: concept for concept in system["concept"]}


# --- the resources ---------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", CATALOG, ids=lambda r: f"{r['resourceType']}/{r['id']}")
def test_every_public_resource_is_valid_fhir_at_its_canonical_address(resource: dict[str, Any]) -> None:
    assert schema_problems(resource) == []
    parse_r4b(resource)
    if resource["resourceType"] != "Questionnaire":
        assert resource["url"] == f"{CANONICAL}/{resource['resourceType']}/{resource['id']}"
    assert resource["version"] == RULES.version.version


def test_ids_are_unique_per_resource_type() -> None:
    keys = [(r["resourceType"], r["id"]) for r in CATALOG]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("system", CODE_SYSTEMS.values(), ids=lambda r: r["id"])
def test_each_code_system_is_complete_and_its_value_set_holds_all_of_it(system: dict[str, Any]) -> None:
    assert system["content"] == "complete"
    assert system["count"] == len(system["concept"]) == len(concepts(system))
    if "valueSet" in system:
        value_set = VALUE_SETS[system["valueSet"]]
        assert value_set["compose"] == {"include": [{"system": system["url"], "version": system["version"]}]}


def test_every_value_set_is_all_of_a_code_system_served() -> None:
    assert VALUE_SETS
    for value_set in VALUE_SETS.values():
        (include,) = value_set["compose"]["include"]
        assert CODE_SYSTEMS[include["system"]]["valueSet"] == value_set["url"]


# --- the answers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "el"])
def test_every_answer_option_is_a_coding_of_a_served_code_system_worded_as_it(lang: str) -> None:
    resource = questionnaire(RULES, lang)
    options = [option["valueCoding"] for option in answer_options(resource)]
    assert len(options) >= 75
    for option in options:
        concept = concepts(CODE_SYSTEMS[option["system"]])[option["code"]]
        words = {
            "en": concept["display"],
            **{d["language"]: d["value"] for d in concept.get("designation", [])},
        }
        assert option["display"] == words[lang]


def answer_options(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in resource.get("item", []):
        yield from item.get("answerOption", [])
        yield from answer_options(item)


def test_yes_no_questions_share_one_system_and_each_choice_question_has_its_own() -> None:
    items = {item["linkId"]: item for group in questionnaire(RULES)["item"] for item in group["item"]}
    systems: dict[str, set[str]] = {}
    for spec in CONTRACT["questions"]:
        if spec["type"] in ("integer", "boolean"):
            assert "answerOption" not in items[spec["id"]]
            continue
        found = {option["valueCoding"]["system"] for option in items[spec["id"]]["answerOption"]}
        systems.setdefault("yes_no" if spec["type"] == "yes_no" else spec["id"], set()).update(found)
    assert all(len(found) == 1 for found in systems.values())
    assert len({system for found in systems.values() for system in found}) == len(systems)
    (yes_no,) = systems["yes_no"]
    assert list(concepts(CODE_SYSTEMS[yes_no])) == ["yes", "no", "unsure"]


def test_a_list_that_may_be_empty_has_the_code_none_of_these_in_its_system() -> None:
    (system,) = [s for s in CODE_SYSTEMS.values() if s["id"] == "spine-triage-answer-pain-features"]
    none = concepts(system)["none"]
    assert none["display"] == CONTRACT["answer_words"]["none"]["en"]
    assert none["designation"] == [{"language": "el", "value": CONTRACT["answer_words"]["none"]["el"]}]


def test_age_has_its_loinc_code_and_no_other_question_a_standard_code() -> None:
    items = [item for group in questionnaire(RULES)["item"] for item in group["item"]]
    coded = {item["linkId"]: item["code"] for item in items if "code" in item}
    assert coded == {"age": [{"system": LOINC, "code": "30525-0", "display": "Age"}]}
    assert all(coding["system"].startswith(CANONICAL) for coding in codings(questionnaire(RULES)))


@pytest.mark.parametrize("case", VIGNETTES, ids=lambda case: case["id"])
def test_every_coding_of_an_exported_bundle_has_a_system_and_a_code_served(case: dict[str, Any]) -> None:
    bundle = assessment_bundle(
        stored_assessment(RULES.assess(case["answers"]), *(stored_callback(w) for w in TimeWindow)), RULES
    )
    found = list(codings(bundle))
    assert any(c["system"].endswith("/CodeSystem/spine-triage-yes-no") for c in found)
    for coding in found:
        if coding["system"] == f"{CANONICAL}/rules":  # the rule set by its content hash, not a CodeSystem
            continue
        assert coding["code"] in concepts(CODE_SYSTEMS[coding["system"]]), coding


# --- the call-back times and the rules ---------------------------------------------------------------


def test_the_call_back_times_are_every_stored_time_window() -> None:
    system = CODE_SYSTEMS[f"{CANONICAL}/CodeSystem/spine-triage-callback-time"]
    assert list(concepts(system)) == [window.value for window in TimeWindow]
    assert all(concept["display"] and concept["definition"] for concept in system["concept"])


def test_the_rules_code_system_has_every_rule_with_its_level_reason_and_the_rules_version() -> None:
    system = CODE_SYSTEMS[f"{CANONICAL}/CodeSystem/spine-triage-rule"]
    written = {rule["id"]: rule for data in RULE_FILES for rule in data["rules"]}
    assert set(concepts(system)) == set(written)
    assert system["version"] == RULES.version.version
    assert RULES.version.content_hash in system["description"]
    for code, concept in concepts(system).items():
        properties = {p["code"]: p for p in concept["property"]}
        assert properties["level"]["valueCode"] == written[code]["level"]
        assert properties["source"]["valueString"] == written[code]["source"]
        assert concept["display"] == RULES.rule(code).reason.get("en")
        assert concept["designation"] == [{"language": "el", "value": RULES.rule(code).reason.get("el")}]


def test_rule_coding_is_a_concept_of_the_rules_code_system() -> None:
    system = CODE_SYSTEMS[f"{CANONICAL}/CodeSystem/spine-triage-rule"]
    for rule in RULES.rules:
        coding = rule_coding(RULES, rule.id)
        assert coding == {
            "system": system["url"],
            "version": system["version"],
            "code": rule.id,
            "display": concepts(system)[rule.id]["display"],
        }
    with pytest.raises(KeyError):
        rule_coding(RULES, "Z9")


# --- served -------------------------------------------------------------------------------------------


def test_every_code_system_and_value_set_is_served_to_anyone(app: Flask, client: FlaskClient) -> None:
    served = resources(RULES, values=practice_details_of(app))
    for resource in served:
        if resource["resourceType"] not in ("CodeSystem", "ValueSet"):
            continue
        response = client.get(f"/api/v1/fhir/{resource['resourceType']}/{resource['id']}")
        assert response.status_code == 200, resource["id"]
        assert response.mimetype == "application/fhir+json"
        assert json.loads(response.text) == json.loads(json.dumps(resource))


@pytest.mark.parametrize("path", ["CodeSystem/spine-triage-nothing", "ValueSet/spine-triage-level"])
def test_an_unknown_code_system_or_value_set_is_not_found(client: FlaskClient, path: str) -> None:
    response = client.get(f"/api/v1/fhir/{path}")
    assert response.status_code == 404
    outcome = json.loads(response.text)
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["code"] == "not-found"
    assert schema_problems(outcome) == []
