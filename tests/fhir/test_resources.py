"""Issue 15: the public FHIR resources, generated from rules/ and checked offline: each parses with the R4B
models of fhir.resources and validates against the official FHIR R4 JSON Schema; the Questionnaire says
what rules/questions.yaml says (read here as plain YAML, not through the engine); the CodeSystem holds the
levels of rules/levels.yaml; the ConceptMap keeps the levels' order in Infermedica's."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
import yaml
from fhirclient.models.fhirabstractbase import FHIRValidationError

from tests.support.fhir import SCHEMA_DIR, parse_r4, parse_r4b, schema, schema_problems
from triage.engine import DEFAULT_RULES_DIR, load_rules
from triage.fhir import levels_code_system, levels_to_infermedica, questionnaire

RULES = load_rules()
CONTRACT = yaml.safe_load((DEFAULT_RULES_DIR / "questions.yaml").read_text(encoding="utf-8"))
LEVELS_FILE = yaml.safe_load((DEFAULT_RULES_DIR / "levels.yaml").read_text(encoding="utf-8"))
RULESET_FILE = yaml.safe_load((DEFAULT_RULES_DIR / "ruleset.yaml").read_text(encoding="utf-8"))
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
#: Infermedica's triage levels, most urgent first (issue 15).
INFERMEDICA = ["emergency_ambulance", "emergency", "consultation_24", "consultation", "self_care"]
PUBLIC = {
    "Questionnaire": questionnaire,
    "CodeSystem": levels_code_system,
    "ConceptMap": levels_to_infermedica,
}


def translations(element: dict[str, Any], name: str) -> dict[str, str]:
    """A primitive's texts by language: its own (English) and those of its translation extensions."""
    texts = {"en": element[name]}
    for extension in element.get(f"_{name}", {}).get("extension", []):
        assert extension["url"] == TRANSLATION
        parts = {part["url"]: part for part in extension["extension"]}
        texts[parts["lang"]["valueCode"]] = parts["content"]["valueString"]
    return texts


def questions_by_id(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for group in resource["item"] for item in group["item"]}


# --- the official schema file ---------------------------------------------------------------------


def test_the_vendored_schema_is_fhir_r4_with_its_licence() -> None:
    document = schema()
    assert document["id"] == "http://hl7.org/fhir/json-schema/4.0"
    assert document["$schema"] == "http://json-schema.org/draft-06/schema#"
    definitions = set(document["definitions"])
    assert {"MedicinalProduct", "EffectEvidenceSynthesis", "RiskEvidenceSynthesis"} <= definitions  # R4 only
    assert (
        not {"Citation", "SubscriptionTopic", "NutritionProduct", "ActorDefinition"} & definitions
    )  # R4B on
    licence = (SCHEMA_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "CC0" in licence and "fhir.schema.json" in licence and "4.0" in licence


@pytest.mark.parametrize(
    ("path", "value"),
    [(("status",), "nonsense"), (("item", 0, "type"), "paragraph"), (("item", 0, "linkId"), 7)],
    ids=["status", "item-type", "linkId-type"],
)
def test_the_schema_refuses_a_questionnaire_fhir_r4_does_not_allow(path: tuple[Any, ...], value: Any) -> None:
    broken = json.loads(json.dumps(questionnaire(RULES)))
    *parents, last = path
    target = broken
    for key in parents:
        target = target[key]
    target[last] = value
    assert schema_problems(broken)


def test_the_schema_file_is_compressed_json() -> None:
    assert json.loads(gzip.decompress((SCHEMA_DIR / "fhir.schema.json.gz").read_bytes()))["definitions"]


# --- every public resource is valid FHIR ----------------------------------------------------------


@pytest.mark.parametrize("resource_type", PUBLIC)
def test_each_public_resource_is_valid_fhir(resource_type: str) -> None:
    resource = PUBLIC[resource_type](RULES)
    assert resource["resourceType"] == resource_type
    assert schema_problems(resource) == []
    parsed = parse_r4b(resource)
    assert parsed.version == RULESET_FILE["version"]
    assert parse_r4(resource).version == RULESET_FILE["version"]


def test_the_r4_models_refuse_what_r4_does_not_allow() -> None:
    """The check above can fail: an element R4 does not define, or of the wrong type, is refused."""
    resource = questionnaire(RULES)
    with pytest.raises(FHIRValidationError):
        parse_r4({**resource, "subtitle": "not in R4"})
    with pytest.raises(FHIRValidationError):
        parse_r4({**resource, "item": [{**resource["item"][0], "required": "yes"}]})


# --- the Questionnaire says what questions.yaml says ---------------------------------------------


def test_the_questionnaire_has_every_question_in_its_section_in_order() -> None:
    resource = questionnaire(RULES)
    sections = [section["id"] for section in CONTRACT["sections"]]
    assert [group["linkId"] for group in resource["item"]] == [f"section-{s}" for s in sections]
    for group, section in zip(resource["item"], sections, strict=True):
        expected = [q["id"] for q in CONTRACT["questions"] if q["section"] == section]
        if section == "emergency_screen":  # the urgent advice follows the warning signs (spec v3 §5a)
            expected.append("urgent-advice")
        assert [item["linkId"] for item in group["item"]] == expected


@pytest.mark.parametrize("spec", CONTRACT["questions"], ids=lambda spec: spec["id"])
def test_each_item_has_the_contract_s_type_answers_required_flag_and_condition(spec: dict[str, Any]) -> None:
    item = questions_by_id(questionnaire(RULES))[spec["id"]]
    kind = spec["type"]
    assert item["type"] == {"integer": "integer", "boolean": "boolean"}.get(kind, "choice")
    assert item.get("repeats", False) is (kind == "multi_choice")
    codes = [option["valueCoding"]["code"] for option in item.get("answerOption", [])]
    may_be_empty = kind == "multi_choice" and spec.get("min_items", 0) == 0
    assert codes == (
        ["yes", "no", "unsure"]
        if kind == "yes_no"
        else [str(v) for v in spec.get("values", [])] + (["none"] if may_be_empty else [])
    )
    assert item["required"] is spec.get("required", True)  # an empty list is answered "None of these"
    assert ("enableWhen" in item) is ("asked_when" in spec)
    if kind == "integer":
        bounds = {ext["url"].rsplit("/", 1)[1]: ext["valueInteger"] for ext in item["extension"]}
        assert bounds == {"minValue": spec["min"], "maxValue": spec["max"]}


@pytest.mark.parametrize("spec", CONTRACT["questions"], ids=lambda spec: spec["id"])
def test_each_item_is_worded_in_english_and_greek_as_the_contract_words_it(spec: dict[str, Any]) -> None:
    item = questions_by_id(questionnaire(RULES))[spec["id"]]
    assert translations(item, "text") == spec["wording"]["label"]
    for option in item.get("answerOption", []):
        code = option["valueCoding"]["code"]
        words = (
            CONTRACT["answer_words"][code]
            if spec["type"] == "yes_no" or (spec["type"] == "multi_choice" and code == "none")
            else spec["wording"]["options"][code]
        )
        assert translations(option["valueCoding"], "display") == words
    hints = [child for child in item.get("item", []) if child["type"] == "display"]
    assert [translations(hint, "text") for hint in hints] == (
        [spec["wording"]["hint"]] if "hint" in spec["wording"] else []
    )


def test_a_question_asked_for_either_of_two_answers_is_enabled_by_any_of_them() -> None:
    specs = [q for q in CONTRACT["questions"] if list(q.get("asked_when", {})) == ["in"]]
    assert specs, "the contract has a question asked when an answer is one of several"
    for spec in specs:
        item = questions_by_id(questionnaire(RULES))[spec["id"]]
        ((question, values),) = spec["asked_when"]["in"].items()
        assert item["enableBehavior"] == "any"
        assert [(e["question"], e["operator"], e["answerCoding"]["code"]) for e in item["enableWhen"]] == [
            (question, "=", value) for value in values
        ]


# --- the levels ------------------------------------------------------------------------------------


def test_the_code_system_holds_the_five_levels_of_levels_yaml_in_both_languages() -> None:
    resource = levels_code_system(RULES)
    levels = LEVELS_FILE["levels"]
    assert [concept["code"] for concept in resource["concept"]] == [level["id"] for level in levels]
    assert resource["count"] == len(levels) == 5
    for concept, level in zip(resource["concept"], levels, strict=True):
        assert translations(concept, "display") == level["label"]
        assert concept["designation"] == [{"language": "el", "value": level["label"]["el"]}]
    ranks = [concept["property"][0]["valueInteger"] for concept in resource["concept"]]
    assert ranks == sorted(ranks, reverse=True)  # levels.yaml is written most urgent first


def test_the_concept_map_sends_each_level_to_an_infermedica_level_keeping_their_order() -> None:
    resource = levels_to_infermedica(RULES)
    (group,) = resource["group"]
    assert group["source"] == levels_code_system(RULES)["url"]
    targets = {element["code"]: element["target"] for element in group["element"]}
    assert list(targets) == [level["id"] for level in LEVELS_FILE["levels"]]
    codes = [target[0]["code"] for target in targets.values()]
    assert all(len(target) == 1 for target in targets.values())
    assert sorted(codes, key=INFERMEDICA.index) == codes  # a more urgent level never maps lower
    assert set(codes) == set(INFERMEDICA)
