"""The alert outbox on every backend: an alert is written with its record, and senders working at
the same time each claim different alerts, so every alert is sent once."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask

from tests.support.cases import VIGNETTE
from tests.support.flow import RULES
from triage.storage import repository
from triage.storage.codes import AlertKind, Channel

SENDERS, ALERTS = 4, 12


def test_senders_at_the_same_time_claim_each_alert_once(app: Flask) -> None:
    outcome = RULES.assess(VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"])
    with app.app_context():
        saved = {
            repository.save_assessment(outcome, Channel.ONLINE, "en", alert=AlertKind.EARLY_EXIT)
            for _ in range(ALERTS)
        }
    claimed: dict[str, list[str]] = {f"sender-{n}": [] for n in range(SENDERS)}
    start = threading.Barrier(SENDERS)

    def send(name: str) -> None:
        with app.app_context():
            start.wait()
            while batch := repository.claim_alerts(name, timedelta(minutes=5), max_attempts=3, limit=2):
                for alert in batch:
                    claimed[name].append(alert.reference)
                    repository.alert_sent(alert.id, name)

    threads = [threading.Thread(target=send, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [reference for references in claimed.values() for reference in references]
    assert sorted(every) == sorted(saved)  # each alert once, none left over
    with app.app_context():
        assert repository.claim_alerts("late", timedelta(0), max_attempts=3) == []
