"""Finding 4 and 8 (cookie size): a person's answers are never readable on the client. The session
cookie is encrypted (Fernet, key derived from SECRET_KEY), stays under the 4 KB a browser keeps
whatever is typed, and the questionnaire still works with the database down (the answers live in
the cookie, not the database)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import secrets
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from itsdangerous import BadSignature

from tests.support.cases import VIGNETTE
from tests.support.database import UNOPENABLE_SQLITE
from tests.support.flow import FLOW
from tests.support.journeys import Journey, page_url, saved_answers
from triage.web.sessions import EncryptedSerializer, fernet_key

ANSWERS = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
BROWSER_COOKIE_LIMIT = 4096


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def every_decoding(value: str) -> list[bytes]:
    """What anyone can read out of a cookie without the key: each dot-separated part as base64,
    and as zlib-compressed base64 (Flask's signed cookie)."""
    found = [value.encode()]
    for part in value.lstrip(".").split("."):
        padded = part + "=" * (-len(part) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded)
        except (binascii.Error, ValueError):
            continue
        found.append(raw)
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(raw))
    return found


def test_the_answers_are_not_readable_in_the_session_cookie(client: FlaskClient) -> None:
    trip = Journey(client).walk(ANSWERS)
    assert trip.level == "urgent"
    cookie = session_cookie(client)
    readable = b" ".join(every_decoding(cookie))
    for telling in (b"night_pain", b"cancer", b"answers", b"thoracic", b"breast"):
        assert telling not in readable, telling


def test_flask_s_signed_cookie_reader_cannot_open_it(app: Flask, client: FlaskClient) -> None:
    Journey(client).walk(ANSWERS)
    signed_reader = SecureCookieSessionInterface().get_signing_serializer(app)
    assert signed_reader is not None
    with pytest.raises(BadSignature):
        signed_reader.loads(session_cookie(client))


def test_a_cookie_sealed_with_another_key_is_ignored(client: FlaskClient) -> None:
    forged = EncryptedSerializer(["not-the-app-secret"]).dumps({"answers": {"age": 70}, "submitted": True})
    client.set_cookie("session", forged)
    assert saved_answers(client) == {}


def test_a_cookie_from_before_a_key_change_still_opens_with_the_old_key_as_fallback(
    make_app: Callable[..., Flask], database: Path
) -> None:
    before = EncryptedSerializer(["the-old-secret"]).dumps({"answers": {"age": 70}})
    keys = {"SECRET_KEY": "the-new-secret", "SECRET_KEY_FALLBACKS": ["the-old-secret"]}
    app = make_app(database, **keys)
    client = app.test_client()
    client.set_cookie("session", before)
    assert saved_answers(client) == {"age": 70}


def test_a_12000_character_typed_answer_keeps_the_cookie_small_enough_for_a_browser(
    client: FlaskClient,
) -> None:
    typed = secrets.token_hex(6_000)  # 12,000 characters that no compression shrinks
    response = client.post("/questions/about-you", data={"age": typed})
    assert response.status_code in (200, 302)
    assert len(session_cookie(client)) < BROWSER_COOKIE_LIMIT - 200


def test_a_page_posted_with_hundreds_of_fields_keeps_the_cookie_small(client: FlaskClient) -> None:
    flood = {f"field{n}": ["x" * 60] * 2 for n in range(100)}  # 14 KB, within the body limit
    assert client.post("/questions/about-you", data=flood).status_code == 200
    assert len(session_cookie(client)) < BROWSER_COOKIE_LIMIT - 200


def test_drafts_for_many_pages_keep_the_cookie_small(csrf_client: FlaskClient) -> None:
    # Every page sent with an expired token keeps its draft, each field as long as can be typed,
    # a few times over; made-up fields and pages are not kept at all.
    for _ in range(3):
        for page in FLOW.pages:
            typed = {question: "7" * 999 for question in page.question_ids}
            csrf_client.post(page_url(page), data={**typed, "made-up-" + "p" * 200: "x" * 999})
        csrf_client.post("/questions/page-made-up-" + "p" * 200, data={"age": "7" * 99})
    assert len(session_cookie(csrf_client)) < BROWSER_COOKIE_LIMIT - 200


def test_a_draft_that_was_kept_is_shown_again_capped(client: FlaskClient) -> None:
    client.post("/questions/about-you", data={"age": "1" * 500})
    page = client.get("/questions/about-you").text
    assert 'value="' + "1" * 40 + '"' in page


def test_the_questionnaire_works_with_the_database_down(make_app: Callable[..., Flask]) -> None:
    client = make_app(UNOPENABLE_SQLITE).test_client()
    trip = Journey(client).walk(ANSWERS)
    assert trip.level == "urgent"
    assert "could not save" in trip.result.main.text.lower()  # type: ignore[union-attr]


def _fernet() -> Fernet:
    """The cookie's encryption with the key made from the secret "k"."""
    return Fernet(fernet_key("k"))


def test_a_session_comes_back_as_it_was_tuples_dates_and_markup_included() -> None:
    from datetime import UTC, datetime

    from markupsafe import Markup

    serializer = EncryptedSerializer(["k"])
    session = {
        "answers": {"age": 70, "night_pain": "unsure", "symptoms": []},
        "seen": 1.5,
        "_fresh": False,
        "_flashes": [("message", "idle")],
        "at": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        "notice": Markup("<b>ok</b>"),
        "raw": b"\x00",
    }
    opened = serializer.loads(serializer.dumps(session))
    assert opened == session
    assert isinstance(opened["notice"], Markup)


def test_a_cookie_sealed_by_the_earlier_release_still_opens() -> None:
    """That release sealed the session's JSON after a "j"; a person mid-questionnaire keeps it."""
    before = _fernet().encrypt(b'j{"answers":{"age":70},"_flashes":[["message","idle"]]}').decode()
    assert EncryptedSerializer(["k"]).loads(before) == {
        "answers": {"age": 70},
        "_flashes": [["message", "idle"]],
    }


def test_a_draft_whose_field_names_look_like_the_tagged_jsons_tags_comes_back_as_typed() -> None:
    serializer = EncryptedSerializer(["k"])
    drafts = {"about-you": {" b": ["not base64!"]}, "pain": {" t": ["x"]}, "bones": {" d": ["not a date"]}}
    assert serializer.loads(serializer.dumps({"drafts": drafts})) == {"drafts": drafts}


def test_a_page_sent_with_a_field_named_like_a_tag_is_shown_again_not_an_error(client: FlaskClient) -> None:
    sent = client.post("/questions/about-you", data={" b": "!!"})  # the draft's one field
    assert sent.status_code == 200  # the age is missing: the page again, what was typed kept
    assert client.get("/questions/about-you").status_code == 200  # the cookie with that draft opens
