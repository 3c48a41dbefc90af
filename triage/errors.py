"""Error responses: JSON under /api/, a plain page elsewhere; never a traceback."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
API_MESSAGES = {
    404: "There is no such address in this API.",
    405: "This address does not take that method.",
    413: "The body is larger than 16 KB; one set of answers is far smaller.",
}


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    """Answer an HTTP error in the form the client asked for."""
    code = error.code or 500
    if request.path.startswith(API_PREFIX):
        default = type(error).description
        message = error.description if error.description != default else API_MESSAGES.get(code, error.name)
        return {"errors": {"request": message}}, code
    return render_template("error.html", error=error), code
