"""FHIR R4 in application/fhir+json: the Questionnaire, the levels' CodeSystem and ConceptMap (public), and a
saved assessment as a Bundle (with an API key, or a staff session whose role reads records; every read
audited). The resources are made by triage/fhir; errors are OperationOutcomes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from triage.api import bp
from triage.api.keys import KeyRefused, caller
from triage.api.views import key_of_request
from triage.config import practice_values
from triage.extensions import counts_reads, limiter, rules, setting
from triage.fhir import (
    FHIR_JSON,
    LEVELS_ID,
    LEVELS_TO_INFERMEDICA_ID,
    assessment_bundle,
    levels_code_system,
    levels_to_infermedica,
    questionnaire,
)
from triage.staff.auth import STAFF, staff_reader
from triage.storage import repository
from triage.storage.codes import Action
from triage.storage.repository import StorageUnavailable

#: Who the audit trail names for a read with an API key (the key's own name is in its detail).
API_KEY_READER = "api-key"


@dataclass(frozen=True)
class Reader:
    """Who reads a record: a member of staff, or a client with an API key."""

    username: str
    detail: str | None = None


def fhir_response(
    resource: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A resource as application/fhir+json."""
    body = json.dumps(resource, ensure_ascii=False)
    return Response(body, status=status, mimetype=FHIR_JSON, headers=headers)


def operation_outcome(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An error as a FHIR OperationOutcome with one issue (`code` from FHIR's issue types)."""
    issue = {"severity": "error", "code": code, "diagnostics": message}
    return fhir_response({"resourceType": "OperationOutcome", "issue": [issue]}, status, headers)


@bp.get("/fhir/Questionnaire")
def fhir_questionnaire() -> ResponseReturnValue:
    """The Questionnaire generated from the answers contract; its version is the rules version."""
    return fhir_response(questionnaire(rules.current))


@bp.get(f"/fhir/CodeSystem/{LEVELS_ID}")
def fhir_levels() -> ResponseReturnValue:
    """The five urgency levels as a CodeSystem."""
    return fhir_response(levels_code_system(rules.current))


@bp.get(f"/fhir/ConceptMap/{LEVELS_TO_INFERMEDICA_ID}")
def fhir_levels_to_infermedica() -> ResponseReturnValue:
    """The ConceptMap from the five levels to Infermedica's triage levels."""
    return fhir_response(levels_to_infermedica(rules.current))


@bp.get("/fhir/assessments/<reference>")
@counts_reads
@limiter.limit(
    setting("RATELIMIT_API_KEY"),
    key_func=key_of_request,
    exempt_when=lambda: "Authorization" not in request.headers,
)
def fhir_assessment(reference: str) -> ResponseReturnValue:
    """A saved assessment as a Bundle: 401 without an API key or a staff session, 404 for no such record."""
    try:
        reader = _reader()
        if reader is None:
            return _unauthorised(_("Send an API key as: Bearer KEY, or log in to the staff area first."))
        found = repository.find_assessment(reference)
        if found is None:
            message = _("No record has the reference code %(code)s.", code=reference.strip()[:20])
            return operation_outcome(404, "not-found", message)
        ruleset = rules.current
        bundle = assessment_bundle(found, ruleset, lambda lang: practice_values(current_app.config, lang))
        repository.audit(reader.username, Action.FHIR_EXPORT, target=found.reference, detail=reader.detail)
    except KeyRefused:
        return _unauthorised(
            _("This API key is not valid: it is unknown or was revoked. Send it as: Bearer KEY.")
        )
    except StorageUnavailable:
        return operation_outcome(503, "transient", _("The records are unavailable"))
    return fhir_response(bundle)


def _reader() -> Reader | None:
    """Who is reading: the API key's client, else the logged-in member of staff, else nobody.

    Raises KeyRefused for an Authorization header that names no active key.
    """
    sender = caller(request.headers.get("Authorization"))
    if sender.key_name is not None:
        return Reader(API_KEY_READER, f"API key {sender.key_name}")
    username = staff_reader(*STAFF)
    return None if username is None else Reader(username)


def _unauthorised(message: str) -> Response:
    return operation_outcome(401, "login", message, {"WWW-Authenticate": 'Bearer realm="api"'})
