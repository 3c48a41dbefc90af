"""Findings 9 and 10 (redirects): every `next` parameter, the patient's and the staff's, goes through
one check (triage/web/redirects.py) and sends the browser to a path on this site or to the page's
default, never to another site and never to a server error: known open-redirect payloads against
`/keep-answers`, `/staff/still-here` and the login."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.staff import RECEPTION, login, through_mfa
from triage.web.redirects import same_site_path

#: Open-redirect payloads as scanners and write-ups list them: schemes, protocol-relative addresses,
#: backslashes (browsers read them as slashes), tabs and newlines (browsers drop them, so `/\t/x`
#: becomes `//x`; a CR/LF would also split the Location header), and each hidden by percent-encoding.
PAYLOADS = [
    "https://evil.example",
    "http:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example",
    "///evil.example",
    "////evil.example/",
    "//evil.example/%2F..",
    "//evil.example@example.org",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "%2F%2Fevil.example",
    "/\r\nLocation: https://evil.example",
    "/\r\nSet-Cookie: planted=1",
    "/%0d%0aSet-Cookie:%20planted=1",
    "/\x00/evil.example",
    "/\u3002evil.example",
    "/\uff0f/evil.example",
    "/" + "a" * 5000,
]
#: Tricks that survive the staff area's prefix, which the staff check also requires.
STAFF_PAYLOADS = [
    *PAYLOADS,
    "/staff/\t/evil.example",
    "/staff/\\evil.example",
    "/staff/%5C%5Cevil.example",
    "/staff/%09/evil.example",
    "/staff/\r\nLocation: https://evil.example",
    "/staff/%0d%0aSet-Cookie:%20planted=1",
    "/staff/\x00",
    "/staff/" + "a" * 5000,
]


def short(payload: str) -> str:
    """A test id for a payload: its first 40 characters, escaped."""
    return repr(payload[:40])


def lands_on_this_site(location: str) -> bool:
    """Whether a browser following this Location stays on the site: it drops tabs and newlines
    and reads backslashes as slashes before resolving the address against the page's."""
    as_read = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    resolved = urlsplit(urljoin("http://localhost/page", as_read))
    return resolved.scheme == "http" and resolved.netloc == "localhost"


# --- the one check ---------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", STAFF_PAYLOADS, ids=short)
def test_the_check_refuses_every_payload(payload: str) -> None:
    assert same_site_path(payload) is None
    assert same_site_path(payload, within="/staff/") is None


@pytest.mark.parametrize(
    ("target", "within"),
    [
        ("/", "/"),
        ("/check-answers", "/"),
        ("/questions/pain?returning=check", "/"),
        ("/staff/", "/staff/"),
        ("/staff/?level=urgent&show=all", "/staff/"),
        ("/staff/assessments/K7QX-3M9P", "/staff/"),
    ],
)
def test_the_check_keeps_this_sites_own_paths(target: str, within: str) -> None:
    assert same_site_path(target, within=within) == target


@pytest.mark.parametrize("target", ["/", "/check-answers", "/staff"])
def test_a_staff_target_must_be_inside_the_staff_area(target: str) -> None:
    assert same_site_path(target, within="/staff/") is None


# --- every endpoint that takes `next` ---------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=short)
def test_keep_answers_sends_every_payload_to_the_start(client: FlaskClient, payload: str) -> None:
    response = client.post("/keep-answers", data={"next": payload})
    assert (response.status_code, response.location) == (302, "/")


def test_keep_answers_goes_back_to_the_page_it_was_asked_from(client: FlaskClient) -> None:
    response = client.post("/keep-answers", data={"next": "/questions/pain?returning=check"})
    # Back to the time limit's notice on that page, where the person pressed "more time".
    assert (response.status_code, response.location) == (302, "/questions/pain?returning=check#idle-title")


@pytest.fixture
def reception(app: Flask) -> FlaskClient:
    """A receptionist's browser, logged in."""
    client = app.test_client()
    login(client, RECEPTION)
    return client


@pytest.mark.parametrize("payload", STAFF_PAYLOADS, ids=short)
def test_still_here_sends_every_payload_to_the_queue(reception: FlaskClient, payload: str) -> None:
    response = reception.post("/staff/still-here", data={"next": payload})
    assert (response.status_code, response.location) == (302, "/staff/")


def test_still_here_goes_back_to_the_staff_page_it_was_asked_from(reception: FlaskClient) -> None:
    response = reception.post("/staff/still-here", data={"next": "/staff/?level=urgent"})
    assert (response.status_code, response.location) == (302, "/staff/?level=urgent")


@pytest.mark.parametrize("payload", STAFF_PAYLOADS, ids=short)
def test_logging_in_sends_every_payload_to_the_queue(app: Flask, payload: str) -> None:
    client = app.test_client()
    response = client.post(
        "/staff/login",
        query_string={"next": payload},
        data={"username": RECEPTION.username, "password": RECEPTION.password},
    )
    assert response.status_code == 302
    onward = through_mfa(client, RECEPTION.username, response)
    assert onward == "/staff/"
    assert lands_on_this_site(onward)


def test_logging_in_goes_on_to_the_staff_page_asked_for(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/staff/login",
        query_string={"next": "/staff/dashboard?weeks=12"},
        data={"username": RECEPTION.username, "password": RECEPTION.password},
    )
    assert through_mfa(client, RECEPTION.username, response) == "/staff/dashboard?weeks=12"
