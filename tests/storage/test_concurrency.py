"""Fifty assessments sent at the same moment to a real threaded server: every one saved, none mixed up."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support.api import bearer, issue_key
from tests.support.cases import vignettes
from tests.support.records import assessments

REQUESTS = 50
VIGNETTES = vignettes()


@pytest.fixture
def server(app: Flask) -> Iterator[int]:
    """The app served by werkzeug on 127.0.0.1 with a thread per request, on a free port; the port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="werkzeug", daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


def answers(number: int) -> dict[str, Any]:
    """Answers unlike any other request's (each vignette in turn, with its own age)."""
    return {**VIGNETTES[number % len(VIGNETTES)]["answers"], "age": 18 + number}


def test_fifty_simultaneous_assessments_are_all_saved(app: Flask, server: int) -> None:
    start = threading.Barrier(REQUESTS)
    headers = {"Content-Type": "application/json", **bearer(issue_key(app))}

    def send(number: int) -> dict[str, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
        body = json.dumps(answers(number))
        start.wait(timeout=30)  # all at once
        try:
            connection.request("POST", "/api/v1/assessments", body, headers)
            response = connection.getresponse()
            assert response.status == 200, f"request {number}: {response.status}"
            result: dict[str, Any] = json.load(response)
        finally:
            connection.close()
        return result

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(send, range(REQUESTS)))

    assert [result.get("saved", True) for result in results] == [True] * REQUESTS
    references = [result["reference"] for result in results]
    assert None not in references
    assert len(set(references)) == REQUESTS
    rows = {row["reference"]: row for row in assessments(app)}
    assert len(rows) == REQUESTS
    for number, result in enumerate(results):
        row = rows[result["reference"]]
        assert row["answers"] == answers(number), f"request {number} saved with another's answers"
        assert (row["level"], row["channel"]) == (result["level"], "api")
        assert row["fired_rules"] == [rule["id"] for rule in result["fired_rules"]]
