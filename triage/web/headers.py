"""Security headers on every response, and the session cookie's name and flags.

One WSGI middleware, no extension: the policy is short, and every page uses only the project's
own script and style sheet (no inline script or style, no external asset), so the policy can be
strict. Pages and files that may hold answers or records are never stored by a browser or proxy.
The headers are added to the plain list of the answer as it leaves the app, whatever made it (a
view, an error page, Flask itself), rather than one by one to Flask's response object: that cost
more than a fifth of a JSON answer's own time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask

from triage.ops.serving import ENDPOINT

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: The project's own files only; nothing inline, no frames, forms post only back to this site.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
#: No powerful browser feature is used by any page.
_UNUSED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in _UNUSED_FEATURES)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
#: Two years, as the HSTS preload list asks; sent only on responses served over HTTPS.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"
#: Responses a browser may keep: the project's static files, which hold nothing about anyone.
CACHEABLE_ENDPOINTS = frozenset({"static", "patient.favicon"})
#: The session cookie's name where it is Secure: only sent over HTTPS, for this host, for every path.
SECURE_COOKIE_NAME = "__Host-session"


def init_app(app: Flask) -> None:
    """Add the security headers to every response, and name and flag the session cookie."""
    configure_session_cookie(app)
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]


def configure_session_cookie(app: Flask) -> None:
    """Secure (with a `__Host-` name) unless the app runs for development or tests, or it is turned off.

    Development (`flask run --debug`, `make run`) and tests serve plain http://127.0.0.1, where a
    browser would not send a Secure cookie back; SESSION_COOKIE_SECURE=false says so explicitly.
    """
    if app.config.get("SESSION_COOKIE_SECURE") is None:  # not set: decided by how the app runs
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    if app.config["SESSION_COOKIE_SECURE"]:
        if app.config["SESSION_COOKIE_NAME"] == "session":  # Flask's default: not chosen by a deployment
            app.config["SESSION_COOKIE_NAME"] = SECURE_COOKIE_NAME
        app.config["SESSION_COOKIE_PATH"] = "/"  # a __Host- cookie is for every path, and names no domain


class SecurityHeaders:
    """WSGI middleware: the headers every response carries (a view's own value kept); no-store on
    everything but the static files, whose validators a page must not have either. Over HTTPS (as
    the app sees it, after the proxy's headers), Strict-Transport-Security too."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve the request; add the headers as its answer starts."""

        def starting(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, secured(headers, environ), exc_info)

        return self.app(environ, starting)


def secured(headers: list[tuple[str, str]], environ: WSGIEnvironment) -> list[tuple[str, str]]:
    """The answer's headers with the security headers it lacks; no-store unless it is a static file
    (the endpoint is the one the app set in the environment: none for a request it did not route)."""
    present = {name.lower() for name, _value in headers}
    added = [header for header in _FIXED if header[0].lower() not in present]
    if environ.get("wsgi.url_scheme") == "https" and "strict-transport-security" not in present:
        added.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
    if environ.get(ENDPOINT) not in CACHEABLE_ENDPOINTS:
        if present & _NOT_STORED:  # the view's own caching headers and validators go
            headers = [header for header in headers if header[0].lower() not in _NOT_STORED]
        added.append(("Cache-Control", "no-store"))
    return [*headers, *added]


_FIXED = tuple(HEADERS.items())
#: What would let a cache keep or revalidate a page that must not be stored.
_NOT_STORED = frozenset({"cache-control", "expires", "last-modified", "etag"})
