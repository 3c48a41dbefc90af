"""The FHIR R4 Questionnaire, generated from the answers contract (rules/questions.yaml), and the
QuestionnaireResponse of one set of answers.

Each section of the contract is a group (linkId `section-<id>`: a question id has no dash, so the
two never clash) holding its questions in order; each question's linkId is its id in the contract.

- integer: `integer`, with the minValue and maxValue extensions;
- boolean: `boolean`;
- yes_no: `choice` with the codes yes, no and unsure (the contract's true, false and "unsure");
- choice: `choice`, one answer option per value, the value as its code;
- multi_choice: `choice` that `repeats`, at least `min_items` answers (the minOccurs extension);
- required: `required` (an item that is not enabled is never required); a list question that may
  be left empty is not required: its empty answer is an item with no answer;
- asked_when: `enableWhen` (triage/fhir/enable.py);
- wording: `text` in English, every other language through the translation extension; a hint is a
  display item inside its question.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.engine import RuleSet
from triage.engine.contract import Kind, Question

from .common import (
    PRIMARY_LANGUAGE,
    QUESTIONNAIRE_ID,
    QUESTIONNAIRE_URL,
    answer_value,
    coding,
    translated,
)
from .enable import enable_elements

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MIN_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs"
SECTION_PREFIX = "section-"
HINT_SUFFIX = "-hint"


def questionnaire(ruleset: RuleSet) -> dict[str, Any]:
    """The Questionnaire of this rule set's answers contract; its version is the rule set's."""
    contract = ruleset.contract
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": ruleset.version.version,
        "name": "SpineTriage",
        "title": "Spine Triage: the questions",
        "status": "active",
        "language": PRIMARY_LANGUAGE,
        "subjectType": ["Patient"],
        "item": [
            {
                "linkId": SECTION_PREFIX + section.id,
                "type": "group",
                **translated("text", section.title, ruleset.languages),
                "item": [_item(ruleset, contract[qid]) for qid in section.question_ids],
            }
            for section in contract.sections
        ],
    }


def canonical(ruleset: RuleSet) -> str:
    """The Questionnaire's canonical reference with its version, as a response names it."""
    return f"{QUESTIONNAIRE_URL}|{ruleset.version.version}"


def is_required(question: Question) -> bool:
    """Required in FHIR: at least one answer when enabled (a list that may be empty is not)."""
    return question.required and not (question.kind.is_list and question.min_items == 0)


def _item(ruleset: RuleSet, question: Question) -> dict[str, Any]:
    languages = ruleset.languages
    item: dict[str, Any] = {
        "linkId": question.id,
        **translated("text", question.wording["label"], languages),
        "type": question.kind.pick(
            integer="integer", choice="choice", multi_choice="choice", boolean="boolean", yes_no="choice"
        ),
        "required": is_required(question),
    }
    if question.asked_when is not None:
        item.update(enable_elements(ruleset, question.asked_when))
    extensions = item.setdefault("extension", [])
    if question.kind.is_number:
        extensions.append({"url": MIN_VALUE, "valueInteger": question.minimum})
        extensions.append({"url": MAX_VALUE, "valueInteger": question.maximum})
    if question.kind.is_list:
        item["repeats"] = True
        if question.min_items:
            extensions.append({"url": MIN_OCCURS, "valueInteger": question.min_items})
    if not extensions:
        del item["extension"]
    values = question.kind.fixed_values if question.kind is Kind.YES_NO else question.values
    if question.kind is not Kind.INTEGER and question.kind is not Kind.BOOLEAN:
        item["answerOption"] = [{"valueCoding": coding(ruleset, question, value)} for value in values]
    if "hint" in question.wording:
        item["item"] = [
            {
                "linkId": question.id + HINT_SUFFIX,
                "type": "display",
                **translated("text", question.wording["hint"], languages),
            }
        ]
    return item


def response_items(ruleset: RuleSet, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers as given, as QuestionnaireResponse items grouped like the Questionnaire's.

    Only answered questions appear; a list answered with none of its options is an item with no
    answer; "unsure" stays the coded answer it is.
    """
    contract = ruleset.contract
    groups = []
    for section in contract.sections:
        items = [
            _answered(ruleset, contract[qid], answers[qid])
            for qid in section.question_ids
            if qid in answers and answers[qid] is not None
        ]
        if items:
            groups.append(
                {
                    "linkId": SECTION_PREFIX + section.id,
                    "text": section.title.get(PRIMARY_LANGUAGE),
                    "item": items,
                }
            )
    return groups


def _answered(ruleset: RuleSet, question: Question, value: Any) -> dict[str, Any]:
    given = list(value) if question.kind.is_list else [value]
    item: dict[str, Any] = {"linkId": question.id, "text": question.wording["label"].get(PRIMARY_LANGUAGE)}
    if given:
        item["answer"] = [answer_value(ruleset, question, one) for one in given]
    return item
