"""What every FHIR resource here shares: the canonical addresses, texts in every language, answer codes.

Every coded answer has a system (triage/fhir/answers.py publishes them): the answers yes, no and
"not sure" are one code system shared by every yes/no question (they mean the same everywhere);
each choice question has its own, whose codes are the contract's values (a value such as `none`
means something else in each question, so one system for all would need other codes than the
contract's). A list question that may be left empty also has the code `none` ("None of these"),
so that an answer of none differs from a question skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
RULES_ID = "spine-triage-rule"
TIME_WINDOW_ID = "spine-triage-callback-time"
YES_NO_ID = "spine-triage-yes-no"
#: The rules that fired, by id, with the rules version (triage/fhir/terminology.py).
RULES_SYSTEM = f"{CANONICAL}/CodeSystem/{RULES_ID}"
#: An assessment's reference code (ABCD-1234), as the practice reads it out.
REFERENCE_SYSTEM = f"{CANONICAL}/assessment-reference"
#: When a person asked to be called back (the stored codes of triage.storage.codes.TimeWindow).
TIME_WINDOW_SYSTEM = f"{CANONICAL}/CodeSystem/{TIME_WINDOW_ID}"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
#: CSS for how a renderer shows a text (R4 core extension rendering-style).
STYLE = "http://hl7.org/fhir/StructureDefinition/rendering-style"
#: The language every resource is written in; the others come as translations.
PRIMARY_LANGUAGE = "en"
#: The language a reader asks for, by the app's own query parameter (as the patient pages take it,
#: ?lang=el), before Accept-Language.
LANGUAGE_PARAMETER = "lang"
#: The media type of FHIR's JSON format.
FHIR_JSON = "application/fhir+json"
#: The codes of a yes/no question's answers; "unsure" is the answer it is, never turned into yes.
YES_NO_CODES = {True: "yes", False: "no", UNSURE: "unsure"}
#: The code of "None of these", the answer to a list question that may be empty (the form's too).
NONE = "none"
#: The languages a Questionnaire is served in as its primary language (the other is a translation).
SERVED_LANGUAGES = ("en", "el")


#: The practice's values for the {placeholders} of texts, by language (emergency number, phone ...).
Values = Callable[[str], Mapping[str, object]]


class _KeepUnknown(dict[str, object]):
    """Placeholder values that leave a {name} nobody gave as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def filled(text: Text, lang: str, values: Values | None) -> str:
    """The text in `lang` with the practice's values in its {placeholders} (those not given kept)."""
    return text.get(lang).format_map(_KeepUnknown(values(lang) if values else {}))


def translated(
    name: str, text: Text, languages: tuple[str, ...], primary: str = PRIMARY_LANGUAGE
) -> dict[str, Any]:
    """`name` in the primary language, and `_name` with the translation extension for the others.

    FHIR keeps a primitive's extensions beside it as `_name`; the translation extension
    (http://hl7.org/fhir/StructureDefinition/translation) holds one language each.
    """
    others = [lang for lang in languages if lang != primary and lang in text.languages]
    element: dict[str, Any] = {name: text.get(primary)}
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


def answer_id(question: Question) -> str:
    """The id of a question's answer code system and value set (a FHIR id has no underscore)."""
    return (
        YES_NO_ID if question.kind is Kind.YES_NO else "spine-triage-answer-" + question.id.replace("_", "-")
    )


def answer_system(question: Question) -> str:
    """The code system of a coded question's answers."""
    return f"{CANONICAL}/CodeSystem/{answer_id(question)}"


def answer_value_set(question: Question) -> str:
    """The value set of a coded question's answers."""
    return f"{CANONICAL}/ValueSet/{answer_id(question)}"


def has_none(question: Question) -> bool:
    """A list question that may be left empty: its empty answer is coded "None of these"."""
    return question.kind.is_list and question.min_items == 0


def answer_codes(question: Question) -> list[str]:
    """Every code of a coded question's answers, in the contract's order ("None of these" last)."""
    values = question.kind.fixed_values if question.kind is Kind.YES_NO else question.values
    return [answer_code(question, value) for value in values] + ([NONE] if has_none(question) else [])


def answer_code(question: Question, value: Any) -> str:
    """The code of one answer value of a coded question: the value itself, or yes/no/unsure."""
    return YES_NO_CODES[value] if question.kind is Kind.YES_NO else str(value)


def answer_text(ruleset: RuleSet, question: Question, value: Any) -> Text:
    """How an answer value of a coded question is worded (the contract's answer words for yes/no)."""
    if question.kind is Kind.YES_NO:
        return ruleset.contract.answer_words[YES_NO_CODES[value]]
    if has_none(question) and value == NONE:
        return ruleset.contract.answer_words[NONE]
    return question.options[value]


def is_coded(question: Question) -> bool:
    """The question's answers are codings (choices and yes/no), not numbers or true/false."""
    return question.kind.pick(integer=False, choice=True, multi_choice=True, boolean=False, yes_no=True)


def coding(
    ruleset: RuleSet, question: Question, value: Any, primary: str = PRIMARY_LANGUAGE
) -> dict[str, Any]:
    """The Coding of one answer value (or NONE), worded in the primary language; its code is the
    contract's, its system the question's answers'."""
    return {
        "system": answer_system(question),
        "code": answer_code(question, value),
        **translated("display", answer_text(ruleset, question, value), ruleset.languages, primary),
    }


def answer_value(ruleset: RuleSet, question: Question, value: Any) -> dict[str, Any]:
    """One answer as a FHIR value[x]: a whole number, true/false, or a Coding."""
    if is_coded(question):
        return {"valueCoding": coding(ruleset, question, value)}
    if question.kind is Kind.INTEGER:
        return {"valueInteger": value}
    return {"valueBoolean": value}
