"""How requests reach the app: bodies bounded whatever their framing, and one log line a request
that never shows a path (a page's address can tell a health fact: /questions/cancer-details).
"""

from __future__ import annotations

import io
import logging
import re
import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, request
from werkzeug.serving import WSGIRequestHandler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: Set in the WSGI environment when a body without Content-Length was longer than the limit.
TOO_LARGE = "triage.body_too_large"
#: Set in the WSGI environment by the app: the endpoint that answered (logged by its name).
ENDPOINT = "triage.endpoint"
#: The request's id: from the reverse proxy's X-Request-ID when it looks like one, else made here.
REQUEST_ID = "triage.request_id"
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("triage.access")


class RequestLog:
    """WSGI middleware: one log line a request (id, method, endpoint, status, milliseconds, bytes),
    and the id sent back as X-Request-ID. Never the path, the query, the address or a header."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve the request, and log it as its answer starts (the app has made it by then)."""
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = environ[REQUEST_ID] = given if _GIVEN_ID.match(given) else uuid.uuid4().hex

        def starting(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if access_log.isEnabledFor(logging.INFO):  # the line is made only to be written
                access_log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": environ.get("REQUEST_METHOD"),
                        "endpoint": environ.get(ENDPOINT) or "-",
                        "status": int(status.split(" ", 1)[0]),
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "bytes": next((int(v) for k, v in headers if k.lower() == "content-length"), None),
                    },
                )
            return start_response(status, [*headers, ("X-Request-ID", request_id)], exc_info)

        return self.app(environ, starting)


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


class PrivateRequestHandler(WSGIRequestHandler):
    """The development server's request handler: it logs nothing of its own per request (its lines
    would show the path); the app's RequestLog line stands for each request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Nothing: see RequestLog."""


def init_app(app: Flask) -> None:
    """Bound request bodies of every framing; log each request in one line."""
    app.wsgi_app = BoundedBodies(app.wsgi_app, int(app.config["MAX_CONTENT_LENGTH"]))  # type: ignore[method-assign]
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(_refuse_too_large)


def _refuse_too_large() -> None:
    """413 for a body found too large before it reached the app; the endpoint for the access log."""
    request.environ[ENDPOINT] = request.endpoint or ""
    if request.environ.get(TOO_LARGE):
        abort(413)


def compile_templates(app: Flask) -> int:
    """Compile every template now; how many. run.py does it before gunicorn forks its workers
    (preload_app), so each worker starts with them compiled, a restarted one too (max_requests),
    instead of compiling each on its first request (tens of milliseconds for the first visitors)."""
    names = app.jinja_env.list_templates(extensions=["html"])
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
