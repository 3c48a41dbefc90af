"""Finding 5: every response carries the security headers; pages and files holding answers or
records are never stored; the session cookie is Secure with a __Host- name outside development."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE
from tests.support.flow import FLOW
from tests.support.journeys import page_url, prime
from tests.support.records import save
from tests.support.staff import ADMIN, login
from triage.config import from_environment
from triage.web.assets import FOREVER
from triage.web.headers import CONTENT_SECURITY_POLICY, HEADERS, STRICT_TRANSPORT_SECURITY

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
PAGES = ["/", "/rules", "/questions/emergency-screen", "/staff/login", "/api/v1/questions", "/no-such-page"]


def policy(response_headers: dict[str, str]) -> dict[str, str]:
    """The Content-Security-Policy's directives, by name."""
    parts = response_headers["Content-Security-Policy"].split(";")
    return dict(part.strip().split(" ", 1) for part in parts)


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    headers = dict(client.get(path).headers)
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, name
    assert "camera=()" in headers["Permissions-Policy"]
    directives = policy(headers)
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/questions/emergency-screen", "/staff/login", "/api/v1/questions"])
def test_pages_are_never_stored_by_a_browser_or_proxy(client: FlaskClient, path: str) -> None:
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_the_result_page_with_the_answers_is_never_stored(client: FlaskClient) -> None:
    prime(client, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"], submitted=True)
    response = client.get("/result")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_record_and_the_export_are_never_stored(app: Flask, client: FlaskClient) -> None:
    reference = save(app, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"])
    login(client, ADMIN)
    for path in (f"/staff/assessments/{reference}", "/staff/export.csv", "/staff/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_the_style_sheet_may_be_cached(client: FlaskClient) -> None:
    with client.get("/static/css/main.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")


def with_own_headers(app: Flask, own: list[tuple[str, str]]) -> FlaskClient:
    """A browser on the app given a view at /own that answers with these headers of its own."""
    app.add_url_rule("/own", "own", lambda: Response("page", headers=own))
    return app.test_client()


def test_a_views_own_header_is_kept_and_validators_are_dropped_from_a_page(app: Flask) -> None:
    own = [
        ("X-Frame-Options", "SAMEORIGIN"),
        ("ETag", '"abc"'),
        ("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT"),
        ("Expires", "Tue, 01 Dec 2026 10:00:00 GMT"),
        ("Cache-Control", "public, max-age=60"),
        ("Content-Type", "text/html"),
    ]
    headers = with_own_headers(app, own).get("/own", base_url="https://triage.example").headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]  # the view's own, once
    for name in HEADERS:
        assert len(headers.getlist(name)) == 1, name
    assert headers.getlist("Strict-Transport-Security") == [STRICT_TRANSPORT_SECURITY]
    assert headers.getlist("Cache-Control") == ["no-store"]
    assert "ETag" not in headers and "Last-Modified" not in headers and "Expires" not in headers
    assert headers["Content-Type"] == "text/html"


def test_a_fingerprinted_static_file_keeps_its_caching_and_plain_http_has_no_hsts(
    client: FlaskClient,
) -> None:
    (address,) = re.findall(r'href="(/static/css/main\.css\?v=[^"]+)"', client.get("/").text)
    with client.get(address) as response:
        assert response.status_code == 200
        assert response.headers.getlist("Cache-Control") == [FOREVER]
        assert "ETag" in response.headers
        assert "Strict-Transport-Security" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_static_file_that_does_not_exist_is_never_stored(client: FlaskClient) -> None:
    response = client.get("/static/css/no-such-file.css")
    assert response.status_code == 404
    assert response.headers.getlist("Cache-Control") == ["no-store"]


def test_an_answer_from_no_view_is_never_stored(client: FlaskClient) -> None:
    """A request the app did not route (here a method the address does not take) has no view."""
    response = client.post("/static/css/main.css")
    assert response.status_code == 405
    assert response.headers.getlist("Cache-Control") == ["no-store"]
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_an_expired_form_and_a_throttled_request_carry_the_headers(
    make_app: Callable[..., Flask], database: Path
) -> None:
    expired = make_app(database, csrf=True).test_client().post("/staff/login", data={"username": "x"})
    throttled_client = make_app(database, RATELIMIT_PATIENT_PAGES="1 per minute").test_client()
    prime(throttled_client, {}, submitted=False)
    first = page_url(FLOW.pages[0])
    throttled = [throttled_client.post(first, data={}) for _ in range(2)][-1]
    assert (expired.status_code, throttled.status_code) == (400, 429)
    for response in (expired, throttled):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_server_error_page_carries_the_headers(app: Flask) -> None:
    def broken() -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", "broken", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as deployed: a page, not the traceback
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_page_that_does_not_exist_is_never_stored(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    over_https = client.get("/", base_url="https://triage.example")
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_page_has_inline_script_or_style(client: FlaskClient) -> None:
    prime(client, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"], submitted=True)
    for path in ("/", "/rules", "/questions/emergency-screen", "/check-answers", "/result", "/staff/login"):
        page = client.get(path).text
        assert "<style" not in page, path
        assert " style=" not in page, path
        assert "<script>" not in page and "<script type" not in page, path
        assert " onclick=" not in page and " onload=" not in page, path


# --- the session cookie --------------------------------------------------------------------------


def session_cookie(response_headers: list[str]) -> str:
    """The Set-Cookie header of the session."""
    (cookie,) = [header for header in response_headers if "session=" in header]
    return cookie


def test_outside_development_the_session_cookie_is_secure_with_a_host_prefix(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, TESTING=False)
    cookie = session_cookie(app.test_client().get("/?lang=el").headers.getlist("Set-Cookie"))
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "Path=/" in cookie
    assert "Domain=" not in cookie


def test_development_over_plain_http_can_turn_secure_off_explicitly(
    make_app: Callable[..., Flask], database: Path
) -> None:
    assert from_environment({"SESSION_COOKIE_SECURE": "false"})["SESSION_COOKIE_SECURE"] is False
    app = make_app(database, TESTING=False, SESSION_COOKIE_SECURE=False)
    cookie = session_cookie(app.test_client().get("/?lang=el").headers.getlist("Set-Cookie"))
    assert cookie.startswith("session=")
    assert "Secure" not in cookie


def test_the_test_apps_serve_plain_http(client: FlaskClient) -> None:
    cookie = session_cookie(client.get("/?lang=el").headers.getlist("Set-Cookie"))
    assert "Secure" not in cookie
