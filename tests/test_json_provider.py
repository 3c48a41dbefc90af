"""The app's JSON answers are written by orjson (triage/json_provider.py): byte for byte what
Flask's own provider wrote, faster; what orjson does not write itself comes out as Flask writes it."""

from __future__ import annotations

import dataclasses
import decimal
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider

from tests.support.cases import VIGNETTE
from triage.json_provider import JSONProvider

API = "/api/v1/assessments"


def flask_own(app: Flask) -> DefaultJSONProvider:
    """Flask's own provider, set up as the app's was before: keys in order, UTF-8."""
    provider = DefaultJSONProvider(app)
    provider.sort_keys = False
    provider.ensure_ascii = False
    return provider


@pytest.mark.parametrize("lang", ["en", "el"])
def test_an_api_answer_is_byte_for_byte_what_flasks_own_provider_wrote(app: Flask, lang: str) -> None:
    assert isinstance(app.json, JSONProvider)
    answers = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
    response = app.test_client().post(API, json=answers, headers={"Accept-Language": lang})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body)[:3] == ["level", "label", "action"]  # the contract's order, not sorted
    with app.app_context():
        assert response.data == flask_own(app).response(body).data
    if lang == "el":
        assert body["label"].encode() in response.data  # Greek as UTF-8 letters, not \\u escapes


@dataclasses.dataclass
class Point:
    x: int
    at: datetime


def test_what_orjson_does_not_write_itself_comes_out_as_flask_writes_it(app: Flask) -> None:
    values: list[Any] = [
        datetime(2026, 12, 1, 9, 30, tzinfo=UTC),  # an HTTP date, as Flask writes dates
        Point(1, datetime(2026, 1, 2, tzinfo=UTC)),
        decimal.Decimal("1.50"),
        uuid.UUID(int=7),
        {1: "a key that is not a string"},
        2**70,  # past 64 bits: orjson refuses it
        "Ελληνικά",
    ]
    with app.app_context():
        own = flask_own(app)
        for value in values:
            assert jsonify(value).data == own.response(value).data, value


def test_in_debug_mode_answers_are_indented_as_flask_indents_them(app: Flask) -> None:
    app.debug = True
    with app.app_context():
        value = {"level": "urgent", "reasons": ["one", "two"], "nested": {"a": 1}}
        assert jsonify(value).data == flask_own(app).response(value).data
        assert b'\n  "level"' in jsonify(value).data
