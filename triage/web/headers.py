"""Security headers on every response, and the session cookie's name and flags.

One `after_request` function, no extension: the policy is short, and every page uses only the
project's own script and style sheet (no inline script or style, no external asset), so the policy
can be strict. Flask runs it for every answer the app makes: a view's, an error page's (404, 405,
429, an expired form's, a 500's). Pages and files that may hold answers or records are never
stored by a browser or proxy.
"""

from __future__ import annotations

from flask import Flask, Response, request

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
#: The session cookie's name where it is Secure: only sent over HTTPS, for this host, for every path.
SECURE_COOKIE_NAME = "__Host-session"


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
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if request.endpoint not in CACHEABLE_ENDPOINTS or response.status_code >= 400:
        for name in NOT_STORED:  # the view's own caching headers and validators go
            headers.remove(name)
        headers["Cache-Control"] = "no-store"
    return response
