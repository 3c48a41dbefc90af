"""JSON Schemas for the clinical safety case's files in rules/ (hazards.yaml, safety_case.yaml): read by
triage/safety, never by the assessment."""

from __future__ import annotations

from typing import Any

from triage.engine.schemas import RULE_ID

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
