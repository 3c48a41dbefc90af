"""Assessments saved at the same moment (fifty to a real threaded server, eight written together):
every one saved, none mixed up."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support.api import bearer, issue_key
from tests.support.cases import vignettes
from tests.support.flow import RULES
from tests.support.records import assessments
from triage.extensions import db
from triage.storage import repository
from triage.storage.codes import AlertKind, Channel

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


def test_assessments_saved_together_each_keep_their_own_row_and_alert(app: Flask) -> None:
    """On SQLite, saves waiting for the writer's turn are written together in one transaction."""
    outcomes = [RULES.assess(answers(number)) for number in range(8)]
    references: dict[int, str] = {}

    def save(number: int) -> None:
        with app.app_context():
            alert = AlertKind.EARLY_EXIT if number % 2 else None
            references[number] = repository.save_assessment(
                outcomes[number], Channel.ONLINE, "en", alert=alert
            )

    threads = [threading.Thread(target=save, args=(number,)) for number in range(8)]
    with app.app_context():
        engine = db.engine
        sqlite = engine.dialect.name == "sqlite"
        holding = repository._SQLITE_WRITERS.turn(engine.url.database) if sqlite else nullcontext()
        with holding:  # another writer has the turn while the eight come
            for thread in threads:
                thread.start()
            if sqlite:
                _wait_for(lambda: len(repository._SQLITE_WRITERS._waiting.get(engine.url.database, [])) == 8)
    for thread in threads:
        thread.join(30)
    assert len(set(references.values())) == 8
    rows = {row["reference"]: row for row in assessments(app)}
    for number, reference in references.items():
        assert rows[reference]["answers"] == answers(number)
        assert rows[reference]["level"] == outcomes[number].level.value
    with app.app_context():
        alerted = {
            alert.reference for alert in repository.claim_alerts("test", timedelta(minutes=5), max_attempts=3)
        }
    assert alerted == {references[number] for number in range(8) if number % 2}


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert condition()
