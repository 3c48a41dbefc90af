"""The five urgency levels as a FHIR CodeSystem, and a ConceptMap from them to Infermedica's triage levels.

The codes are those of rules/levels.yaml (the engine's Level), most urgent first as written there;
each concept is worded by the level's label in every language.
"""

from __future__ import annotations

from typing import Any

from triage.engine import Level, RuleSet

from .common import (
    LEVELS_ID,
    LEVELS_TO_INFERMEDICA_ID,
    LEVELS_TO_INFERMEDICA_URL,
    LEVELS_URL,
    PRIMARY_LANGUAGE,
    translated,
)

#: Infermedica publishes its triage levels (API v3 `triage_level`) without a FHIR system URI;
#: this names them after the documentation of that field.
INFERMEDICA_TRIAGE = "https://developer.infermedica.com/docs/v3/triage#triage_level"

#: Each level's Infermedica triage level, and how their meanings compare (R4 ConceptMap
#: equivalence: "wider" where Infermedica's level is wider in meaning than ours). Soon (an
#: appointment within 1 to 2 weeks) is one kind of Infermedica's "consultation" (see a doctor,
#: not urgently); the others say the same thing.
INFERMEDICA: dict[Level, tuple[str, str]] = {
    Level.AMBULANCE: ("emergency_ambulance", "equivalent"),
    Level.EMERGENCY: ("emergency", "equivalent"),
    Level.URGENT: ("consultation_24", "equivalent"),
    Level.SOON: ("consultation", "wider"),
    Level.INFORMATION: ("self_care", "equivalent"),
}
RANK_PROPERTY = "rank"


def level_coding(ruleset: RuleSet, level: Level) -> dict[str, Any]:
    """The Coding of a level in the project's code system, with its label in the primary language."""
    return {
        "system": LEVELS_URL,
        "version": ruleset.version.version,
        "code": level.value,
        "display": ruleset.levels[level].label.get(PRIMARY_LANGUAGE),
    }


def levels_code_system(ruleset: RuleSet) -> dict[str, Any]:
    """The CodeSystem of the five levels: code, label (in every language) and rank (4 is most urgent)."""
    concepts = []
    for level, advice in ruleset.levels.items():
        designations = [
            {"language": lang, "value": advice.label.get(lang)}
            for lang in ruleset.languages
            if lang != PRIMARY_LANGUAGE and lang in advice.label.languages
        ]
        concept: dict[str, Any] = {
            "code": level.value,
            **translated("display", advice.label, ruleset.languages),
            "property": [{"code": RANK_PROPERTY, "valueInteger": level.rank}],
        }
        if designations:
            concept["designation"] = designations
        concepts.append(concept)
    return {
        "resourceType": "CodeSystem",
        "id": LEVELS_ID,
        "url": LEVELS_URL,
        "version": ruleset.version.version,
        "name": "SpineTriageLevel",
        "title": "Spine Triage: urgency levels",
        "status": "active",
        "language": PRIMARY_LANGUAGE,
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "description": "How quickly to seek care, from an ambulance now to information. Never a diagnosis.",
        "property": [
            {
                "code": RANK_PROPERTY,
                "description": "0 for the least urgent level up to 4 for the most urgent",
                "type": "integer",
            }
        ],
        "concept": concepts,
    }


def levels_to_infermedica(ruleset: RuleSet) -> dict[str, Any]:
    """The ConceptMap from the five levels to Infermedica's triage levels."""
    return {
        "resourceType": "ConceptMap",
        "id": LEVELS_TO_INFERMEDICA_ID,
        "url": LEVELS_TO_INFERMEDICA_URL,
        "version": ruleset.version.version,
        "name": "SpineTriageLevelToInfermedica",
        "title": "Spine Triage urgency levels to Infermedica triage levels",
        "status": "active",
        "group": [
            {
                "source": LEVELS_URL,
                "sourceVersion": ruleset.version.version,
                "target": INFERMEDICA_TRIAGE,
                "element": [
                    {
                        "code": level.value,
                        "display": ruleset.levels[level].label.get(PRIMARY_LANGUAGE),
                        "target": [{"code": code, "equivalence": equivalence}],
                    }
                    for level in ruleset.levels
                    for code, equivalence in [INFERMEDICA[level]]
                ],
            }
        ],
    }
