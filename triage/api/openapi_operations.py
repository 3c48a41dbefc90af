"""The FHIR SDC operations in the OpenAPI document (triage/api/fhir_operations.py)."""

from __future__ import annotations

from typing import Any

from triage.fhir import FHIR_JSON
from triage.fhir.common import QUESTIONNAIRE_ID


def _resource(*resource_types: str) -> dict[str, Any]:
    """A FHIR resource of one of these types (its full shape is FHIR R4's, checked by the tests)."""
    return {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"enum": list(resource_types)}},
    }


def _answer(description: str, *resource_types: str) -> dict[str, Any]:
    return {"description": description, "content": {FHIR_JSON: {"schema": _resource(*resource_types)}}}


def _error(description: str) -> dict[str, Any]:
    return _answer(description, "OperationOutcome")


def _operation(operation_id: str, summary: str, ok: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["FHIR R4"],
            "requestBody": {
                "required": True,
                "content": {FHIR_JSON: {"schema": _resource("QuestionnaireResponse", "Parameters")}},
            },
            "responses": {
                "200": ok,
                "400": _error(
                    "Not JSON, or not one QuestionnaireResponse (as the resource or in Parameters)"
                ),
                "413": {"description": "The body is larger than 64 KB"},
                "415": _error("The body is not sent as FHIR JSON"),
                "422": _error("One issue per item whose answer the answers contract refuses"),
                "429": {"description": "Too many requests from this address or with this key"},
            },
            **more,
        }
    }


def operation_paths() -> dict[str, Any]:
    """SDC $extract and $next-question."""
    next_question = _operation(
        "fhirNextQuestion",
        (
            "SDC $next-question: the answers so far with the next page's items in a contained "
            "Questionnaire, the urgent advice first as soon as the warning signs need it, and the "
            "outcome with its RiskAssessment once every page is answered. Nothing is saved."
        ),
        _answer("The QuestionnaireResponse, in-progress or completed", "QuestionnaireResponse"),
    )
    extract = _operation(
        "fhirExtract",
        (
            "SDC $extract: a completed QuestionnaireResponse assessed, as the Bundle an export gives "
            "(Patient, QuestionnaireResponse, RiskAssessment). With an API key it is saved, and the "
            "Bundle's identifier is its reference code; without one nothing is stored."
        ),
        _answer("The Bundle (collection)", "Bundle"),
        security=[{}, {"apiKey": []}],
    )
    extract["post"]["responses"]["401"] = _error(
        "The API key is not one the practice issued, or it was revoked"
    )
    return {
        "/api/v1/fhir/QuestionnaireResponse/$extract": extract,
        "/api/v1/fhir/Questionnaire/$next-question": next_question,
        f"/api/v1/fhir/Questionnaire/{QUESTIONNAIRE_ID}/$next-question": {
            "post": {**next_question["post"], "operationId": "fhirNextQuestionById"}
        },
    }
