"""Security headers on every response, and the session cookie's name and flags.

One `after_request` function, no extension: the policy is short, and every page uses only the
project's own script and style sheet (no inline script or style, no external asset), so the policy
can be strict. Flask runs it for every answer the app makes: a view's, an error page's (404, 405,
429, an expired form's, a 500's). Pages and files that may hold answers or records are never
stored by a browser or proxy.

Views marked `@cross_origin` (public, non-personal resources, and the FHIR operations other software
calls from a web page) may be read by a page of any origin: CORS with `*` (never with credentials:
a key is sent as an Authorization header, which a page names in its preflight), preflight requests
answered, and `Cross-Origin-Resource-Policy: cross-origin`. `@cross_origin(cacheable=True)` also
keeps the view's own caching headers and validators (ETag, Cache-Control): only for resources that
hold nothing about anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request

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
#: What would let a cache keep or revalidate a page that must not be stored.
NOT_STORED = ("Cache-Control", "Expires", "Last-Modified", "ETag")
#: The headers a page on another origin may send to a cross-origin view (Accept, Accept-Language
#: and Content-Type of any value; Authorization for an API key; If-None-Match to revalidate).
CORS_REQUEST_HEADERS = "Accept, Accept-Language, Authorization, Content-Type, If-None-Match, Prefer"
#: The response headers such a page may read beyond the CORS-safelisted ones.
CORS_EXPOSED_HEADERS = "ETag, Location, Content-Location"
#: How long a browser may keep a preflight's answer, in seconds.
CORS_MAX_AGE = "600"
#: The attribute that marks a view as `cross_origin`: its value says whether it may be cached.
_CROSS_ORIGIN = "triage_cross_origin"
#: The session cookie's name where it is Secure: only sent over HTTPS, for this host, for every path.
SECURE_COOKIE_NAME = "__Host-session"


View = TypeVar("View", bound=Callable[..., object])


def cross_origin(*, cacheable: bool = False) -> Callable[[View], View]:
    """Mark a view whose answers a page on any origin may read (see the module's docstring); put it
    under the route decorator. Never for a view that reads records."""

    def mark(view: View) -> View:
        setattr(view, _CROSS_ORIGIN, cacheable)
        return view

    return mark


def init_app(app: Flask) -> None:
    """Add the security headers to every response, and name and flag the session cookie."""
    configure_session_cookie(app)
    app.after_request(add_security_headers)


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


def add_security_headers(response: Response) -> Response:
    """The headers every response carries (a view's own value kept); no-store, without validators,
    on everything but the static files found and served (an error, even for a static file's
    address, and a request the app did not route: no-store too). Over HTTPS (as the app sees it,
    after the proxy's headers), Strict-Transport-Security."""
    headers = response.headers
    cacheable = _cross_origin_view()
    if cacheable is not None:
        _add_cors_headers(response)
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    kept = request.endpoint in CACHEABLE_ENDPOINTS or cacheable is True
    if not kept or response.status_code >= 400:
        for name in NOT_STORED:  # the view's own caching headers and validators go
            headers.remove(name)
        headers["Cache-Control"] = "no-store"
    return response


def _cross_origin_view() -> bool | None:
    """For a request routed to a `cross_origin` view, whether it may be cached; otherwise None."""
    view = current_app.view_functions.get(request.endpoint or "")
    marked = getattr(view, _CROSS_ORIGIN, None)
    return marked if isinstance(marked, bool) else None


def _add_cors_headers(response: Response) -> None:
    """CORS for any origin, without credentials; a preflight (OPTIONS) learns the route's methods."""
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    if request.method == "OPTIONS" and request.url_rule is not None:
        headers["Access-Control-Allow-Methods"] = ", ".join(sorted(request.url_rule.methods or ()))
        headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
        headers["Access-Control-Max-Age"] = CORS_MAX_AGE
