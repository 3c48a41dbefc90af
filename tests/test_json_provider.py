"""The app's JSON answers (triage/web/json_provider.py): keys in the contract's order, Greek as
UTF-8 letters, dates and dataclasses as Flask writes them, integers of any size exact."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from flask import Flask, jsonify

from tests.support.cases import VIGNETTE

API = "/api/v1/assessments"
ANSWERS = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]


def test_an_api_answer_keeps_the_contracts_order_of_keys(app: Flask) -> None:
    response = app.test_client().post(API, json=ANSWERS)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert list(response.get_json())[:3] == ["level", "label", "action"]  # not sorted
    assert response.data.startswith(b'{"level":')  # compact, as sent
    assert response.data.endswith(b"}\n")


def test_a_greek_answer_is_utf_8_letters_not_escapes(app: Flask) -> None:
    response = app.test_client().post(API, json=ANSWERS, headers={"Accept-Language": "el"})
    label = response.get_json()["label"]
    assert any("\u0370" <= letter <= "\u03ff" for letter in label)
    assert label.encode("utf-8") in response.data
    assert b"\\u03" not in response.data


@dataclasses.dataclass
class Point:
    x: int
    at: datetime


def test_dates_dataclasses_and_big_integers_are_written_as_flask_writes_them(app: Flask) -> None:
    moment = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    with app.app_context():
        assert jsonify(moment).data == b'"Tue, 01 Dec 2026 09:30:00 GMT"\n'  # an HTTP date
        assert json.loads(jsonify(Point(1, moment)).data) == {"x": 1, "at": "Tue, 01 Dec 2026 09:30:00 GMT"}
        assert jsonify({"big": 2**70, "b": 1, "a": 2}).data == b'{"big":1180591620717411303424,"b":1,"a":2}\n'
        assert jsonify("Ελληνικά").data == '"Ελληνικά"\n'.encode()


def test_in_debug_mode_answers_are_indented(app: Flask) -> None:
    app.debug = True
    with app.app_context():
        assert b'\n  "level"' in jsonify({"level": "urgent", "reasons": ["one"]}).data


def test_a_request_is_read_as_the_standard_library_reads_it(app: Flask) -> None:
    for text in ('{"age": 1000000000000000000000000000000}', '{"age": 70, "age": 71}', '{"age": 1e2}'):
        assert repr(app.json.loads(text)) == repr(json.loads(text))


def test_an_age_past_64_bits_is_told_it_is_out_of_range_not_that_it_is_not_a_whole_number(app: Flask) -> None:
    told = {}
    for age in (10**30, 200, 70.5):
        sent = json.dumps({**ANSWERS, "age": age})
        response = app.test_client().post(API, data=sent, content_type="application/json")
        assert response.status_code == 422
        told[age] = response.get_json()["errors"]["age"]
    assert told[10**30] == told[200] != told[70.5]  # out of range, as 200 is; not "a whole number"


def test_an_age_of_nan_or_text_that_is_not_json_is_refused(app: Flask) -> None:
    client = app.test_client()
    nan = client.post(API, data=json.dumps({**ANSWERS, "age": float("nan")}), content_type="application/json")
    assert nan.status_code == 422
    assert "age" in nan.get_json()["errors"]
    broken = client.post(API, data='{"age": ', content_type="application/json")
    assert broken.status_code == 400
