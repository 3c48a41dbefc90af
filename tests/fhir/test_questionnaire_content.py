"""Issue 31 (findings 1, 4, 8): what the Questionnaire itself says.

- Spec v3 §5a: the urgent advice (level, action, the practice's emergency number) follows the warning
  signs, before any other question, and a form shows it by FHIR's own enableWhen rules exactly when the
  app's early exit does, for every answer set of the warning signs; in English and Greek.
- "Pain features" is required as the contract says; an empty list is the exclusive answer "None of
  these", so "none" and "skipped" differ, and a response maps back to the contract's answers the same
  way (answers_from_response), with one problem per item: its linkId, its place and the contract's message.
- A Greek Questionnaire (language el) for renderers that ignore the translation extension.
- R4's Questionnaire invariants (que-*) hold in both languages.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.support.apps import PLACEHOLDERS
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.fhir import is_enabled, parse_r4b, practice_details_of, response_problems, schema_problems
from triage.engine import DEFAULT_RULES_DIR, Level, load_rules
from triage.fhir import ResponseInvalid, answers_from_response, questionnaire
from triage.fhir.questionnaire import response_items
from triage.questionnaire import Questionnaire

RULES = load_rules()
ROUTER = Questionnaire.of(RULES)
CONTRACT = yaml.safe_load((DEFAULT_RULES_DIR / "questions.yaml").read_text(encoding="utf-8"))
LEVELS = {
    level["id"]: level for level in yaml.safe_load((DEFAULT_RULES_DIR / "levels.yaml").read_text())["levels"]
}
SCREEN = [q for q in CONTRACT["questions"] if q["section"] == "emergency_screen"]
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
QUESTIONNAIRE = questionnaire(RULES)
CANONICAL = f"{QUESTIONNAIRE['url']}|{QUESTIONNAIRE['version']}"


def values(lang: str) -> dict[str, str]:
    """The test practice's values (emergency number 999)."""
    assert PLACEHOLDERS["emergency_number"] == "999"
    return PLACEHOLDERS


def items(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in resource.get("item", []):
        yield item
        yield from items(item)


def by_link(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for item in items(resource)}


def translation(element: dict[str, Any], name: str, lang: str) -> str | None:
    for extension in element.get(f"_{name}", {}).get("extension", []):
        if extension["url"] == TRANSLATION:
            parts = {part["url"]: part for part in extension["extension"]}
            if parts["lang"]["valueCode"] == lang:
                return str(parts["content"]["valueString"])
    return None


def response(answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": CANONICAL,
        "status": "completed",
        "item": response_items(RULES, answers),
    }


# --- spec v3 §5a: the urgent advice ------------------------------------------------------------------


def screen_answer_sets() -> Iterator[dict[str, Any]]:
    """Every answer set of the warning signs, each question also left unanswered."""
    choices = [
        [None, True, False, "unsure"] if q["type"] == "yes_no" else [None, *q["values"]] for q in SCREEN
    ]
    for combo in itertools.product(*choices):
        yield {q["id"]: value for q, value in zip(SCREEN, combo, strict=True) if value is not None}


def test_a_form_shows_the_advice_exactly_when_the_app_s_early_exit_does_and_at_its_level() -> None:
    resource = questionnaire(RULES, "en", values)
    disagree = []
    count = 0
    for answers in screen_answer_sets():
        count += 1
        level = RULES.assess_partial(answers).level
        early = ROUTER.needs_emergency_now(answers)
        filled = response(answers)
        shown = {
            "group": is_enabled(resource, filled, "urgent-advice"),
            "ambulance": is_enabled(resource, filled, "urgent-advice-ambulance")
            and is_enabled(resource, filled, "urgent-advice"),
            "emergency": is_enabled(resource, filled, "urgent-advice-emergency")
            and is_enabled(resource, filled, "urgent-advice"),
        }
        expected = {
            "group": early,
            "ambulance": early and level is Level.AMBULANCE,
            "emergency": early and level is Level.EMERGENCY,
        }
        if shown != expected:
            disagree.append((answers, shown, expected))
    assert count == 4**6 * 4
    assert disagree == [], f"{len(disagree)} answer sets disagree, e.g. {disagree[:2]}"


def test_any_yes_or_not_sure_to_a_yes_no_warning_sign_shows_the_advice_on_its_own() -> None:
    resource = questionnaire(RULES)
    for spec in SCREEN:
        for answer in [True, "unsure"] if spec["type"] == "yes_no" else ["both_sides"]:
            assert is_enabled(resource, response({spec["id"]: answer}), "urgent-advice"), (spec["id"], answer)
        assert not is_enabled(
            resource, response({spec["id"]: False if spec["type"] == "yes_no" else "none"}), "urgent-advice"
        )


def test_the_advice_follows_the_warning_signs_before_any_other_question() -> None:
    resource = questionnaire(RULES)
    first, *others = resource["item"]
    assert [item["linkId"] for item in first["item"]] == [q["id"] for q in SCREEN] + ["urgent-advice"]
    advice = first["item"][-1]
    assert advice["type"] == "group" and advice["enableBehavior"] == "any"
    assert {entry["question"] for entry in advice["enableWhen"]} == {q["id"] for q in SCREEN}
    assert [item["type"] for item in advice["item"]] == ["display", "display"]
    assert all(group["linkId"].startswith("section-") for group in others)


@pytest.mark.parametrize("lang", ["en", "el"])
def test_the_advice_says_the_level_the_action_and_the_practice_s_emergency_number(lang: str) -> None:
    found = by_link(questionnaire(RULES, lang, values))
    other = {"en": "el", "el": "en"}[lang]
    for level in ("ambulance", "emergency"):
        item = found[f"urgent-advice-{level}"]
        for text, language in ((item["text"], lang), (translation(item, "text", other), other)):
            assert text is not None
            assert text.startswith(LEVELS[level]["label"][language])
            assert LEVELS[level]["action"][language].replace("{emergency_number}", "999") in text
            assert "{" not in text


def test_the_served_advice_has_the_practice_s_number(app: Flask, client: FlaskClient) -> None:
    number = practice_details_of(app)("en")["emergency_number"]
    found = by_link(json.loads(client.get("/api/v1/fhir/Questionnaire").text))
    assert f" {number} " in found["urgent-advice-ambulance"]["text"]


# --- "pain features": required, and "None of these" is an answer ----------------------------------------


def test_pain_features_is_required_with_an_exclusive_none_of_these() -> None:
    item = by_link(questionnaire(RULES))["pain_features"]
    assert item["required"] is True and item["repeats"] is True
    *options, none = item["answerOption"]
    assert none["valueCoding"]["code"] == "none" and none["extension"] == [
        {"url": EXCLUSIVE, "valueBoolean": True}
    ]
    assert all("extension" not in option for option in options)


def test_an_empty_list_is_exported_as_none_of_these_and_read_back_as_it() -> None:
    answers = {**URGENT, "pain_features": []}
    filled = response(answers)
    (given,) = [item for item in items(filled) if item["linkId"] == "pain_features"]
    assert [a["valueCoding"]["code"] for a in given["answer"]] == ["none"]
    assert response_problems(questionnaire(RULES), filled) == []
    assert answers_from_response(RULES, filled)["pain_features"] == []


@pytest.mark.parametrize("case", VIGNETTES, ids=lambda case: case["id"])
def test_every_vignette_s_response_maps_back_to_its_answers(case: dict[str, Any]) -> None:
    answers = {qid: value for qid, value in case["answers"].items() if value is not None}
    filled = response(answers)
    assert response_problems(questionnaire(RULES), filled) == []
    assert answers_from_response(RULES, filled) == answers


def problems(filled: dict[str, Any], **options: Any) -> dict[str, tuple[str, str, str]]:
    with pytest.raises(ResponseInvalid) as caught:
        answers_from_response(RULES, filled, **options)
    return {p.link_id: (p.expression, p.message("en"), p.message("el")) for p in caught.value.problems}


def test_pain_features_skipped_is_a_problem_at_its_item_in_the_contract_s_words() -> None:
    filled = response(URGENT)
    pain = next(group for group in filled["item"] if group["linkId"] == "section-pain")
    at = filled["item"].index(pain)
    (item,) = [i for i in pain["item"] if i["linkId"] == "pain_features"]
    del item["answer"]
    spec = next(q for q in CONTRACT["questions"] if q["id"] == "pain_features")
    expression = f"QuestionnaireResponse.item[{at}].item[{pain['item'].index(item)}]"
    assert problems(filled) == {
        "pain_features": (expression, spec["errors"]["required"]["en"], spec["errors"]["required"]["el"])
    }
    pain["item"].remove(item)  # no item at all: the problem is at its section's group
    assert problems(filled)["pain_features"][0] == f"QuestionnaireResponse.item[{at}]"


def test_none_of_these_with_another_answer_is_a_problem() -> None:
    filled = response({**URGENT, "pain_features": ["worsening"]})
    none = next(i for i in items(response({**URGENT, "pain_features": []})) if i["linkId"] == "pain_features")
    (item,) = [i for i in items(filled) if i["linkId"] == "pain_features"]
    item["answer"] += none["answer"]
    assert list(problems(filled)) == ["pain_features"]


def test_each_wrong_item_is_a_problem_with_its_link_id_and_the_contract_s_message() -> None:
    filled = response(URGENT)
    found = {item["linkId"]: item for item in items(filled)}
    found["age"]["answer"] = [{"valueInteger": 12}]
    found["numbness"]["answer"][0]["valueCoding"]["code"] = "everywhere"
    found["fever"]["answer"][0]["valueCoding"]["system"] = "http://snomed.info/sct"
    found["cancer"]["answer"] = [{"valueString": "past"}]
    filled["item"][0]["item"].append({"linkId": "shoe_size", "answer": [{"valueInteger": 9}]})
    got = problems(filled, values=values)
    assert set(got) == {"age", "numbness", "fever", "cancer", "shoe_size"}
    assert got["shoe_size"][1] == CONTRACT["messages"]["unknown_field"]["en"]
    assert got["shoe_size"][0] == f"QuestionnaireResponse.item[0].item[{len(filled['item'][0]['item']) - 1}]"
    age = next(q for q in CONTRACT["questions"] if q["id"] == "age")
    child = tuple(
        age["errors"]["below_minimum"][lang].replace("{emergency_number}", "999") for lang in ("en", "el")
    )
    assert got["age"][1:] == child
    assert "{emergency_number}" in problems(filled)["age"][1]  # without the practice's details: kept


def test_a_response_before_the_systems_is_read_by_its_codes() -> None:
    filled = json.loads(json.dumps(response(URGENT)))
    for item in items(filled):
        for answer in item.get("answer", []):
            answer.get("valueCoding", {}).pop("system", None)
    assert answers_from_response(RULES, filled) == URGENT


def test_an_unfinished_response_is_read_as_the_answers_so_far() -> None:
    screen = {q["id"]: False for q in SCREEN} | {"numbness": "none", "cannot_stand": "unsure"}
    filled = response(screen)
    assert "age" in problems(filled)
    assert answers_from_response(RULES, filled, partial=True) == screen


# --- the Greek Questionnaire ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "headers", "lang"),
    [
        ("?lang=el", {}, "el"),
        ("", {"Accept-Language": "el-GR,el;q=0.9,en;q=0.5"}, "el"),
        ("?lang=en", {"Accept-Language": "el"}, "en"),
        ("", {}, "en"),
        ("?lang=fr", {}, "en"),
        ("?lang=fr", {"Accept-Language": "el"}, "el"),  # as the patient pages: another is not taken
    ],
)
def test_the_questionnaire_is_served_in_the_language_asked_for(
    app: Flask, client: FlaskClient, query: str, headers: dict[str, str], lang: str
) -> None:
    response = client.get(f"/api/v1/fhir/Questionnaire{query}", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == lang
    assert "Accept-Language" in response.headers["Vary"]
    expected = questionnaire(RULES, lang, practice_details_of(app))
    served = json.loads(response.text)
    assert served.pop("meta") == {"versionId": RULES.version.version}
    assert served == json.loads(json.dumps(expected))


def test_the_greek_questionnaire_has_greek_texts_and_english_translations() -> None:
    greek = questionnaire(RULES, "el", values)
    assert greek["language"] == "el"
    assert (greek["title"], questionnaire(RULES)["title"]) == ("Διαλογή Σπονδυλικής Στήλης", "Spine Triage")
    found = by_link(greek)
    for spec in CONTRACT["questions"]:
        item = found[spec["id"]]
        assert item["text"] == spec["wording"]["label"]["el"]
        assert translation(item, "text", "en") == spec["wording"]["label"]["en"]
        for option in item.get("answerOption", []):
            code = option["valueCoding"]["code"]
            words = spec["wording"].get("options", {}).get(code) or CONTRACT["answer_words"][code]
            assert option["valueCoding"]["display"] == words["el"]
    for group, section in zip(greek["item"], CONTRACT["sections"], strict=True):
        assert group["text"] == section["title"]["el"]


# --- R4's invariants ----------------------------------------------------------------------------------------


def que_problems(resource: dict[str, Any]) -> list[str]:
    """What breaks R4's Questionnaire invariants que-1 to que-13 (those that can apply here), and
    enableWhen entries that name no item or test an answer the item cannot have."""
    found = []
    every = list(items(resource))
    links = [item["linkId"] for item in every]
    if len(links) != len(set(links)):
        found.append("que-2: linkIds are not unique")
    by_id = dict(zip(links, every, strict=True))
    for item in every:
        link, kind = item["linkId"], item["type"]
        if kind == "group" and not item.get("item"):
            found.append(f"{link}: que-1 a group without items")
        if kind == "display" and (
            item.get("item") or "code" in item or "required" in item or "repeats" in item
        ):
            found.append(f"{link}: que-1/3/6 a display item with items, a code, required or repeats")
        if ("answerOption" in item or "answerValueSet" in item) and kind not in ("choice", "open-choice"):
            found.append(f"{link}: que-5 answer options on a {kind}")
        if "answerOption" in item and "answerValueSet" in item:
            found.append(f"{link}: que-4 both answerOption and answerValueSet")
        if ("enableBehavior" in item) != (len(item.get("enableWhen", [])) > 1):
            found.append(f"{link}: que-12 enableBehavior without several enableWhen, or the reverse")
        for entry in item.get("enableWhen", []):
            answer = [(k, v) for k, v in entry.items() if k.startswith("answer")]
            if entry["operator"] == "exists" and answer[0][0] != "answerBoolean":
                found.append(f"{link}: que-7 exists with {answer[0][0]}")
            target = by_id.get(entry["question"])
            if target is None:
                found.append(f"{link}: enableWhen names no item {entry['question']}")
            elif answer[0][0] == "answerCoding":
                options = [
                    (o["valueCoding"]["system"], o["valueCoding"]["code"]) for o in target["answerOption"]
                ]
                if (answer[0][1]["system"], answer[0][1]["code"]) not in options:
                    found.append(
                        f"{link}: enableWhen tests {answer[0][1]} that {target['linkId']} does not offer"
                    )
    return found


@pytest.mark.parametrize("lang", ["en", "el"])
def test_r4_questionnaire_invariants_hold_and_it_is_valid_fhir(lang: str) -> None:
    resource = questionnaire(RULES, lang, values)
    assert que_problems(resource) == []
    assert schema_problems(resource) == []
    parse_r4b(resource)


def test_the_invariant_check_finds_what_it_checks() -> None:
    broken = json.loads(json.dumps(questionnaire(RULES)))
    found = by_link(broken)
    found["urgent-advice-emergency"]["required"] = True
    found["urgent-advice"]["enableWhen"][0]["answerCoding"]["code"] = "maybe"
    found["age"]["answerOption"] = found["sex"]["answerOption"]
    found["pain_features"]["linkId"] = "pain_onset"
    assert len(que_problems(broken)) == 4
