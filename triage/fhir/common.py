"""What every FHIR resource here shares: the canonical addresses, texts in every language, answer codes."""

from __future__ import annotations

from typing import Any

from triage.engine import RuleSet, Text
from triage.engine.contract import UNSURE, Kind, Question

#: The project's canonical base: the stable name of its FHIR artefacts, not an address to fetch.
#: It is the same for every practice, as the artefacts are made from the same kind of rule set;
#: the rule-set version (and, on records, its hash) says which rules they come from.
CANONICAL = "https://fhir.spine-triage.example"
QUESTIONNAIRE_ID = "spine-triage"
LEVELS_ID = "spine-triage-level"
LEVELS_TO_INFERMEDICA_ID = "spine-triage-level-to-infermedica"
QUESTIONNAIRE_URL = f"{CANONICAL}/Questionnaire/{QUESTIONNAIRE_ID}"
LEVELS_URL = f"{CANONICAL}/CodeSystem/{LEVELS_ID}"
LEVELS_TO_INFERMEDICA_URL = f"{CANONICAL}/ConceptMap/{LEVELS_TO_INFERMEDICA_ID}"
#: The rules that fired, by id (a code system named here, not published as a resource).
RULES_SYSTEM = f"{CANONICAL}/CodeSystem/spine-triage-rule"
#: An assessment's reference code (ABCD-1234), as the practice reads it out.
REFERENCE_SYSTEM = f"{CANONICAL}/assessment-reference"
#: When a person asked to be called back (the stored codes of triage.storage.codes.TimeWindow).
TIME_WINDOW_SYSTEM = f"{CANONICAL}/CodeSystem/spine-triage-callback-time"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
#: The language every resource is written in; the others come as translations.
PRIMARY_LANGUAGE = "en"
#: FHIR's own request parameters (their names start with an underscore, as FHIR's spelling):
#: a resource's id as a search parameter, the format asked for, and the language asked for.
ID_PARAMETER, FORMAT_PARAMETER, LANGUAGE_PARAMETER = "_id", "_format", "_language"
#: The media type of FHIR's JSON format.
FHIR_JSON = "application/fhir+json"
#: The codes of a yes/no question's answers; "unsure" is the answer it is, never turned into yes.
YES_NO_CODES = {True: "yes", False: "no", UNSURE: "unsure"}


def translated(name: str, text: Text, languages: tuple[str, ...]) -> dict[str, Any]:
    """`name` in the primary language, and `_name` with the translation extension for the others.

    FHIR keeps a primitive's extensions beside it as `_name`; the translation extension
    (http://hl7.org/fhir/StructureDefinition/translation) holds one language each.
    """
    others = [lang for lang in languages if lang != PRIMARY_LANGUAGE and lang in text.languages]
    element: dict[str, Any] = {name: text.get(PRIMARY_LANGUAGE)}
    if others:
        element[f"_{name}"] = {
            "extension": [
                {
                    "url": TRANSLATION,
                    "extension": [
                        {"url": "lang", "valueCode": lang},
                        {"url": "content", "valueString": text.get(lang)},
                    ],
                }
                for lang in others
            ]
        }
    return element


def answer_code(question: Question, value: Any) -> str:
    """The code of one answer value of a coded question: the value itself, or yes/no/unsure."""
    return YES_NO_CODES[value] if question.kind is Kind.YES_NO else str(value)


def answer_text(ruleset: RuleSet, question: Question, value: Any) -> Text:
    """How an answer value of a coded question is worded (the contract's answer words for yes/no)."""
    if question.kind is Kind.YES_NO:
        return ruleset.contract.answer_words[YES_NO_CODES[value]]
    return question.options[value]


def is_coded(question: Question) -> bool:
    """The question's answers are codings (choices and yes/no), not numbers or true/false."""
    return question.kind.pick(integer=False, choice=True, multi_choice=True, boolean=False, yes_no=True)


def coding(ruleset: RuleSet, question: Question, value: Any) -> dict[str, Any]:
    """The Coding of one answer value, worded in the primary language (its code is the contract's)."""
    return {
        "code": answer_code(question, value),
        **translated("display", answer_text(ruleset, question, value), ruleset.languages),
    }


def answer_value(ruleset: RuleSet, question: Question, value: Any) -> dict[str, Any]:
    """One answer as a FHIR value[x]: a whole number, true/false, or a Coding."""
    if is_coded(question):
        return {"valueCoding": coding(ruleset, question, value)}
    if question.kind is Kind.INTEGER:
        return {"valueInteger": value}
    return {"valueBoolean": value}
