"""Assessments and their call-back requests: saved, carried on after an early exit, found by
reference, and purged after the retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from triage.engine import Outcome
from triage.extensions import db
from triage.storage.codes import AlertKind, Channel, TimeWindow
from triage.storage.database import StorageUnavailable, read, transaction
from triage.storage.models import AlertOutbox, Assessment, CallbackRequest
from triage.storage.outbox import new_alert
from triage.storage.questionnaires import keep_served_questionnaire
from triage.storage.references import new_reference, normalise_reference

#: Draws of a new reference code before giving up (each one taken already: vanishingly rare).
REFERENCE_ATTEMPTS = 5


@dataclass(frozen=True)
class Purged:
    """How many rows a purge deleted."""

    assessments: int
    callbacks: int


def save_assessment(
    outcome: Outcome,
    channel: Channel,
    language: str,
    told: str | None = None,
    api_key: str | None = None,
    alert: AlertKind | None = None,
) -> str:
    """Save an assessment (a partial outcome is an early exit); returns its new reference code.

    `told`: what the person was told, as shown; `api_key`: the name of the API key it came with;
    `alert`: an alert email to queue about it, in the same transaction.
    """
    now = datetime.now(UTC)
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        assessment = Assessment(
            reference=reference,
            created_at=now,
            channel=channel,
            api_key=api_key,
            language=language,
            early_exit=outcome.partial,
            **outcome_columns(outcome, told),
        )
        try:
            with transaction():
                db.session.add(assessment)
                if alert is not None:
                    db.session.add(new_alert(alert, reference, outcome.level.value))
        except StorageUnavailable as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            continue  # the reference was taken: draw another
        keep_served_questionnaire(outcome.rules_version)  # the Questionnaire its response cites
        return reference
    raise StorageUnavailable("no free reference code")


def record_outcome(
    outcome: Outcome,
    channel: Channel,
    language: str,
    told: str,
    reference: str | None = None,
    alert: AlertKind | None = None,
) -> str:
    """Save an outcome as a new record, or into the early exit's record it carries on; its reference.
    `alert`: an alert email to queue about it, in the same transaction."""
    if reference is not None:
        try:
            update_assessment(reference, outcome, told, alert)
        except LookupError:  # purged, or never there: a record of its own
            pass
        else:
            return reference
    return save_assessment(outcome, channel, language, told, alert=alert)


def update_assessment(
    reference: str, outcome: Outcome, told: str | None = None, alert: AlertKind | None = None
) -> None:
    """Carry an early exit on: the same record takes the answers given since and their outcome."""
    assessment = find_assessment(reference)
    if assessment is None:
        raise LookupError(reference)
    with transaction():
        for name, value in outcome_columns(outcome, told).items():
            setattr(assessment, name, value)
        assessment.updated_at = datetime.now(UTC)
        if alert is not None:
            db.session.add(new_alert(alert, assessment.reference, assessment.level))
    keep_served_questionnaire(outcome.rules_version)


def outcome_columns(outcome: Outcome, told: str | None) -> dict[str, Any]:
    """An assessment's columns that hold the outcome and what the person was told."""
    return {
        "told": told,
        "level": outcome.level.value,
        "fired_rules": [rule.id for rule in outcome.fired_rules],
        "rules_version": outcome.rules_version.version,
        "rules_hash": outcome.rules_version.content_hash,
        "answers": outcome.answers.as_dict(),
        "partial": outcome.partial,
    }


def find_assessment(reference: str) -> Assessment | None:
    """The assessment with this reference (as typed or read out), if any."""
    code = normalise_reference(reference)
    if code is None:
        return None
    query = select(Assessment).where(Assessment.reference == code)
    return read(lambda: db.session.scalars(query).first())


def save_callback(
    reference: str, name: str, phone: str, time_window: TimeWindow, alert: AlertKind | None = None
) -> CallbackRequest:
    """Save a consented call-back request for the assessment with this reference; `alert`: an alert
    email to queue about it, in the same transaction."""
    assessment = find_assessment(reference)
    if assessment is None:
        raise LookupError(reference)
    now = datetime.now(UTC)
    request = CallbackRequest(
        assessment=assessment, created_at=now, name=name, phone=phone, time_window=time_window, consent_at=now
    )
    with transaction():
        db.session.add(request)
        if alert is not None:
            db.session.add(new_alert(alert, assessment.reference, assessment.level))
    return request


def purge(retention: timedelta, now: datetime | None = None) -> Purged:
    """Delete assessments older than the retention period, with their call-back requests."""
    cutoff = (now or datetime.now(UTC)) - retention
    old = select(Assessment.id).where(Assessment.created_at < cutoff)
    with transaction():
        callbacks = db.session.execute(delete(CallbackRequest).where(CallbackRequest.assessment_id.in_(old)))
        assessments = db.session.execute(delete(Assessment).where(Assessment.created_at < cutoff))
        db.session.execute(delete(AlertOutbox).where(AlertOutbox.created_at < cutoff))
    return Purged(assessments.rowcount, callbacks.rowcount)  # type: ignore[attr-defined]
