"""A saved assessment as a FHIR Bundle (with an API key, or a staff session whose role reads records;
every read audited); never readable from another origin. The Bundle is made by triage/fhir.

An API key reads only the assessments it saved, unless it has the read scope; a record it may not
read gets the answer a reference without a record gets (404), so a key cannot learn which exist.
Refused requests (401: a wrong key, or neither key nor session) count against the address's API
limit; misses with a staff session count against that member of staff's look-ups
(triage/staff/lookups.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from triage.api import bp
from triage.api.keys import Caller, KeyRefused, caller
from triage.api.views import key_of_request
from triage.extensions import limiter, rules
from triage.fhir import assessment_bundle
from triage.staff.auth import STAFF, OfflineStaff, staff_reader
from triage.staff.lookups import missed, staff_lookups
from triage.storage import repository
from triage.storage.codes import Action
from triage.storage.models import Assessment
from triage.storage.repository import StorageUnavailable
from triage.web.limits import setting
from triage.web.outcomes import fhir_response, operation_outcome
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
