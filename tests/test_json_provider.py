"""The app's JSON answers are written by orjson (triage/web/json_provider.py): byte for byte what
Flask's own provider wrote, faster; what orjson does not write itself comes out as Flask writes it.
A request's JSON is read by orjson as the standard library reads it."""

from __future__ import annotations

import dataclasses
import decimal
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.cases import VIGNETTE
from triage.web import json_provider as provider
from triage.web.json_provider import JSONProvider

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


#: JSON values with what sets orjson's reading apart: integers past 64 bits, floats, any text.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


#: The app's provider; reading needs nothing of an app's.
PROVIDER = JSONProvider(Flask(__name__))


def _read(text: str | bytes) -> Any:
    return PROVIDER.loads(text)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0 differ)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and type(a) is type(b)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(value=JSON_VALUES, as_bytes=st.booleans())
def test_a_request_is_read_as_the_standard_library_reads_it(value: Any, as_bytes: bool) -> None:
    text = json.dumps(value, ensure_ascii=False)
    sent = text.encode() if as_bytes else text
    assert _same(_read(sent), json.loads(sent))


@pytest.mark.parametrize(
    "text",
    [
        '{"age": 1000000000000000000000000000000}',  # past 64 bits: orjson would read a float
        '{"age": -9223372036854775809}',
        '{"age": 18446744073709551615}',
        '{"age": NaN, "x": Infinity}',  # not JSON, but read by the standard library
        '{"a": "\\ud800"}',  # a lone surrogate
        b'\xef\xbb\xbf{"age": 70}',  # a byte order mark
        '{"age": 70, "age": 71}',  # the last of a repeated key
        '{"age": 1e2, "b": -0, "c": 1.0}',
    ],
)
def test_what_orjson_would_read_otherwise_or_refuses_is_read_by_the_standard_library(
    text: str | bytes,
) -> None:
    assert repr(_read(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", ['{"age": ', "[1, 2", '{"age": 70} x', "", b"\xff"])
def test_what_is_not_json_is_refused_as_before(text: str | bytes) -> None:
    with pytest.raises(ValueError):
        _read(text)
    with pytest.raises(ValueError):
        json.loads(text)


def test_an_age_past_64_bits_is_told_it_is_out_of_range_not_that_it_is_not_a_whole_number(app: Flask) -> None:
    answers = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
    told = {}
    for age in (10**30, 200, 70.5):
        sent = json.dumps({**answers, "age": age})
        response = app.test_client().post(API, data=sent, content_type="application/json")
        assert response.status_code == 422
        told[age] = response.get_json()["errors"]["age"]
    assert told[10**30] == told[200] != told[70.5]  # out of range, as 200 is; not "a whole number"


def test_answers_are_read_by_orjson_and_a_long_number_by_the_standard_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[object] = []
    monkeypatch.setattr(provider.orjson, "loads", lambda text: read.append(text) or json.loads(text))
    answers = json.dumps(VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]).encode()
    assert _read(answers) == json.loads(answers)
    assert read == [answers]
    assert _read(b'{"age": 10000000000000000000}') == {"age": 10**19}
    assert _read('{"age": 1000000000000000000}') == {"age": 10**18}  # 19 digits, as text
    assert read == [answers]  # neither given to orjson
    assert _read(b'{"age": 100000000000000000, "b": "1234567890.123456789"}')["age"] == 10**17
    assert len(read) == 2  # 18 digits, and digits apart: orjson's
