"""Assessments saved at the same moment (fifty to a real threaded server, eight written together):
every one saved, none mixed up."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from tests.support.api import bearer, issue_key
from tests.support.cases import vignettes
from tests.support.flow import RULES
from tests.support.records import assessments
from tests.support.servers import served
from tests.support.turns import all_waiting_together
from triage.api.keys import key_hash
from triage.extensions import db
from triage.storage import repository
from triage.storage.codes import AlertKind, Channel

REQUESTS = 50
VIGNETTES = vignettes()


@pytest.fixture
def server(app: Flask) -> Iterator[int]:
    """The app served by werkzeug on 127.0.0.1 with a thread per request, on a free port; the port."""
    with served(app) as port:
        yield port


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

    _saved_together(app, 8, save)
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


def test_saves_with_api_keys_written_together_are_each_checked_against_their_own_key(app: Flask) -> None:
    """Each row sent with a key is saved only if its own key is active, with that key's name."""
    keys = {name: key_hash(issue_key(app, name)) for name in ("kiosk", "website", "old-tablet")}
    with app.app_context():
        repository.revoke_api_key("old-tablet")
    sent_with = ["kiosk", "unknown", "website", "old-tablet", "kiosk", None]
    hashes = [None if name is None else keys.get(name, key_hash("st_never-issued")) for name in sent_with]
    outcome = RULES.assess(answers(0))
    saved: dict[int, str] = {}
    refused: list[int] = []

    def save(number: int) -> None:
        with app.app_context():
            alert = AlertKind.EARLY_EXIT if number < 4 else None  # a refused row's alert is not queued
            try:
                saved[number] = repository.save_assessment(
                    outcome, Channel.API, "en", api_key_hash=hashes[number], alert=alert
                )
            except repository.KeyNotActive:
                refused.append(number)

    _saved_together(app, len(sent_with), save)
    assert sorted(refused) == [1, 3]
    rows = {row["reference"]: row for row in assessments(app)}
    assert len(rows) == 4
    assert {number: rows[reference]["api_key"] for number, reference in saved.items()} == {
        0: "kiosk", 2: "website", 4: "kiosk", 5: None
    }  # fmt: skip
    with app.app_context():
        alerted = {
            alert.reference for alert in repository.claim_alerts("test", timedelta(minutes=5), max_attempts=3)
        }
    assert alerted == {saved[0], saved[2]}


def _saved_together(app: Flask, count: int, save: Callable[[int], None]) -> None:
    """Run save(0) … save(count - 1) in threads that all wait while another writer has the turn (on
    SQLite), so that they are written together."""
    with app.app_context():
        engine = db.engine
    sqlite = engine.dialect.name == "sqlite"
    all_waiting_together(repository._SQLITE_WRITERS if sqlite else None, engine.url.database, save, count)
