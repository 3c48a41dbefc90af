"""The alert outbox: alert emails written with what they are about, in the same transaction, and
claimed by one sender each (triage/ops/alerts.py sends them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update

from triage.engine import Level
from triage.extensions import db
from triage.storage.codes import AlertKind
from triage.storage.database import read, transaction
from triage.storage.models import AlertOutbox


@dataclass(frozen=True)
class QueuedAlert:
    """An alert a sender has claimed: what arrived, at which level, for which reference; or what
    happened to which staff account (`account`; no reference, no level)."""

    id: int
    kind: AlertKind
    reference: str | None
    level: Level | None
    attempts: int
    account: str | None = None


def new_alert(kind: AlertKind, reference: str, level: str) -> AlertOutbox:
    """An alert about the record with this reference, at this level, to add to the session."""
    now = datetime.now(UTC)
    return AlertOutbox(kind=kind, reference=reference, level=level, created_at=now, next_attempt_at=now)


def account_alert(kind: AlertKind, username: str) -> AlertOutbox:
    """An alert about a staff account, to add to the session."""
    now = datetime.now(UTC)
    return AlertOutbox(kind=kind, account=username, created_at=now, next_attempt_at=now)


def queue_account_alert(kind: AlertKind, username: str) -> None:
    """Queue an alert to the admins about a staff account."""
    with transaction():
        db.session.add(account_alert(kind, username))


def claim_alerts(claim: str, hold: timedelta, max_attempts: int, limit: int = 20) -> list[QueuedAlert]:
    """Claim the alerts due to be sent (not sent, not given up, not held by another sender), for
    `hold`; each row is claimed by one compare-and-set, so two senders never both take one."""
    now = datetime.now(UTC)
    free = or_(AlertOutbox.claimed_until.is_(None), AlertOutbox.claimed_until < now)
    due = (
        select(AlertOutbox.id)
        .where(
            AlertOutbox.sent_at.is_(None),
            AlertOutbox.attempts < max_attempts,
            AlertOutbox.next_attempt_at <= now,
            free,
        )
        .order_by(AlertOutbox.id)
        .limit(limit)
    )
    candidates = read(lambda: list(db.session.scalars(due)))
    taken = []
    with transaction():
        for alert_id in candidates:
            result = db.session.execute(
                update(AlertOutbox)
                .where(AlertOutbox.id == alert_id, AlertOutbox.sent_at.is_(None), free)
                .values(claimed_until=now + hold, claim=claim)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                taken.append(alert_id)
    rows = read(lambda: list(db.session.scalars(select(AlertOutbox).where(AlertOutbox.id.in_(taken)))))
    return [
        QueuedAlert(
            row.id,
            AlertKind(row.kind),
            row.reference,
            None if row.level is None else Level(row.level),
            row.attempts,
            row.account,
        )
        for row in sorted(rows, key=lambda row: row.id)
    ]


def alert_sent(alert_id: int, claim: str) -> None:
    """The claimed alert was handed to the mail server."""
    with transaction():
        db.session.execute(
            update(AlertOutbox)
            .where(AlertOutbox.id == alert_id, AlertOutbox.claim == claim)
            .values(sent_at=datetime.now(UTC), claimed_until=None)
        )


def alert_failed(alert_id: int, claim: str, error: str, retry_at: datetime) -> None:
    """The claimed alert could not be sent: count the attempt and try again at `retry_at`."""
    with transaction():
        db.session.execute(
            update(AlertOutbox)
            .where(AlertOutbox.id == alert_id, AlertOutbox.claim == claim)
            .values(
                attempts=AlertOutbox.attempts + 1,
                last_error=error[:80],
                next_attempt_at=retry_at,
                claimed_until=None,
            )
        )
