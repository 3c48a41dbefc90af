"""Error responses: an OperationOutcome under /api/v1/fhir/, JSON elsewhere under /api/, a plain page
elsewhere; never a traceback."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from triage.web.outcomes import error_outcome, is_fhir_request

API_PREFIX = "/api/"
API_MESSAGES = {
    404: _l("There is no such address in this API."),
    405: _l("This address does not take that method."),
    413: _l("The body is larger than 16 KB; one set of answers is far smaller."),
    429: _l("Too many requests from this address or with this key. Wait a minute, then try again."),
    500: _l("Something went wrong on our side. Nothing was saved."),
}


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    """Answer an HTTP error in the form the client asked for."""
    code = error.code or 500
    if is_fhir_request():
        return error_outcome(error)
    if request.path.startswith(API_PREFIX):
        default = type(error).description
        own = error.description != default and code != 429  # a rate limit's own text is its limit
        message = error.description if own else API_MESSAGES.get(code, error.name)
        return {"errors": {"request": str(message)}}, code, _extra_headers(error)
    return render_template("error.html", error=error), code, _extra_headers(error)


def _extra_headers(error: HTTPException) -> list[tuple[str, str]]:
    """Headers the error carries (such as Allow on a 405), less its own content type."""
    return [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    """A form sent with an expired or missing token, outside any blueprint that handles it itself."""
    return csrf_expired_page(request.script_root + "/")


def csrf_expired_page(fallback: str) -> ResponseReturnValue:
    """The page for an expired form: the way back is the same page where it can be reopened."""
    rule = request.url_rule
    reopens = rule is not None and "GET" in (rule.methods or ())
    back = request.full_path.rstrip("?") if reopens else fallback
    return render_template("csrf_expired.html", back=back), 400
