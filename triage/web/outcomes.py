"""FHIR's answers over HTTP: a resource as application/fhir+json, and an error as an OperationOutcome
(every error under /api/v1/fhir/, the app's error handler included: triage/web/errors.py)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from triage.fhir import FHIR_JSON

#: Where the FHIR interface lives (below the API's own prefix).
FHIR_PATH = "/api/v1/fhir/"
#: FHIR's issue type for each error status the interface answers.
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    429: "throttled",
    503: "transient",
}
MESSAGES = {
    404: _l("There is no such address in this FHIR server."),
    405: _l("This address does not take that method."),
    429: _l("Too many requests from this address or with this key. Wait a minute, then try again."),
    500: _l("Something went wrong on our side. Nothing was saved."),
}


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


def is_fhir_request() -> bool:
    """Whether the request is for the FHIR interface."""
    return request.path.startswith(FHIR_PATH)


def error_outcome(error: HTTPException) -> Response:
    """An HTTP error under the FHIR interface as an OperationOutcome, with the error's own headers
    (Allow on a 405, Retry-After on a 429)."""
    code = error.code or 500
    own = error.description != type(error).description and code != 429  # a limit's text is its limit
    message = str(error.description if own else MESSAGES.get(code, error.name))
    if code == 413 and request.max_content_length:  # the limit of this address (the SDC operations': 64 KB)
        message = _("The body is larger than %(size)s KB.", size=request.max_content_length // 1024)
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return operation_outcome(code, ISSUE_TYPES.get(code, "exception"), message, headers)
