"""How the FHIR interface answers besides triage/web/outcomes.py: FHIR's JSON format only (406 for a
client that accepts only XML), and the public resources with an ETag made from their content,
revalidated by every cache (`If-None-Match` gets 304); the resource a FHIR POST sends, read once
for every operation (`resource_body`)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from triage.api import bp
from triage.fhir import FHIR_JSON
from triage.web.outcomes import fhir_response, is_fhir_request, operation_outcome

#: The formats a client may ask for: FHIR's JSON, or plain JSON (the same bytes).
JSON_TYPES = (FHIR_JSON, "application/json")
#: The public resources change only with a deployment: any cache may keep them, but must ask again
#: each time (a cheap 304 while the ETag holds), so a renderer never fills in a superseded form.
PUBLIC_CACHE_CONTROL = "public, no-cache"
#: The request headers that change a public resource's answer: the format and the language.
PUBLIC_VARY = "Accept, Accept-Language"


def public_response(resource: dict[str, Any]) -> Response:
    """A public resource: its ETag (a hash of the bytes served), 304 for a client that holds them."""
    response = fhir_response(resource)
    if "language" in resource:
        response.headers["Content-Language"] = resource["language"]
    response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response.headers["Vary"] = PUBLIC_VARY
    response.add_etag()
    response.make_conditional(request)  # 304 without a body when If-None-Match holds the ETag
    return response


@bp.before_request
def json_only() -> Response | None:
    """406 for a FHIR request whose Accept asks only for a format other than JSON."""
    if not is_fhir_request():
        return None
    if not request.accept_mimetypes or request.accept_mimetypes.best_match(JSON_TYPES) is not None:
        return None
    return operation_outcome(406, "not-supported", _("This server only answers in JSON."))


def resource_body() -> dict[str, Any]:
    """The resource a FHIR POST sends: 415 unless its Content-Type is JSON (application/fhir+json or
    application/json), 400 unless it is a JSON object with a resourceType; each an OperationOutcome."""
    if not request.is_json:  # application/json, or any application/*+json such as FHIR's
        abort(415, _("Send the body as JSON."))
    try:
        body = request.get_json()
    except (BadRequest, RecursionError):  # RecursionError: nested far deeper than any resource
        abort(400, _("The body is not valid JSON."))
    if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
        abort(400, _("The body is not a FHIR resource: a JSON object with a resourceType."))
    return body
