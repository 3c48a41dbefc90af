"""The queue's targets: when each record is due at the level acted on (levels.yaml `target`, in the
practice's time zone), what is overdue, the rows the queue shows, and the overdue count in the header."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_login import current_user

from triage.engine import Level
from triage.engine.notable import Notable, notable_answers
from triage.extensions import rules
from triage.staff import bp
from triage.storage import repository
from triage.storage.codes import Status
from triage.storage.models import Assessment, StaffUser
from triage.storage.repository import OverdueBefore, StorageUnavailable
from triage.web.formatting import practice_zone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueRow:
    """One record as the queue shows it: when it is due, the time left (negative: overdue; None: no
    longer new, so no target), and its positive answers."""

    item: Assessment
    due: datetime
    left: timedelta | None
    notable: list[Notable]

    @property
    def overdue(self) -> bool:
        """Still new past its level's target."""
        return self.left is not None and self.left < timedelta(0)


def overdue_before(now: datetime) -> OverdueBefore:
    """For each level, the arrival time before which a new record at it is overdue now."""
    zone = practice_zone()
    return {level: advice.target.overdue_before(now, zone) for level, advice in rules.current.levels.items()}


def due(item: Assessment) -> datetime:
    """When a record is due: its arrival plus its level's target (the override's level if any)."""
    target = rules.current.levels[Level(item.urgency)].target
    return target.due(item.created_at, practice_zone())


def queue_rows(items: list[Assessment], now: datetime) -> list[QueueRow]:
    """The records as the queue shows them."""
    contract = rules.current.contract
    rows = []
    for item in items:
        when = due(item)
        left = when - now if item.status == Status.NEW else None
        rows.append(QueueRow(item, when, left, notable_answers(contract, item.answers)))
    return rows


@bp.context_processor
def overdue_in_header() -> dict[str, Any]:
    """The count of overdue records, for the staff header (logged-in staff with the records up)."""
    if not isinstance(current_user._get_current_object(), StaffUser):  # logged out, or records down
        return {}
    try:
        return {"overdue_count": repository.overdue_count(overdue_before(datetime.now(UTC)))}
    except StorageUnavailable:
        return {}
