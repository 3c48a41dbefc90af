"""The OpenAPI 3.1 document of the JSON API, made from the answers contract it serves.

The answers' schema comes from rules/questions.yaml (each question's kind, values, range and when
it is asked: triage/api/schema.py), so the document cannot drift from what the engine accepts.
"""

from __future__ import annotations

from typing import Any

from triage.api.fhir.conformance import FhirId
from triage.api.openapi_operations import operation_paths
from triage.api.schema import answers_schema
from triage.engine import Level, RuleSet
from triage.fhir import FHIR_JSON
from triage.fhir.catalog import RESOURCE_TYPES
from triage.fhir.common import LANGUAGE_PARAMETER

JSON = "application/json"
_TEXT: dict[str, Any] = {"type": "string"}
_TEXTS: dict[str, Any] = {"type": "array", "items": _TEXT}


def openapi_document(ruleset: RuleSet) -> dict[str, Any]:
    """The OpenAPI 3.1 document of /api/v1, for this rule set."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Spine Triage API",
            "version": "1",
            "description": (
                "Urgency-graded guidance for back and neck pain that may come from a spine fracture. "
                "Never a diagnosis. Messages follow Accept-Language (en, el). Without an API key an "
                "assessment is evaluated but not saved."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/assessments": {"post": _assess_operation()},
            "/api/v1/questions": {"get": _questions_operation()},
            "/api/v1/openapi.json": {"get": _document_operation()},
            **_fhir_paths(),
            **operation_paths(),
        },
        "components": {
            "schemas": {
                "Answers": answers_schema(ruleset),
                "Outcome": _outcome_schema(),
                "Errors": _errors_schema(),
                "OperationOutcome": _resource_schema("OperationOutcome"),
            },
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A key made with `python -m triage api-keys create NAME`.",
                },
                "staffSession": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": (
                        "The session cookie of a member of staff logged in to /staff/ (named __Host-session "
                        "over HTTPS); any staff role reads records."
                    ),
                },
            },
        },
    }


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


def _assess_operation() -> dict[str, Any]:
    return {
        "operationId": "createAssessment",
        "summary": "Assess one answers object; with an API key, save it too",
        "security": [{}, {"apiKey": []}],
        "requestBody": {
            "required": True,
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/Answers"}}},
        },
        "responses": {
            "200": {
                "description": "The outcome; `saved` and `reference` say whether it was saved",
                "content": {JSON: {"schema": {"$ref": "#/components/schemas/Outcome"}}},
            },
            "400": _error("The body is not valid JSON"),
            "401": _error("The API key is not one the practice issued, or it was revoked"),
            "413": _error("The body is larger than 16 KB"),
            "415": _error("The body is not sent as application/json"),
            "422": _error("One message per question whose answer is missing or not allowed"),
            "429": _error("Too many requests from this address or with this key; try again later"),
        },
    }


def _questions_operation() -> dict[str, Any]:
    return {
        "operationId": "listQuestions",
        "summary": "The answers contract: every question, its type, values and when it is asked",
        "responses": {
            "200": {
                "description": "The contract and the rules version",
                "content": {
                    JSON: {
                        "schema": {
                            "type": "object",
                            "required": ["rules_version", "sections"],
                            "properties": {
                                "rules_version": {"type": "object"},
                                "sections": {"type": "array", "items": {"type": "object"}},
                            },
                        }
                    }
                },
            }
        },
    }


def _document_operation() -> dict[str, Any]:
    return {
        "operationId": "openapiDocument",
        "summary": "This document",
        "responses": {
            "200": {"description": "OpenAPI 3.1", "content": {JSON: {"schema": {"type": "object"}}}}
        },
    }


def _outcome_schema() -> dict[str, Any]:
    fired_rule = {
        "type": "object",
        "required": ["id", "level", "reason", "source"],
        "properties": {"id": _TEXT, "level": _level(), "reason": _TEXT, "source": _TEXT},
    }
    safety_net = {
        "type": "object",
        "required": ["intro", "warning_signs", "what_to_expect"],
        "properties": {"intro": _TEXT, "warning_signs": _TEXTS, "what_to_expect": _TEXT},
    }
    properties: dict[str, Any] = {
        "level": _level(),
        "label": _TEXT,
        "action": _TEXT,
        "fired_rules": {"type": "array", "items": fired_rule},
        "guidance": _TEXTS,
        "safety_net": safety_net,
        "not_a_diagnosis": _TEXT,
        "rules_version": {"type": "object"},
        "partial": {"type": "boolean"},
        "unanswered": _TEXTS,
        "saved": {"type": "boolean"},
        "reference": {"type": ["string", "null"], "pattern": "^[0-9A-Z]{4}-[0-9A-Z]{4}$"},
        "notice": _TEXT,
    }
    required = [name for name in properties if name not in ("unanswered", "notice")]
    return {"type": "object", "required": required, "properties": properties}


def _level() -> dict[str, Any]:
    return {"enum": [level.value for level in Level]}


def _errors_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["errors"],
        "properties": {"errors": {"type": "object", "additionalProperties": _TEXT, "minProperties": 1}},
    }


def _resource_schema(resource_type: str) -> dict[str, Any]:
    """A FHIR resource of one type (its full shape is FHIR R4's, checked by the tests)."""
    return {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"const": resource_type}},
    }


def _fhir(description: str, resource_type: str) -> dict[str, Any]:
    return {"description": description, "content": {FHIR_JSON: {"schema": _resource_schema(resource_type)}}}


def _fhir_error(description: str) -> dict[str, Any]:
    ref = {"$ref": "#/components/schemas/OperationOutcome"}
    return {"description": description, "content": {FHIR_JSON: {"schema": ref}}}


def _fhir_public(
    operation_id: str, summary: str, parameters: list[dict[str, Any]], found: Any
) -> dict[str, Any]:
    """A read of the public conformance resources: anyone, any origin; JSON only (406 otherwise)."""
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["FHIR R4"],
            "parameters": parameters + _LANGUAGE_PARAMETERS,
            "responses": {
                "200": {
                    "description": found[0],
                    "content": {FHIR_JSON: {"schema": found[1]}},
                    "headers": {"ETag": {"schema": _TEXT}},
                },
                "304": {"description": "Not modified: the ETag in If-None-Match still holds"},
                "400": _fhir_error("An unknown search parameter (unless Prefer: handling=lenient)"),
                "404": _fhir_error("No resource of this type, id or version"),
                "406": _fhir_error("A format other than FHIR's JSON was asked for"),
                "503": _fhir_error("The earlier versions of the Questionnaire cannot be read now"),
            },
        }
    }


def _path(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or _TEXT,
    }


def _query(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": _TEXT}


#: The language of a public resource: the app's own, as the patient pages take it (en or el).
_LANGUAGE_PARAMETERS = [
    _query(LANGUAGE_PARAMETER, "The language to answer in (en, el), before Accept-Language"),
]
_RESOURCE_TYPE = _path(
    "resource_type",
    "The type of public resource",
    {"type": "string", "enum": list(RESOURCE_TYPES)},
)
#: A FHIR id, as the routes take it (triage/api/fhir/conformance.py).
_FHIR_ID = {"type": "string", "pattern": f"^{FhirId.regex}$"}
_RESOURCE_ID = _path("resource_id", "The resource's id, e.g. spine-triage", _FHIR_ID)


def _fhir_paths() -> dict[str, Any]:
    """The FHIR R4 endpoints: the CapabilityStatement, read, vread and search of the public resources,
    and a saved assessment as a Bundle."""
    any_resource = {"type": "object", "required": ["resourceType"]}
    return {
        "/api/v1/fhir/metadata": _fhir_public(
            "fhirMetadata",
            "The CapabilityStatement",
            [],
            ("The CapabilityStatement", _resource_schema("CapabilityStatement")),
        ),
        "/api/v1/fhir/{resource_type}": _fhir_public(
            "fhirSearch",
            "Search by url and version: a searchset Bundle (bare Questionnaire: the Questionnaire)",
            [
                _RESOURCE_TYPE,
                _query("url", "The canonical URL, optionally with |version"),
                _query("version", "The version (the rules version); earlier Questionnaires included"),
            ],
            ("The searchset Bundle, or the Questionnaire", any_resource),
        ),
        "/api/v1/fhir/{resource_type}/{resource_id}": _fhir_public(
            "fhirRead",
            "A public resource by id",
            [_RESOURCE_TYPE, _RESOURCE_ID],
            ("The resource", any_resource),
        ),
        "/api/v1/fhir/{resource_type}/{resource_id}/_history/{version_id}": _fhir_public(
            "fhirVread",
            "A version of a public resource (every Questionnaire version a saved response cites)",
            [_RESOURCE_TYPE, _RESOURCE_ID, _path("version_id", "The version, e.g. 2026.12.3", _FHIR_ID)],
            ("The resource", any_resource),
        ),
        "/api/v1/fhir/assessments/{reference}": {
            "get": {
                "operationId": "fhirAssessment",
                "summary": (
                    "A saved assessment as a FHIR Bundle (collection): QuestionnaireResponse, "
                    "RiskAssessment and any call-back's ServiceRequest. Every read is audited. An API "
                    "key reads only the assessments it saved, unless it was made with the read scope."
                ),
                "tags": ["FHIR R4"],
                "security": [{"apiKey": []}, {"staffSession": []}],
                "parameters": [
                    {
                        "name": "reference",
                        "in": "path",
                        "required": True,
                        "description": "The assessment's reference code, e.g. K7QX-3M9P",
                        "schema": {"type": "string", "pattern": "^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$"},
                    }
                ],
                "responses": {
                    "200": _fhir("The Bundle", "Bundle"),
                    "401": _fhir_error("No API key or staff session, or a key that is unknown or revoked"),
                    "404": _fhir_error("No record has this reference code, or none this API key may read"),
                    "429": _error(
                        "Too many requests with this key, too many refused (401) from this address, or "
                        "too many reference codes not found with this staff session; try again later"
                    ),
                    "503": _fhir_error("The records cannot be read now"),
                },
            }
        },
    }
