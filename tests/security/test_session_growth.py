"""Finding 12 (session growth): the session cookie stays under the 4 KB a browser keeps whatever
sequence of requests is sent. A message flashed again and again is kept once, a session keeps a
few flashed messages at most, and a session that would still not fit loses its largest values
first (triage/web/sessions.py)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE
from tests.support.journeys import prime
from tests.support.markup import parse
from tests.support.staff import ADMIN, RECEPTION, login
from triage.web.sessions import LIST_ITEMS, MAX_COOKIE_BYTES, BoundedSession, EncryptedSerializer

ANSWERS = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
#: What a browser keeps of one cookie, its name and attributes included.
BROWSER_COOKIE_LIMIT = 4096
#: The cookie's name and attributes (Path, HttpOnly, SameSite …) beside its value.
ATTRIBUTES = 200


def cookie_size(client: FlaskClient) -> int:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return len(cookie.value)


def notices(client: FlaskClient, path: str) -> list[str]:
    """The flashed messages a page shows."""
    page = parse(client.get(path).text)
    return [p.text.strip() for box in page.find_all("div", cls="notice") for p in box.find_all("p")]


def test_250_start_agains_without_reading_a_page_keep_the_cookie_small_and_say_it_once(
    client: FlaskClient,
) -> None:
    prime(client, ANSWERS)
    for _ in range(250):
        assert client.post("/start-again").status_code == 302
    assert cookie_size(client) < BROWSER_COOKIE_LIMIT - ATTRIBUTES
    assert notices(client, "/") == ["Your answers have been cleared."]


def test_hundreds_of_look_ups_not_followed_keep_a_staff_cookie_small(app: Flask) -> None:
    client = app.test_client()
    login(client, RECEPTION)
    for n in range(300):
        assert (
            client.get("/staff/lookup", query_string={"reference": f"ZZZZ-{n:04d}ZZZZZZZZZZ"}).status_code
            == 302
        )
    assert cookie_size(client) < BROWSER_COOKIE_LIMIT - ATTRIBUTES
    shown = notices(client, "/staff/")
    assert 1 <= len(shown) <= LIST_ITEMS
    assert shown[-1] == "No record has the reference code ZZZZ-0299ZZZZZZZZZZ."


def test_a_long_next_waiting_for_the_second_factor_keeps_the_cookie_small(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/staff/login",
        query_string={"next": "/staff/" + "a" * 4000},
        data={"username": ADMIN.username, "password": ADMIN.password},
    )
    assert response.status_code == 302
    assert cookie_size(client) < BROWSER_COOKIE_LIMIT - ATTRIBUTES
    assert client.get(response.location).status_code == 200, "the login waiting for its code is kept"


# --- the session itself -------------------------------------------------------------------------------


def test_a_list_in_the_session_keeps_each_item_once_and_the_newest_few() -> None:
    session = BoundedSession()
    session["notices"] = [("message", "cleared")] * 250
    assert session["notices"] == [("message", "cleared")]
    session["notices"] = [["message", f"n{n}"] for n in range(50)] + [["message", "n3"]]
    assert session["notices"] == [["message", f"n{n}"] for n in (46, 47, 48, 49, 3)]
    assert session.modified


@pytest.mark.parametrize("size", [3_000, 20_000])
def test_a_session_that_would_not_fit_loses_its_largest_values_first(size: int) -> None:
    serializer = EncryptedSerializer(["k"])
    session = {
        "answers": {"age": 70, "cancer": "current"},
        "staff_pending": {"id": 1, "next": "/staff/" + "a" * size},
        "flood": ["x" * 40 for _ in range(size // 40)],
        "_user_id": "1",
    }
    sealed = serializer.dumps(session)
    assert len(sealed) <= MAX_COOKIE_BYTES
    kept = serializer.loads(sealed)
    assert kept["answers"] == session["answers"] and kept["_user_id"] == "1"
    assert "flood" not in kept


def test_a_session_that_fits_is_sealed_whole() -> None:
    serializer = EncryptedSerializer(["k"])
    session = {"answers": {"age": 70}, "notices": [["message", "cleared"]], "drafts": {"pain": {"a": ["1"]}}}
    assert serializer.loads(serializer.dumps(session)) == session
