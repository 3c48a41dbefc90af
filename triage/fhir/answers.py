"""The code systems and value sets of the Questionnaire's coded answers (triage/fhir/common.py says
which there are and why): each concept worded in every language, as the Questionnaire words it.

Each code system is `complete` and names its value set, which holds all of it; a Questionnaire
item lists its options (answerOption, each Coding with this system), which form fillers render
best, so the value sets are published for other systems to validate against, not cited by items.
"""

from __future__ import annotations

from typing import Any

from triage.engine import RuleSet, Text
from triage.engine.contract import Kind, Question

from .common import (
    NONE,
    PRIMARY_LANGUAGE,
    QUESTIONNAIRE_URL,
    YES_NO_ID,
    answer_code,
    answer_id,
    answer_system,
    answer_text,
    answer_value_set,
    has_none,
    is_coded,
    translated,
)


def answer_sets(ruleset: RuleSet) -> list[Question]:
    """One coded question per answer set, in the contract's order (the first yes/no question stands
    for all of them)."""
    found: dict[str, Question] = {}
    for question in ruleset.contract.questions:
        if is_coded(question):
            found.setdefault(answer_id(question), question)
    return list(found.values())


def answer_code_systems(ruleset: RuleSet) -> list[dict[str, Any]]:
    """The code system of each answer set."""
    return [_code_system(ruleset, question) for question in answer_sets(ruleset)]


def answer_value_sets(ruleset: RuleSet) -> list[dict[str, Any]]:
    """The value set of each answer set: all of its code system."""
    return [
        {
            **_heading("ValueSet", answer_value_set(question), ruleset, question),
            "compose": {"include": [{"system": answer_system(question), "version": ruleset.version.version}]},
        }
        for question in answer_sets(ruleset)
    ]


def _heading(resource_type: str, url: str, ruleset: RuleSet, question: Question) -> dict[str, Any]:
    """What the code system and the value set of a question's answers both begin with."""
    return {
        "resourceType": resource_type,
        "id": answer_id(question),
        "url": url,
        "version": ruleset.version.version,
        "name": _name(question),
        "title": _title(question),
        "status": "active",
        "language": PRIMARY_LANGUAGE,
        "description": _description(question),
    }


def _code_system(ruleset: RuleSet, question: Question) -> dict[str, Any]:
    values = list(question.kind.fixed_values if question.kind is Kind.YES_NO else question.values)
    if has_none(question):
        if NONE in values:
            raise ValueError(f"{question.id}: the value {NONE!r} is the code of 'None of these'")
        values.append(NONE)
    concepts = [concept(ruleset, question, value) for value in values]
    return {
        **_heading("CodeSystem", answer_system(question), ruleset, question),
        "caseSensitive": True,
        "valueSet": answer_value_set(question),
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


def concept(ruleset: RuleSet, question: Question, value: Any) -> dict[str, Any]:
    """One concept: its code, its display in English with the other languages as translations and
    as designations."""
    text = answer_text(ruleset, question, value)
    return with_designations({"code": answer_code(question, value)}, text, ruleset.languages)


def with_designations(concept: dict[str, Any], text: Text, languages: tuple[str, ...]) -> dict[str, Any]:
    """A concept worded by `text`: its display, and each other language as a designation too."""
    designations = [
        {"language": lang, "value": text.get(lang)}
        for lang in languages
        if lang != PRIMARY_LANGUAGE and lang in text.languages
    ]
    return {
        **concept,
        **translated("display", text, languages),
        **({"designation": designations} if designations else {}),
    }


def _name(question: Question) -> str:
    return "".join(part.capitalize() for part in answer_id(question).split("-"))


def _title(question: Question) -> str:
    if answer_id(question) == YES_NO_ID:
        return "Spine Triage answers: yes, no, not sure"
    return f"Spine Triage answers: {question.wording['summary'].get(PRIMARY_LANGUAGE)}"


def _description(question: Question) -> str:
    if answer_id(question) == YES_NO_ID:
        return (
            'The answers of every yes/no question. "Not sure" counts as yes for every rule, and is'
            " kept as the answer it is."
        )
    text = f"The answers to the question {question.id!r} of {QUESTIONNAIRE_URL}."
    return text + (
        ' "None of these" (none) is the answer that none of the others applies.' if has_none(question) else ""
    )
