"""Alert emails to the practice: a new call-back request, or an early exit, at ALERT_MIN_LEVEL or above.

An alert is queued as a row of the outbox table in the same transaction as the record it is about
(triage/storage/repository.py), so the person's page never waits for a mail server and no alert is
lost when one is down. A sender claims due rows one by one (no two senders take the same row),
emails them through Flask-Mailman, and on failure tries again later, each time twice as long after,
up to ALERT_RETRY_MAX_SECONDS apart, ALERT_MAX_ATTEMPTS times. Senders: a daemon thread started
lazily in each server process (ALERT_SENDER=thread), and `python -m triage alerts send`, for cron
or a systemd timer (ALERT_SENDER=command runs no thread). A sender that dies while holding a row
lets it go after ALERT_CLAIM_SECONDS; should it die after the mail server took the email and before
marking it sent, that one alert is sent twice.

The email says what arrived, its level, its reference code and a link to the queue built from
PUBLIC_BASE_URL (never from a request's Host header): no answers, no name, no phone number. Alerts
about a staff account (its second factor set up or reset, too many wrong codes or passwords) name
the account and what an admin can do, whatever ALERT_MIN_LEVEL says.
Failures are logged with the outbox row's number and the error's type only.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage

from triage.engine import Level
from triage.storage import repository
from triage.storage.codes import AlertKind
from triage.storage.repository import QueuedAlert, StorageUnavailable
from triage.web import labels

log = logging.getLogger(__name__)
_SENDER = "triage_alert_sender"
#: How often a sender thread looks for alerts due again (a new alert wakes it at once).
POLL_SECONDS = 30


def init_app(app: Flask) -> None:
    """Say once at start-up whether alerts are on; start the sender thread lazily, at the first request."""
    if not enabled(app):
        log.warning("Alerts are off: ALERT_EMAIL_TO is not set")
        return
    log.info("Alerts on: emails for call-back requests and early exits at %s or above", min_level(app).value)
    if app.config["ALERT_SENDER"] == "thread":
        sender = app.extensions[_SENDER] = SenderThread(app)
        app.before_request(sender.ensure_running)


def enabled(app: Flask | None = None) -> bool:
    """Whether alerts are sent at all (ALERT_EMAIL_TO is set)."""
    return bool((app or current_app).config.get("ALERT_EMAIL_TO"))


def min_level(app: Flask | None = None) -> Level:
    """The least urgent level that is alerted."""
    return Level((app or current_app).config["ALERT_MIN_LEVEL"])


def wanted(kind: AlertKind, level: Level) -> AlertKind | None:
    """The alert to queue with a record: `kind`, when alerts are on and `level` is urgent enough."""
    return kind if enabled() and level.rank >= min_level().rank else None


def queued() -> None:
    """An alert was just queued: wake this process's sender thread (if it runs one)."""
    sender = sender_thread(current_app)
    if sender is not None:
        sender.wake()


@dataclass(frozen=True)
class Delivery:
    """What one round of sending did."""

    sent: int
    failed: int


def deliver_due(app: Flask | None = None) -> Delivery:
    """Claim the alerts due, email each, and record what happened (inside an app context)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config
    claim = secrets.token_hex(16)
    hold = timedelta(seconds=int(config["ALERT_CLAIM_SECONDS"]))
    most = int(config["ALERT_MAX_ATTEMPTS"])
    sent = failed = 0
    for alert in repository.claim_alerts(claim, hold, most):
        try:
            message(app, alert).send()
        except (smtplib.SMTPException, OSError) as exc:
            failed += 1
            delay = min(
                int(config["ALERT_RETRY_SECONDS"]) * 2**alert.attempts, int(config["ALERT_RETRY_MAX_SECONDS"])
            )
            repository.alert_failed(
                alert.id, claim, type(exc).__name__, datetime.now(UTC) + timedelta(seconds=delay)
            )
            if alert.attempts + 1 >= most:
                log.error(
                    "Alert %d not sent after %d attempts, given up: %s", alert.id, most, type(exc).__name__
                )
            else:
                log.warning(
                    "Alert %d not sent (%s); trying again in %d s", alert.id, type(exc).__name__, delay
                )
        else:
            sent += 1
            repository.alert_sent(alert.id, claim)
    return Delivery(sent, failed)


def message(app: Flask, alert: QueuedAlert) -> EmailMessage:
    """The email for an alert: subject and text in every language the rules speak, the practice's
    default language first; nothing but what arrived, its level, its reference and the link."""
    with app.test_request_context("/", base_url=str(app.config["PUBLIC_BASE_URL"])):
        link = url_for("staff.queue", _external=True)
        languages = sorted(
            app.extensions["triage_rules"].languages, key=lambda code: code != app.config["DEFAULT_LANGUAGE"]
        )
        subjects, texts = [], []
        for lang in languages:
            with force_locale(lang):
                subject, text = _words(alert, link)
            subjects.append(subject)
            texts.append(text)
    return EmailMessage(
        subject=subjects[0],
        body="\n\n".join(texts) + "\n",
        to=[address.strip() for address in str(app.config["ALERT_EMAIL_TO"]).split(",") if address.strip()],
    )


def _words(alert: QueuedAlert, link: str) -> tuple[str, str]:
    if alert.account is not None:
        return _account_words(alert.kind, alert.account)
    level = labels.word(labels.LEVELS, alert.level.value if alert.level else "")
    if alert.kind is AlertKind.CALLBACK:
        subject = _(
            "New call-back request (%(level)s), reference %(reference)s",
            level=level,
            reference=alert.reference,
        )
        text = _(
            "New call-back request (%(level)s), reference %(reference)s. Open the queue: %(link)s",
            level=level,
            reference=alert.reference,
            link=link,
        )
    else:
        subject = _("Early exit (%(level)s), reference %(reference)s", level=level, reference=alert.reference)
        text = _(
            "A person was shown the emergency advice (%(level)s), reference %(reference)s. "
            "Open the queue: %(link)s",
            level=level,
            reference=alert.reference,
            link=link,
        )
    return str(subject), str(text)


def _account_words(kind: AlertKind, account: str) -> tuple[str, str]:
    """What happened to a staff account, and what an admin does if it was not expected."""
    if kind is AlertKind.MFA_ENROLLED:
        subject = _("Staff account %(account)s: an authenticator app was set up", account=account)
        text = _(
            "An authenticator app was set up for the staff account %(account)s. If its owner did not "
            "just do this, reset it at once: python -m triage users reset-mfa %(account)s",
            account=account,
        )
    elif kind is AlertKind.MFA_RESET:
        subject = _("Staff account %(account)s: its sign-in app was reset", account=account)
        text = _(
            "The authenticator app and recovery codes of the staff account %(account)s were reset. "
            "It sets up a new one at its next login.",
            account=account,
        )
    elif kind is AlertKind.CODES_LOCKED:
        subject = _("Staff account %(account)s is locked: too many wrong codes", account=account)
        text = _(
            "Too many wrong second-factor codes were entered for the staff account %(account)s, after "
            "its right password. It is locked for a while. If its owner did not do this, the password "
            "is known to someone else: set a new one (python -m triage users set-password "
            "%(account)s). To lift the lock: python -m triage users unlock %(account)s",
            account=account,
        )
    else:
        subject = _("Staff account %(account)s: logins held back", account=account)
        text = _(
            "Too many wrong passwords were tried for the staff account %(account)s. New browsers must "
            "wait before trying again; browsers it logged in on before are not held back. To lift "
            "it: python -m triage users unlock %(account)s",
            account=account,
        )
    return str(subject), str(text)


class SenderThread:
    """One daemon thread per process that sends queued alerts: woken when one is queued, and every
    POLL_SECONDS for those due again. Started at the first request (and again after a fork)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def ensure_running(self) -> None:
        """Start the thread in this process unless it runs already."""
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="triage-alerts", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Send what is due now."""
        self.ensure_running()
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        """Stop the thread (tests; a server process simply exits)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    deliver_due(self.app)
            except StorageUnavailable:  # logged by the repository; tried again at the next round
                pass
            except Exception as exc:  # the thread must outlive any one failure; never the data itself
                log.error("Alert sender failed: %s", type(exc).__name__)
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()


def sender_thread(app: Flask) -> SenderThread | None:
    """The app's sender thread, if it runs one (for tests and the command line)."""
    return app.extensions.get(_SENDER)
