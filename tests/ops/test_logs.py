"""Logs: one JSON object a line; one line a request, with nothing that identifies a person or tells
a health fact about one."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from flask import Flask

from tests.support.cases import VIGNETTES
from tests.support.journeys import Journey
from triage.ops.logs import JsonFormatter


def test_a_record_becomes_one_json_line_with_its_extra_fields() -> None:
    record = logging.LogRecord("triage.access", logging.INFO, __file__, 1, "request %s", ("done",), None)
    record.status = 302
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) | {"time": "-"} == {
        "time": "-",
        "level": "info",
        "logger": "triage.access",
        "message": "request done",
        "status": 302,
    }


def test_an_exception_is_kept_in_the_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("triage", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    assert "ValueError: boom" in json.loads(JsonFormatter().format(record))["exception"]


def test_a_journey_logs_one_line_a_request_without_answers_paths_or_addresses(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    case = next(c for c in VIGNETTES if c["answers"].get("cancer") not in (None, "no"))
    with caplog.at_level(logging.INFO, logger="triage.access"):
        trip = Journey(app.test_client()).walk(case["answers"])
    lines = [record for record in caplog.records if record.name == "triage.access"]
    requests = 2 * (len(trip.trail) - 2) + 3  # each question page GET and POST; check answers; result
    assert len(lines) >= requests - 2 * trip.trail.count("/urgent-advice")
    fields = {key for record in lines for key in vars(record)}
    assert {"request_id", "method", "endpoint", "status", "ms", "bytes"} <= fields
    written = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert "/questions/" not in written and "127.0.0.1" not in written and "localhost" not in written
    for value in case["answers"].values():
        if isinstance(value, str) and len(value) > 3:
            assert f'"{value}"' not in written
    assert len({record.request_id for record in lines}) == len(lines)  # type: ignore[attr-defined]


def test_the_request_id_is_sent_back_and_a_proxys_one_is_kept(app: Flask) -> None:
    client = app.test_client()
    made = client.get("/").headers["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/", headers={"X-Request-ID": "proxy-given-1234"}).headers["X-Request-ID"] == (
        "proxy-given-1234"
    )
    odd = client.get("/", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert odd != "<script>" and len(odd) == 32
