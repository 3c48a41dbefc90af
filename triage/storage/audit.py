"""The audit trail: who did what to which record or account, and when. Never patient data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from triage.extensions import db
from triage.storage.codes import Action
from triage.storage.database import read, transaction
from triage.storage.models import AuditEntry


def audit(username: str, action: Action, target: str | None = None, detail: str | None = None) -> None:
    """Record who did what to which record. Never patient data: a reference code at most."""
    with transaction():
        add_audit(username, action, target, detail)


def add_audit(username: str, action: Action, target: str | None = None, detail: str | None = None) -> None:
    """Add an audit entry to the session's changes (committed with them)."""
    db.session.add(
        AuditEntry(at=datetime.now(UTC), username=username, action=action, target=target, detail=detail)
    )


def audit_trail(limit: int = 500) -> list[AuditEntry]:
    """The most recent audit entries, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return read(lambda: list(db.session.scalars(query)))
