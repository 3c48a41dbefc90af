"""JSON Schemas for the files in rules/: their shape. What the shapes mean is checked by the loader."""

from __future__ import annotations

from typing import Any

TEXT: dict[str, Any] = {
    "type": "object",
    "description": "a patient-facing text: language code -> text",
    "propertyNames": {"pattern": "^[a-z]{2}$"},
    "additionalProperties": {"type": "string", "minLength": 1},
    "minProperties": 1,
}

ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
VALUE = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_]*$"}
CONDITION = {"type": "object", "minProperties": 1, "maxProperties": 1}
#: One wording of a reason or phrase: a text in each language, and `when` it applies (all but the last).
CASE: dict[str, Any] = {
    "type": "object",
    "properties": {"when": CONDITION},
    "patternProperties": {"^[a-z]{2}$": {"type": "string", "minLength": 1}},
    "additionalProperties": False,
    "minProperties": 2,
}
CASES: dict[str, Any] = {"type": "array", "minItems": 2, "items": CASE}
#: A told list (spec §3a v3: each answer named): cases, or `term: NAME` for a told term's facts.
TOLD_ITEM: dict[str, Any] = {
    "if": {"type": "object", "required": ["term"]},
    "then": {"type": "object", "additionalProperties": False, "properties": {"term": ID}},
    "else": CASE,
}
TOLD: dict[str, Any] = {
    "type": "object",
    "required": ["told"],
    "additionalProperties": False,
    "properties": {"told": {"type": "array", "minItems": 2, "items": TOLD_ITEM}},
}
RULE_ID = {"type": "string", "pattern": "^[A-Z][A-Z0-9]*[0-9]+[a-z]?$"}

RULESET: dict[str, Any] = {
    "type": "object",
    "required": ["name", "version", "languages", "placeholders", "floor"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "languages": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{2}$"},
            "minItems": 1,
            "uniqueItems": True,
            "contains": {"const": "en"},
        },
        "placeholders": {"type": "array", "items": ID, "uniqueItems": True},
        "told_us": {
            "type": "object",
            "required": ["one", "several"],
            "additionalProperties": False,
            "properties": {"one": TEXT, "several": TEXT},
        },
        "floor": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["level", "any_yes"],
                "additionalProperties": False,
                "properties": {
                    "level": {"enum": ["ambulance", "emergency", "urgent", "soon"]},
                    "any_yes": {"type": "array", "items": ID, "minItems": 1, "uniqueItems": True},
                },
            },
        },
    },
}

QUESTION: dict[str, Any] = {
    "type": "object",
    "required": ["id", "section", "type", "wording"],
    "additionalProperties": False,
    "properties": {
        "id": ID,
        "section": ID,
        "type": {"enum": ["integer", "choice", "multi_choice", "boolean", "yes_no"]},
        "values": {"type": "array", "items": VALUE, "minItems": 2, "uniqueItems": True},
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "min_items": {"type": "integer", "minimum": 0},
        "required": {"type": "boolean"},
        "asked_when": CONDITION,
        "concern_order": {
            "oneOf": [{"const": "ascending"}, {"type": "array", "items": VALUE, "uniqueItems": True}]
        },
        "wording": {
            "type": "object",
            "required": ["label", "summary"],
            "additionalProperties": False,
            "properties": {
                "label": TEXT,
                "hint": TEXT,
                "summary": TEXT,
                "options": {"type": "object", "additionalProperties": TEXT},
            },
        },
        "errors": {"type": "object", "additionalProperties": TEXT},
        "phone": {
            "type": "object",
            "description": "the question as a receptionist asks it: third person, read aloud",
            "required": ["label"],
            "additionalProperties": False,
            "properties": {
                "label": TEXT,
                "hint": TEXT,
                "errors": {
                    "type": "object",
                    "description": "its own messages that speak to the person, worded for the receptionist",
                    "additionalProperties": TEXT,
                },
            },
        },
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "integer"}}},
            "then": {"required": ["min", "max"], "not": {"required": ["values"]}},
        },
        {
            "if": {"properties": {"type": {"enum": ["choice", "multi_choice"]}}},
            "then": {"required": ["values"]},
            "else": {"not": {"required": ["values"]}},
        },
    ],
}

QUESTIONS: dict[str, Any] = {
    "type": "object",
    "required": ["sections", "questions", "answer_words", "messages"],
    "additionalProperties": False,
    "properties": {
        "answer_words": {
            "type": "object",
            "required": ["yes", "no", "unsure", "none"],
            "additionalProperties": False,
            "properties": {word: TEXT for word in ("yes", "no", "unsure", "none")},
        },
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title"],
                "additionalProperties": False,
                "properties": {"id": ID, "title": TEXT, "details_title": TEXT},
            },
        },
        "questions": {"type": "array", "minItems": 1, "items": QUESTION},
        "messages": {"type": "object", "additionalProperties": TEXT},
    },
}

TERMS: dict[str, Any] = {
    "type": "object",
    "required": ["terms"],
    "additionalProperties": False,
    "properties": {
        "terms": {
            "type": "object",
            "propertyNames": ID,
            "additionalProperties": {
                "type": "object",
                "required": ["description", "when"],
                "additionalProperties": False,
                "not": {"required": ["phrases", "told"]},
                "properties": {"description": TEXT, "when": CONDITION, "phrases": CASES, "told": CASES},
            },
        }
    },
}

RULE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "level", "when", "reason", "source"],
    "additionalProperties": False,
    "properties": {
        "id": RULE_ID,
        "level": {"type": "string"},
        "when": CONDITION,
        "reason": {
            "if": {"type": "array"},
            "then": CASES,
            "else": {"if": {"type": "object", "required": ["told"]}, "then": TOLD, "else": TEXT},
        },
        "guidance": TEXT,
        "source": {"type": "string", "minLength": 3},
        "repeats": {"type": "array", "items": RULE_ID, "minItems": 1, "uniqueItems": True},
    },
}

TOPIC: dict[str, Any] = {
    "type": "object",
    "required": ["topic", "title", "rules"],
    "additionalProperties": False,
    "properties": {
        "topic": ID,
        "title": {"type": "string", "minLength": 1},
        "rules": {"type": "array", "minItems": 1, "items": RULE},
    },
}

#: How soon the practice acts on a record at a level: within so many minutes, hours or days of its
#: arrival, or by the end of the practice's day (its time zone is a setting, not a rule).
TARGET: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
    "properties": {
        "minutes": {"type": "integer", "minimum": 1},
        "hours": {"type": "integer", "minimum": 1},
        "days": {"type": "integer", "minimum": 1},
        "end_of_day": {"const": True},
    },
}

LEVELS: dict[str, Any] = {
    "type": "object",
    "required": ["levels"],
    "additionalProperties": False,
    "properties": {
        "levels": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "label", "action", "expect", "phone_script", "target"],
                "additionalProperties": False,
                "properties": {
                    "id": ID,
                    "target": TARGET,
                    "label": TEXT,
                    "action": TEXT,
                    "expect": TEXT,
                    "phone_script": TEXT,
                    "guidance": {"type": "array", "items": TEXT},
                    "callback": {
                        "type": "object",
                        "description": "how soon a requested call back comes, as the page promises it",
                        "required": ["working_days"],
                        "additionalProperties": False,
                        "properties": {"working_days": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        }
    },
}

SAFETY_NET: dict[str, Any] = {
    "type": "object",
    "required": ["safety_net", "not_a_diagnosis"],
    "additionalProperties": False,
    "properties": {
        "safety_net": {
            "type": "object",
            "required": ["intro", "warning_signs"],
            "additionalProperties": False,
            "properties": {
                "intro": TEXT,
                "warning_signs": {"type": "array", "minItems": 1, "items": TEXT},
            },
        },
        "not_a_diagnosis": TEXT,
    },
}

# --- the clinical safety case: read by triage/safety, never by the assessment ---------------------

#: A score on one of the hazard log's 5-point scales.
SCORE = {"type": "integer", "minimum": 1, "maximum": 5}
#: A named point of a scale: its score, its name and what it means.
SCALE: dict[str, Any] = {
    "type": "array",
    "minItems": 5,
    "maxItems": 5,
    "items": {
        "type": "object",
        "required": ["score", "name", "meaning"],
        "additionalProperties": False,
        "properties": {
            "score": SCORE,
            "name": {"type": "string", "minLength": 1},
            "meaning": {"type": "string", "minLength": 1},
        },
    },
}
RISK: dict[str, Any] = {
    "type": "object",
    "required": ["severity", "likelihood", "risk"],
    "additionalProperties": False,
    "properties": {"severity": SCORE, "likelihood": SCORE, "risk": SCORE},
}
NODE_ID = {
    "type": "string",
    "pattern": r"^tests/[A-Za-z0-9_/]+\.py::[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)?$",
}
PROSE = {"type": "string", "minLength": 3}
HAZARDS: dict[str, Any] = {
    "type": "object",
    "required": ["standard", "scales", "hazards"],
    "additionalProperties": False,
    "properties": {
        "standard": PROSE,
        "scales": {
            "type": "object",
            "required": ["severity", "likelihood", "risk", "matrix"],
            "additionalProperties": False,
            "properties": {
                "severity": SCALE,
                "likelihood": SCALE,
                "risk": SCALE,
                "matrix": {
                    "type": "array",
                    "description": "risk by likelihood (rows, 1 first) and severity (columns, 1 first)",
                    "minItems": 5,
                    "maxItems": 5,
                    "items": {"type": "array", "minItems": 5, "maxItems": 5, "items": SCORE},
                },
            },
        },
        "hazards": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "title",
                    "description",
                    "cause",
                    "harm",
                    "initial",
                    "controls",
                    "residual",
                ],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^H[0-9]{2}$"},
                    "title": PROSE,
                    "description": PROSE,
                    "cause": PROSE,
                    "harm": PROSE,
                    "initial": RISK,
                    "controls": {
                        "type": "object",
                        "required": ["tests", "design"],
                        "additionalProperties": False,
                        "properties": {
                            "rules": {"type": "array", "items": RULE_ID, "uniqueItems": True},
                            "invariants": {"type": "array", "items": PROSE, "uniqueItems": True},
                            "tests": {"type": "array", "items": NODE_ID, "minItems": 1, "uniqueItems": True},
                            "design": {"type": "array", "items": PROSE, "minItems": 1},
                        },
                    },
                    "residual": RISK,
                    "residual_note": PROSE,
                },
            },
        },
    },
}

SAFETY_CASE: dict[str, Any] = {
    "type": "object",
    "required": ["title", "spec", "scope", "intended_use", "not_intended_for", "users", "requirements"],
    "additionalProperties": False,
    "properties": {
        "title": PROSE,
        "spec": {
            "type": "object",
            "required": ["name", "version", "date"],
            "additionalProperties": False,
            "properties": {"name": PROSE, "version": {"type": "integer"}, "date": {"type": "string"}},
        },
        "scope": PROSE,
        "intended_use": {"type": "array", "minItems": 1, "items": PROSE},
        "not_intended_for": {"type": "array", "minItems": 1, "items": PROSE},
        "users": {"type": "array", "minItems": 1, "items": PROSE},
        "requirements": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["section", "requirement", "rules"],
                "additionalProperties": False,
                "properties": {
                    "section": {"type": "string", "pattern": "^§"},
                    "requirement": PROSE,
                    "rules": {"type": "array", "items": RULE_ID, "minItems": 1, "uniqueItems": True},
                },
            },
        },
        "open_issues": {"type": "array", "items": PROSE},
    },
}
