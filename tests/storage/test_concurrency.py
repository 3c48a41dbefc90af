"""Assessments saved at the same moment (fifty to a real threaded server; from many threads; from
several processes, as a server's workers save): every one saved once, none mixed up, none refused
because another writer had the database; and what is saved with a record is saved with it or not
at all."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support.api import bearer, issue_key
from tests.support.cases import vignettes
from tests.support.database import migrated_database
from tests.support.flow import RULES
from tests.support.records import assessments, callbacks
from tests.support.servers import all_at_once, served
from triage import PROJECT_ROOT
from triage.extensions import db
from triage.storage import repository
from triage.storage.codes import AlertKind, Channel, TimeWindow
from triage.storage.models import AlertOutbox

REQUESTS = 50
THREADS = 8
#: Processes writing at once, each from THREADS threads, SAVES saves each.
PROCESSES, SAVES = 2, 10
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


def test_saves_from_many_threads_at_once_each_keep_their_own_row_and_alert(app: Flask) -> None:
    outcomes = [RULES.assess(answers(number)) for number in range(THREADS)]
    start = threading.Barrier(THREADS)

    def save(number: int) -> str:
        with app.app_context():
            start.wait(timeout=30)
            alert = AlertKind.EARLY_EXIT if number % 2 else None
            return repository.save_assessment(outcomes[number], Channel.ONLINE, "en", alert=alert)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        references = list(pool.map(save, range(THREADS)))

    assert len(set(references)) == THREADS
    rows = {row["reference"]: row for row in assessments(app)}
    assert len(rows) == THREADS
    for number, reference in enumerate(references):
        assert rows[reference]["answers"] == answers(number)
        assert rows[reference]["level"] == outcomes[number].level.value
    assert alerted(app) == {references[number] for number in range(THREADS) if number % 2}


def test_saves_from_several_processes_at_once_are_each_stored_once_on_sqlite(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """As a server's workers save: each process writes from several threads, all at the same moment,
    and none is refused because another had the database. (Two servers on PostgreSQL: tests/scale.)"""
    database_url = migrated_database("sqlite", tmp_path / "database")
    command = [sys.executable, "-m", "tests.support.writers", database_url, str(THREADS), str(SAVES)]
    writers = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    given = []
    for writer in writers:
        out, _ = writer.communicate("go\n", timeout=120)
        assert writer.returncode == 0
        given += out.splitlines()
    assert [line for line in given if not line.startswith("failed")] == given
    assert len(given) == PROCESSES * THREADS * SAVES
    stored = [row["reference"] for row in assessments(make_app(database_url))]
    assert sorted(stored) == sorted(given)


def test_saves_with_api_keys_at_once_are_each_checked_against_their_own_key(app: Flask, server: int) -> None:
    """Each request sent with a key is saved only if its own key is active, with that key's name."""
    keys = {name: issue_key(app, name) for name in ("kiosk", "website", "old-tablet")}
    with app.app_context():
        repository.revoke_api_key("old-tablet")
    sent_with = ["kiosk", "unknown", "website", "old-tablet", "kiosk", None]
    sent = [None if name is None else keys.get(name, "st_never-issued") for name in sent_with]

    def send(number: int, go: Callable[[], None]) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
        key = sent[number]
        headers = {"Content-Type": "application/json", **({} if key is None else bearer(key))}
        go()
        try:
            connection.request("POST", "/api/v1/assessments", json.dumps(answers(number)), headers)
            response = connection.getresponse()
            return response.status, json.load(response)
        finally:
            connection.close()

    results = all_at_once(len(sent), send)
    assert [status for status, _ in results] == [200, 401, 200, 401, 200, 200]
    rows = {row["reference"]: row for row in assessments(app)}
    saved = {number: body["reference"] for number, (_, body) in enumerate(results) if body.get("saved")}
    assert {number: rows[reference]["api_key"] for number, reference in saved.items()} == {
        0: "kiosk", 2: "website", 4: "kiosk"
    }  # fmt: skip
    assert len(rows) == 3  # sent without a key (5): assessed, not saved


def test_an_alert_that_cannot_be_queued_saves_neither_it_nor_its_record(app: Flask) -> None:
    """The alert is written in the same transaction as the record it is about."""
    outcome = RULES.assess(answers(0))
    with app.app_context():
        reference = repository.save_assessment(outcome, Channel.ONLINE, "en")
        AlertOutbox.__table__.drop(db.engine)
        with pytest.raises(repository.StorageUnavailable):
            repository.save_assessment(outcome, Channel.ONLINE, "en", alert=AlertKind.EARLY_EXIT)
        with pytest.raises(repository.StorageUnavailable):
            repository.save_callback(
                reference, "Eleni Ioannou", "+306941234567", TimeWindow.ANY, AlertKind.CALLBACK
            )
    assert [row["reference"] for row in assessments(app)] == [reference]
    assert callbacks(app) == []


def alerted(app: Flask) -> set[str | None]:
    """The references of the alerts queued."""
    with app.app_context():
        claimed = repository.claim_alerts("test", timedelta(minutes=5), max_attempts=3)
    return {alert.reference for alert in claimed}
