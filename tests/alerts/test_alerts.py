"""Alert emails: an urgent call-back request or an early exit emails the practice, through a real
SMTP server, with a reference and a link and no health data; the person's page never depends on it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

import triage
from tests.alerts.conftest import PRACTICE_INBOX, PUBLIC_BASE_URL, SmtpServer, alert_settings, stop_sender
from tests.support.apps import dispose
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import FLOW, RULES, screen_answers
from tests.support.journeys import page_form, session_reference, submit_online
from tests.support.records import count
from triage.cli import main
from triage.config import SettingInvalid
from triage.engine import Level
from triage.ops import alerts
from triage.storage import repository
from triage.storage.models import AlertOutbox
from triage.web.phones import callback_number

NAME, TYPED_PHONE = "Eleni Papadopoulou", "694 123 4567"
URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
SOON = next(case["answers"] for case in VIGNETTES if RULES.assess(case["answers"]).level is Level.SOON)
EARLY = next(
    case["answers"] for case in VIGNETTES if FLOW.needs_emergency_now(screen_answers(case["answers"]))
)


def request_call_back(client: FlaskClient, answers: Mapping[str, Any]) -> str:
    """Confirm the answers and ask for a call back through the result page; the reference."""
    reference = submit_online(client, answers)
    assert reference is not None
    form = {"name": NAME, "phone": TYPED_PHONE, "consent": "y", "time_window": "morning"}
    response = client.post("/call-back", data=form)
    assert (response.status_code, response.location) == (302, "/call-back/sent"), response.text[:300]
    assert client.get("/call-back/sent").status_code == 200
    return reference


def exit_early(client: FlaskClient) -> str:
    """Answer the warning signs with an early exit's answers; the reference the advice page shows."""
    first = FLOW.pages[0]
    response = client.post(f"/questions/{first.id}", data=page_form(first, EARLY))
    assert (response.status_code, response.location) == (302, "/urgent-advice")
    page = client.get("/urgent-advice")
    reference = session_reference(client)
    assert reference is not None and reference in page.text
    return reference


def deliver(app: Flask) -> alerts.Delivery:
    with app.app_context():
        return alerts.deliver_due(app)


def health_data(answers: Mapping[str, Any]) -> list[str]:
    """What an alert must never hold: the person's name and phone number, the questions they answered
    and the reasons the rules give for their answers, in every language."""
    phone = callback_number(TYPED_PHONE)
    texts = [NAME, TYPED_PHONE, phone, phone.removeprefix("+30"), "694 123"]
    outcome = RULES.assess(dict(answers)) if FLOW.next_page(answers) is None else None
    for lang in RULES.languages:
        texts += [q.label.get(lang) for q in RULES.contract.questions if q.id in answers]
        if outcome is not None:
            texts += [rule.reason.get(lang).split("{")[0] for rule in outcome.fired_rules]
    return [text for text in texts if len(text) > 6]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return f"{message['Subject']}\n{body.get_content()}"


def test_an_urgent_call_back_request_emails_the_practice_a_reference_and_a_link_only(
    alerting_app: Flask, smtp: SmtpServer
) -> None:
    reference = request_call_back(alerting_app.test_client(), URGENT)
    assert smtp.inbox.messages == []  # queued, not sent while the person waited
    assert deliver(alerting_app) == alerts.Delivery(sent=1, failed=0)
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == [PRACTICE_INBOX]
    text = text_of(message)
    assert reference in text
    assert f"{PUBLIC_BASE_URL}/staff/" in text
    assert "call-back request" in text
    for private in health_data(URGENT):
        assert private not in text


def test_an_early_exit_emails_the_practice(alerting_app: Flask, smtp: SmtpServer) -> None:
    reference = exit_early(alerting_app.test_client())
    deliver(alerting_app)
    [(_, message)] = smtp.inbox.messages
    text = text_of(message)
    assert reference in text and f"{PUBLIC_BASE_URL}/staff/" in text
    assert "emergency advice" in text
    for private in health_data(screen_answers(EARLY)):
        assert private not in text


def test_the_email_speaks_both_languages_the_default_first(
    make_app: Callable[..., Flask], database: Path, smtp: SmtpServer
) -> None:
    app = make_app(database, DEFAULT_LANGUAGE="el", **alert_settings(smtp.port))
    reference = request_call_back(app.test_client(), URGENT)
    deliver(app)
    [(_, message)] = smtp.inbox.messages
    assert "αίτημα" in message["Subject"] and reference in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    greek, english = [line for line in body.get_content().splitlines() if line.strip()][:2]
    assert "Ανοίξτε την ουρά κλήσεων" in greek
    assert "Open the queue" in english


def test_the_link_is_the_practice_address_whatever_host_the_request_named(
    alerting_app: Flask, smtp: SmtpServer
) -> None:
    client = alerting_app.test_client()
    client.environ_base["HTTP_HOST"] = "attacker.example"
    request_call_back(client, URGENT)
    deliver(alerting_app)
    [(_, message)] = smtp.inbox.messages
    assert "attacker.example" not in text_of(message)
    assert f"{PUBLIC_BASE_URL}/staff/" in text_of(message)


def test_a_request_below_the_threshold_queues_nothing(alerting_app: Flask) -> None:
    request_call_back(alerting_app.test_client(), SOON)
    assert count(alerting_app, AlertOutbox) == 0


def test_the_threshold_is_a_setting(make_app: Callable[..., Flask], database: Path, smtp: SmtpServer) -> None:
    app = make_app(database, **alert_settings(smtp.port, ALERT_MIN_LEVEL="soon"))
    request_call_back(app.test_client(), SOON)
    assert deliver(app).sent == 1


def test_without_alert_email_to_nothing_is_queued_and_start_up_says_so(
    make_app: Callable[..., Flask], database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="triage.ops.alerts"):
        app = make_app(database)
    assert [r.getMessage() for r in caplog.records if r.name == "triage.ops.alerts"] == [
        "Alerts are off: ALERT_EMAIL_TO is not set"
    ]
    request_call_back(app.test_client(), URGENT)
    exit_early(app.test_client())
    assert count(app, AlertOutbox) == 0


def test_an_smtp_outage_never_breaks_the_page_and_the_alert_is_retried_when_it_is_back(
    make_app: Callable[..., Flask], database: Path, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(database, **alert_settings(smtp.port, ALERT_RETRY_SECONDS=0))
    smtp.stop()
    reference = request_call_back(app.test_client(), URGENT)  # the page works: its checks are inside
    with caplog.at_level(logging.WARNING, logger="triage.ops.alerts"):
        assert deliver(app) == alerts.Delivery(sent=0, failed=1)
        assert deliver(app) == alerts.Delivery(sent=0, failed=1)  # tried again, failed again
    logged = caplog.text
    assert "Alert 1 not sent (ConnectionRefusedError)" in logged
    for private in [*health_data(URGENT), reference, PRACTICE_INBOX]:
        assert private not in logged
    smtp.start()
    assert deliver(app) == alerts.Delivery(sent=1, failed=0)
    assert deliver(app) == alerts.Delivery(sent=0, failed=0)  # sent once only
    [(_, message)] = smtp.inbox.messages
    assert reference in text_of(message)


def test_a_failed_alert_waits_longer_each_time_and_is_given_up_at_the_last_attempt(
    make_app: Callable[..., Flask], database: Path, smtp: SmtpServer
) -> None:
    app = make_app(database, **alert_settings(smtp.port, ALERT_RETRY_SECONDS=60, ALERT_MAX_ATTEMPTS=3))
    smtp.stop()
    request_call_back(app.test_client(), URGENT)
    waits = []
    with app.app_context():
        from triage.extensions import db

        for _ in range(3):
            assert alerts.deliver_due(app).failed == 1
            row = db.session.query(AlertOutbox).one()
            waits.append(row.next_attempt_at - row.created_at)
            row.next_attempt_at = row.created_at  # due again at once
            db.session.commit()
        assert alerts.deliver_due(app) == alerts.Delivery(sent=0, failed=0)  # given up
    assert [round(wait / timedelta(minutes=1)) for wait in waits] == [1, 2, 4]


def test_an_alert_is_claimed_by_one_sender_only(alerting_app: Flask) -> None:
    request_call_back(alerting_app.test_client(), URGENT)
    with alerting_app.app_context():
        first = repository.claim_alerts("first", timedelta(minutes=2), max_attempts=5)
        second = repository.claim_alerts("second", timedelta(minutes=2), max_attempts=5)
        assert (len(first), second) == (1, [])
        repository.alert_sent(first[0].id, "second")  # not its claim: nothing changes
        assert repository.claim_alerts("third", timedelta(0), max_attempts=5) == []
    with alerting_app.app_context():
        repository.alert_failed(first[0].id, "first", "SMTPException", datetime.now(UTC))
        again = repository.claim_alerts("fourth", timedelta(0), max_attempts=5)
        assert [alert.attempts for alert in again] == [1]


@pytest.fixture
def threaded_app(make_app: Callable[..., Flask], database: Path, smtp: SmtpServer) -> Iterator[Flask]:
    app = make_app(database, **alert_settings(smtp.port, ALERT_SENDER="thread"))
    yield app
    stop_sender(app)


def test_the_background_sender_emails_without_being_asked(threaded_app: Flask, smtp: SmtpServer) -> None:
    reference = request_call_back(threaded_app.test_client(), URGENT)
    assert smtp.inbox.arrived.wait(20), "the background sender sent nothing"
    [(_, message)] = smtp.inbox.messages
    assert reference in text_of(message)


def test_the_command_sends_what_is_queued(
    alerting_app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = request_call_back(alerting_app.test_client(), URGENT)
    made: list[Flask] = []
    create_app = triage.create_app
    monkeypatch.setattr(triage, "create_app", lambda *a, **k: made.append(create_app(*a, **k)) or made[-1])
    environment = {
        "DATABASE_URL": alerting_app.config["SQLALCHEMY_DATABASE_URI"],
        **{name: str(value) for name, value in alert_settings(smtp.port).items()},
    }
    result = CliRunner().invoke(main, ["alerts", "send"], env=environment)
    for app in made:
        dispose(app)
    assert result.exit_code == 0, result.output
    assert result.stdout == "sent 1 alerts, 0 failed (tried again later)\n"
    assert reference in text_of(smtp.inbox.messages[0][1])


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"ALERT_EMAIL_TO": PRACTICE_INBOX}, "PUBLIC_BASE_URL"),
        ({"ALERT_EMAIL_TO": PRACTICE_INBOX, "PUBLIC_BASE_URL": "triage.example"}, "PUBLIC_BASE_URL"),
        (
            {"ALERT_EMAIL_TO": PRACTICE_INBOX, "PUBLIC_BASE_URL": PUBLIC_BASE_URL, "ALERT_MIN_LEVEL": "high"},
            "ALERT_MIN_LEVEL",
        ),
    ],
)
def test_alert_settings_that_cannot_work_stop_start_up(
    make_app: Callable[..., Flask], database: Path, settings: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingInvalid, match=named):
        make_app(database, **settings)
