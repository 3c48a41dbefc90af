"""What the database holds: saving an assessment as the app would, and reading rows back, detached
from the session (read their fields only) or column by column."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.support.flow import RULES
from triage.extensions import db
from triage.storage import repository
from triage.storage.models import Assessment, AuditEntry, CallbackRequest, StaffUser

# --- saving and finding, as the app does ----------------------------------------------------------


def save(
    app: Flask,
    answers: Mapping[str, Any],
    channel: str = "online",
    created_at: datetime | None = None,
) -> str:
    """Save an assessment of these answers as the app would; returns its reference."""
    with app.app_context():
        reference = repository.save_assessment(RULES.assess(dict(answers)), channel=channel, language="en")
        if created_at is not None:
            found = repository.find_assessment(reference)
            assert found is not None
            found.created_at = created_at
            db.session.commit()
    return reference


def record(app: Flask, reference: str) -> Assessment:
    """A saved assessment (detached from the session; read its fields only)."""
    with app.app_context():
        found = repository.find_assessment(reference)
        assert found is not None, reference
        db.session.expunge(found)
        return found


def audit_entries(app: Flask) -> list[AuditEntry]:
    """The whole audit trail, oldest first."""
    with app.app_context():
        entries = list(reversed(repository.audit_trail(limit=10_000)))
        db.session.expunge_all()
        return entries


def account(app: Flask, username: str) -> StaffUser:
    """An account as stored."""
    with app.app_context():
        user = repository.find_user(username)
        assert user is not None, username
        db.session.expunge(user)
        return user


# --- every row, column by column --------------------------------------------------------------------


def _as_dict(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def assessments(app: Flask) -> list[dict[str, Any]]:
    """Every saved assessment, column by column, in the order saved."""
    with app.app_context():
        return [_as_dict(row) for row in db.session.scalars(select(Assessment).order_by(Assessment.id))]


def callbacks(app: Flask) -> list[dict[str, Any]]:
    """Every saved call-back request, column by column, with its assessment's reference."""
    with app.app_context():
        rows = db.session.scalars(select(CallbackRequest).order_by(CallbackRequest.id))
        return [{**_as_dict(row), "reference": row.assessment.reference} for row in rows]


def as_utc(moment: datetime, backend: str) -> datetime:
    """A saved time in UTC. PostgreSQL keeps the zone; SQLite keeps none, and the time written is UTC."""
    if backend == "postgresql":
        assert moment.tzinfo is not None, "PostgreSQL returned a time without a zone"
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def count(app: Flask, model: type[Any]) -> int:
    """How many rows the model's table holds."""
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)
