"""FHIR R4 in application/fhir+json: the Questionnaire (in English, or Greek with `?_language=el` or
`Accept-Language: el`), the CodeSystems, ValueSets and the levels' ConceptMap (public), and a saved
assessment as a Bundle (with an API key, or a staff session whose role reads records; every read
audited). The resources are made by triage/fhir; errors are OperationOutcomes.

An API key reads only the assessments it saved, unless it has the read scope; a record it may not
read gets the answer a reference without a record gets (404), so a key cannot learn which exist.
Refused requests (401: a wrong key, or neither key nor session) count against the address's API
limit; misses with a staff session count against that member of staff's look-ups
(triage/staff/lookups.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from triage.api import bp
from triage.api.keys import Caller, KeyRefused, caller
from triage.api.views import key_of_request
from triage.extensions import limiter, rules
from triage.fhir import (
    FHIR_JSON,
    LEVELS_TO_INFERMEDICA_ID,
    SERVED_LANGUAGES,
    assessment_bundle,
    levels_to_infermedica,
    questionnaire,
    resource,
)
from triage.staff.auth import STAFF, OfflineStaff, staff_reader
from triage.staff.lookups import missed, staff_lookups
from triage.storage import repository
from triage.storage.codes import Action
from triage.storage.models import Assessment
from triage.storage.repository import StorageUnavailable
from triage.web.limits import setting
from triage.web.templating import practice_details

#: Who the audit trail names for a read with an API key (the key's own name is in its detail).
API_KEY_READER = "api-key"


@dataclass(frozen=True)
class Reader:
    """Who reads a record: a member of staff, or a client with an API key (`key`)."""

    username: str
    detail: str | None = None
    key: Caller | None = None

    def may_read(self, record: Assessment) -> bool:
        """Staff read every record; a key, those its scope allows."""
        return self.key is None or self.key.may_read(record)


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


def served_language() -> str:
    """The language asked for: `_language`, else the best of Accept-Language, else English.

    A language the Questionnaire is not written in gets it in English, its primary language.
    """
    asked = request.args.get("_language")
    if asked is not None:
        return asked if asked in SERVED_LANGUAGES else SERVED_LANGUAGES[0]
    return request.accept_languages.best_match(SERVED_LANGUAGES) or SERVED_LANGUAGES[0]


@bp.get("/fhir/Questionnaire")
def fhir_questionnaire() -> ResponseReturnValue:
    """The Questionnaire generated from the answers contract, with the practice's urgent advice; its
    version is the rules version, its language the one asked for (English or Greek)."""
    lang = served_language()
    headers = {"Content-Language": lang, "Vary": "Accept-Language"}
    return fhir_response(questionnaire(rules.current, lang, practice_details), headers=headers)


@bp.get("/fhir/CodeSystem/<resource_id>")
def fhir_code_system(resource_id: str) -> ResponseReturnValue:
    """A CodeSystem: the levels, the rules, the call-back times, or the answers of a question."""
    return _public("CodeSystem", resource_id)


@bp.get("/fhir/ValueSet/<resource_id>")
def fhir_value_set(resource_id: str) -> ResponseReturnValue:
    """A ValueSet: the answers of a question."""
    return _public("ValueSet", resource_id)


def _public(resource_type: str, resource_id: str) -> Response:
    found = resource(rules.current, resource_type, resource_id, values=practice_details)
    if found is None:
        message = _("There is no %(type)s with the id %(id)s.", type=resource_type, id=resource_id[:64])
        return operation_outcome(404, "not-found", message)
    return fhir_response(found)


@bp.get(f"/fhir/ConceptMap/{LEVELS_TO_INFERMEDICA_ID}")
def fhir_levels_to_infermedica() -> ResponseReturnValue:
    """The ConceptMap from the five levels to Infermedica's triage levels."""
    return fhir_response(levels_to_infermedica(rules.current))


def _refused(response: Response) -> bool:
    """A request refused for its credentials: a wrong key, or neither key nor staff session."""
    return response.status_code == 401


def _with_key() -> bool:
    """Whether the request names a key (then it is read as the key's, never as a staff session's)."""
    return bool(request.headers.get("Authorization"))


@bp.get("/fhir/assessments/<reference>")
@limiter.limit(setting("RATELIMIT_API_ADDRESS"), deduct_when=_refused)  # per address: the refused
@limiter.limit(setting("RATELIMIT_API_KEY"), key_func=key_of_request, exempt_when=lambda: not _with_key())
@staff_lookups(exempt_when=_with_key)
def fhir_assessment(reference: str) -> ResponseReturnValue:
    """A saved assessment as a Bundle: 401 without an API key or a staff session, 404 for no such
    record or one the key may not read, 503 when the records cannot be read."""
    try:
        reader = _reader()
        if reader is None:
            return _unauthorised(_("Send an API key as: Bearer KEY, or log in to the staff area first."))
        found = repository.find_assessment(reference)
        if found is None or not reader.may_read(found):
            _audit_miss(reader, reference, found)
            message = _("No record has the reference code %(code)s.", code=reference.strip()[:20])
            return operation_outcome(404, "not-found", message)
        ruleset = rules.current
        bundle = assessment_bundle(found, ruleset, practice_details)
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

    Raises KeyRefused for an Authorization header that names no active key, and StorageUnavailable
    when the keys, or the logged-in member of staff's account, cannot be read.
    """
    sender = caller(request.headers.get("Authorization"))
    if sender.key_name is not None:
        return Reader(API_KEY_READER, f"API key {sender.key_name}", sender)
    if isinstance(current_user, OfflineStaff):  # logged in, but the accounts cannot be checked now
        raise StorageUnavailable("staff accounts")
    username = staff_reader(*STAFF)
    return None if username is None else Reader(username)


def _audit_miss(reader: Reader, reference: str, found: Assessment | None) -> None:
    """A reference that found no record this reader may read, in the audit trail."""
    if found is not None:  # a key asking for a record it did not save
        repository.audit(reader.username, Action.READ_REFUSED, target=found.reference, detail=reader.detail)
    else:
        missed(reader.username, reference, detail=reader.detail)


def _unauthorised(message: str) -> Response:
    return operation_outcome(401, "login", message, {"WWW-Authenticate": 'Bearer realm="api"'})
