"""How requests reach the app: bodies bounded whatever their framing, and access-log lines that
never show a path (a page's address can tell a health fact: /questions/cancer-details).
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, request
from werkzeug.serving import WSGIRequestHandler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: Set in the WSGI environment when a body without Content-Length was longer than the limit.
TOO_LARGE = "triage.body_too_large"
#: Set in the WSGI environment by the app: the endpoint that answered (its blueprint is logged).
ENDPOINT = "triage.endpoint"
access_log = logging.getLogger("triage.access")


class BoundedBodies:
    """WSGI middleware: a body sent without Content-Length (chunked) is read up to the limit.

    Without it, a server that does not end the stream itself gives the app an empty body (a
    silent 400), and one that does cuts it at the limit. Read here, a body over the limit is
    marked too large (the app answers 413), and one within it is given a Content-Length.
    """

    def __init__(self, app: WSGIApplication, max_length: int) -> None:
        self.app = app
        self.max_length = max_length

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Pass the request on, its body (if it has no length) read and bounded first."""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            body = _read_at_most(environ["wsgi.input"], self.max_length + 1)
            if len(body) > self.max_length:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING")  # read whole: now a body of known length
            environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)


def _read_at_most(stream: Any, limit: int) -> bytes:
    parts, left = [], limit
    while left > 0:
        part = stream.read(min(left, 64 * 1024))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def path_digest(path: str) -> str:
    """A short hash that tells requests for the same address apart without naming it."""
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:12]


class PrivateRequestHandler(WSGIRequestHandler):
    """The development server's request handler: logs the method, the blueprint that answered and
    a hash of the path, the status and the size; never the path, the endpoint's name (it can be as
    telling: urgent_advice) or the query string."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One access-log line without the address."""
        environ = getattr(self, "environ", {})
        path = str(getattr(self, "path", "")).split("?", 1)[0]
        area = str(environ.get(ENDPOINT) or "-").split(".", 1)[0]
        method = getattr(self, "command", "-")
        self.log("info", '"%s %s path#%s" %s %s', method, area, path_digest(path), code, size)


def init_app(app: Flask) -> None:
    """Bound request bodies of every framing; note each request's endpoint for the access log."""
    app.wsgi_app = BoundedBodies(app.wsgi_app, int(app.config["MAX_CONTENT_LENGTH"]))  # type: ignore[method-assign]
    app.before_request(_refuse_too_large)


def _refuse_too_large() -> None:
    """413 for a body found too large before it reached the app; the endpoint for the access log."""
    request.environ[ENDPOINT] = request.endpoint or ""
    if request.environ.get(TOO_LARGE):
        abort(413)
