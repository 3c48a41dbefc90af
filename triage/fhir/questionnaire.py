"""The FHIR R4 Questionnaire, generated from the answers contract (rules/questions.yaml), and the
QuestionnaireResponse of one set of answers.

Each section of the contract is a group (linkId `section-<id>`: a question id has no dash, so the
two never clash) holding its questions in order; each question's linkId is its id in the contract.

- integer: `integer`, with the minValue and maxValue extensions;
- boolean: `boolean`;
- yes_no: `choice` with the codes yes, no and unsure (the contract's true, false and "unsure");
- choice: `choice`, one answer option per value, the value as its code;
- multi_choice: `choice` that `repeats`, at least `min_items` answers (the minOccurs extension);
  one that may be left empty also has the option "None of these" (code `none`, exclusive: the
  optionExclusive extension), its empty answer, so that "none" and "skipped" differ;
- every answer option is a Coding with its system (triage/fhir/common.py, triage/fhir/answers.py);
- required: `required` (an item that is not enabled is never required), as the contract says;
- asked_when: `enableWhen` (triage/fhir/enable.py);
- wording: `text` in the Questionnaire's language (English unless asked for another), the others
  through the translation extension; a hint is a display item inside its question.

The urgent advice of spec v3 §5a closes the warning signs' group (triage/fhir/advice.py). Age
carries its LOINC code (30525-0, Age); no other question has a standard code that means exactly
what it asks, so none is given rather than one that is nearly right.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from triage.engine import RuleSet
from triage.engine.contract import Kind, Question

from .advice import advice_items
from .common import (
    NONE,
    PRIMARY_LANGUAGE,
    QUESTIONNAIRE_ID,
    QUESTIONNAIRE_URL,
    Values,
    answer_value,
    coding,
    has_none,
    translated,
)
from .enable import enable_elements

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MIN_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs"
OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
LOINC = "http://loinc.org"
#: Standard codes of questions, only where one means exactly what the question asks.
QUESTION_CODES = {"age": {"system": LOINC, "code": "30525-0", "display": "Age"}}
#: The tool's name, the Questionnaire's title, worded in each language as the app's pages word it.
TITLE = "Spine Triage"
CATALOGUES = Path(__file__).resolve().parents[1] / "translations"
SECTION_PREFIX = "section-"
HINT_SUFFIX = "-hint"


def questionnaire(
    ruleset: RuleSet, lang: str = PRIMARY_LANGUAGE, values: Values | None = None
) -> dict[str, Any]:
    """The Questionnaire of this rule set's answers contract; its version is the rule set's.

    `lang`: the language of its texts (the others are translations); `values`: the practice's
    values for the {placeholders} of the urgent advice (left as they are without them).
    """
    contract = ruleset.contract
    groups = []
    for section in contract.sections:
        items = [_item(ruleset, contract[qid], lang) for qid in section.question_ids]
        if section == contract.emergency_screen:
            items += advice_items(ruleset, lang, values)
        groups.append(
            {
                "linkId": SECTION_PREFIX + section.id,
                "type": "group",
                **translated("text", section.title, ruleset.languages, lang),
                "item": items,
            }
        )
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": ruleset.version.version,
        "name": "SpineTriage",
        "title": title(lang),
        "status": "active",
        "language": lang,
        "subjectType": ["Patient"],
        "item": groups,
    }


def title(lang: str) -> str:
    """The tool's name in `lang`, from the app's compiled catalogues (English without them)."""
    return gettext.translation("messages", CATALOGUES, languages=[lang], fallback=True).gettext(TITLE)


def canonical(ruleset: RuleSet) -> str:
    """The Questionnaire's canonical reference with its version, as a response names it."""
    return f"{QUESTIONNAIRE_URL}|{ruleset.version.version}"


def _item(ruleset: RuleSet, question: Question, lang: str) -> dict[str, Any]:
    languages = ruleset.languages
    item: dict[str, Any] = {
        "linkId": question.id,
        **({"code": [QUESTION_CODES[question.id]]} if question.id in QUESTION_CODES else {}),
        **translated("text", question.wording["label"], languages, lang),
        "type": question.kind.pick(
            integer="integer", choice="choice", multi_choice="choice", boolean="boolean", yes_no="choice"
        ),
        "required": question.required,
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
        item["answerOption"] = [{"valueCoding": coding(ruleset, question, value, lang)} for value in values]
    if has_none(question):
        exclusive = {"url": OPTION_EXCLUSIVE, "valueBoolean": True}
        item["answerOption"].append(
            {"extension": [exclusive], "valueCoding": coding(ruleset, question, NONE, lang)}
        )
    if "hint" in question.wording:
        item["item"] = [
            {
                "linkId": question.id + HINT_SUFFIX,
                "type": "display",
                **translated("text", question.wording["hint"], languages, lang),
            }
        ]
    return item


def response_items(ruleset: RuleSet, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers as given, as QuestionnaireResponse items grouped like the Questionnaire's.

    Only answered questions appear; a list answered with none of its options has the answer
    "None of these" (code `none`); "unsure" stays the coded answer it is.
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
    given = (list(value) or [NONE]) if question.kind.is_list else [value]
    item: dict[str, Any] = {"linkId": question.id, "text": question.wording["label"].get(PRIMARY_LANGUAGE)}
    item["answer"] = [answer_value(ruleset, question, one) for one in given]
    return item
