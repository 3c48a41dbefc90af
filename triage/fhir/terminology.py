"""The project's code systems other than the answers': the five urgency levels (with a ConceptMap to
Infermedica's triage levels), the rules, and when to call back.

- levels: the codes of rules/levels.yaml (the engine's Level), most urgent first as written there;
  each concept is worded by the level's label in every language;
- rules: each rule's id, worded by its reason in general terms ("You told us ...", as the rules
  word it for the person; every language), with its level and source; its version is the rules
  version, so a fired rule's Coding names the rules it is from;
- call-back times: the stored codes of a call-back request's time (triage.storage.codes.TimeWindow),
  which a ServiceRequest's occurrenceTiming cites.
"""

from __future__ import annotations

from typing import Any

from triage.engine import Level, RuleSet
from triage.storage.codes import TimeWindow

from .answers import with_designations
from .common import (
    LEVELS_ID,
    LEVELS_TO_INFERMEDICA_ID,
    LEVELS_TO_INFERMEDICA_URL,
    LEVELS_URL,
    PRIMARY_LANGUAGE,
    RULES_ID,
    RULES_SYSTEM,
    TIME_WINDOW_ID,
    TIME_WINDOW_SYSTEM,
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
LEVEL_PROPERTY = "level"
SOURCE_PROPERTY = "source"
#: Each time a person may ask to be called back at: its display and its definition.
TIME_WINDOWS: dict[TimeWindow, tuple[str, str]] = {
    TimeWindow.MORNING: ("In the morning", "Call back in the morning, while the practice is open."),
    TimeWindow.AFTERNOON: ("In the afternoon", "Call back in the afternoon, while the practice is open."),
    TimeWindow.ANY: ("Any time", "Call back at any time the practice is open."),
    TimeWindow.TODAY: (
        "Today",
        "Call back today, before the practice closes: an urgent result (spec v3, section 3a); a request"
        " made after closing is due one hour after the next opening.",
    ),
}


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


def rule_coding(ruleset: RuleSet, rule_id: str) -> dict[str, Any]:
    """The Coding of a rule of this rule set (raises KeyError for an id it has not): its id, the
    rules version, and its reason in general terms in the primary language."""
    return {
        "system": RULES_SYSTEM,
        "version": ruleset.version.version,
        "code": rule_id,
        "display": ruleset.rule(rule_id).reason.get(PRIMARY_LANGUAGE),
    }


def rules_code_system(ruleset: RuleSet) -> dict[str, Any]:
    """The CodeSystem of the rules: each rule's id, reason (every language), level and source."""
    concepts = [
        {
            **with_designations({"code": rule.id}, rule.reason, ruleset.languages),
            "property": [
                {"code": LEVEL_PROPERTY, "valueCode": rule.level.value},
                {"code": SOURCE_PROPERTY, "valueString": rule.source},
            ],
        }
        for rule in ruleset.rules
    ]
    return {
        "resourceType": "CodeSystem",
        "id": RULES_ID,
        "url": RULES_SYSTEM,
        "version": ruleset.version.version,
        "name": "SpineTriageRule",
        "title": "Spine Triage: rules",
        "status": "active",
        "language": PRIMARY_LANGUAGE,
        "description": (
            f"The rules of {ruleset.name} {ruleset.version.version} ({ruleset.version.content_hash}), by id:"
            " each is worded by its reason in general terms, as the person assessed is told it."
        ),
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "property": [
            {
                "code": LEVEL_PROPERTY,
                "uri": LEVELS_URL,
                "description": "The level the rule gives when it fires (a code of the levels' CodeSystem)",
                "type": "code",
            },
            {
                "code": SOURCE_PROPERTY,
                "description": "The published guidance the rule comes from",
                "type": "string",
            },
        ],
        "concept": concepts,
    }


def time_windows_code_system(ruleset: RuleSet) -> dict[str, Any]:
    """The CodeSystem of when a person asked to be called back."""
    concepts = [
        {"code": window.value, "display": display, "definition": definition}
        for window, (display, definition) in TIME_WINDOWS.items()
    ]
    return {
        "resourceType": "CodeSystem",
        "id": TIME_WINDOW_ID,
        "url": TIME_WINDOW_SYSTEM,
        "version": ruleset.version.version,
        "name": "SpineTriageCallbackTime",
        "title": "Spine Triage: when to call back",
        "status": "active",
        "language": PRIMARY_LANGUAGE,
        "description": "When a person asked the practice to call them back.",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }
