"""The one place that talks to the database. Every failure becomes StorageUnavailable."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import delete, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from triage.engine import Outcome
from triage.storage.models import Assessment, Base, CallbackRequest
from triage.storage.references import new_reference, normalise_reference

db = SQLAlchemy(model_class=Base)
log = logging.getLogger(__name__)
_REFERENCE_ATTEMPTS = 5


@event.listens_for(Engine, "connect")
def _tune_sqlite(connection: object, _record: object) -> None:
    """SQLite: write-ahead log (readers never block the writer), wait for locks, enforce keys."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


class StorageUnavailable(Exception):
    """The database could not be reached or refused the change; nothing was saved."""


@dataclass(frozen=True)
class Purged:
    """How many rows a purge deleted."""

    assessments: int
    callbacks: int


@contextmanager
def _transaction() -> Iterator[None]:
    try:
        yield
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("Database operation failed: %s", type(exc).__name__)  # never the data itself
        raise StorageUnavailable(type(exc).__name__) from exc


def save_assessment(outcome: Outcome, channel: str, language: str) -> str:
    """Save a completed assessment; returns its new reference code."""
    for _ in range(_REFERENCE_ATTEMPTS):
        assessment = Assessment(
            reference=new_reference(),
            created_at=datetime.now(UTC),
            channel=channel,
            language=language,
            level=outcome.level.value,
            fired_rules=[rule.id for rule in outcome.fired_rules],
            rules_version=outcome.rules_version.version,
            rules_hash=outcome.rules_version.content_hash,
            answers=outcome.answers.as_dict(),
        )
        try:
            with _transaction():
                db.session.add(assessment)
        except StorageUnavailable as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            continue  # the reference was taken: draw another
        return assessment.reference
    raise StorageUnavailable("no free reference code")


def find_assessment(reference: str) -> Assessment | None:
    """The assessment with this reference (as typed or read out), if any."""
    code = normalise_reference(reference)
    if code is None:
        return None
    try:
        return db.session.scalars(select(Assessment).where(Assessment.reference == code)).first()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise StorageUnavailable(type(exc).__name__) from exc


def save_callback(reference: str, name: str, phone: str, time_window: str) -> CallbackRequest:
    """Save a consented call-back request for the assessment with this reference."""
    assessment = find_assessment(reference)
    if assessment is None:
        raise LookupError(reference)
    now = datetime.now(UTC)
    request = CallbackRequest(
        assessment=assessment, created_at=now, name=name, phone=phone, time_window=time_window, consent_at=now
    )
    with _transaction():
        db.session.add(request)
    return request


def purge(retention: timedelta, now: datetime | None = None) -> Purged:
    """Delete assessments older than the retention period, with their call-back requests."""
    cutoff = (now or datetime.now(UTC)) - retention
    old = select(Assessment.id).where(Assessment.created_at < cutoff)
    with _transaction():
        callbacks = db.session.execute(delete(CallbackRequest).where(CallbackRequest.assessment_id.in_(old)))
        assessments = db.session.execute(delete(Assessment).where(Assessment.created_at < cutoff))
    return Purged(assessments.rowcount, callbacks.rowcount)  # type: ignore[attr-defined]
