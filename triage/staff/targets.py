"""The queue's targets: when each record is due at the level acted on (levels.yaml `target`, in the
practice's time zone; "today" ends at closing time, PRACTICE_OPENING_TIMES), what is overdue, the rows
the queue shows, and the overdue count in the header."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_login import current_user

from triage import config
from triage.engine import Level
from triage.engine.model import Target
from triage.engine.notable import Notable, notable_answers
from triage.extensions import rules
from triage.staff import bp
from triage.storage import repository
from triage.storage.codes import Status
from triage.storage.models import Assessment, StaffUser
from triage.storage.repository import OverdueBefore, StorageUnavailable
from triage.web.formatting import practice_zone
from triage.web.opening import OpeningTimes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueRow:
    """One record as the queue shows it: when it is due, the time left (negative: overdue; None: no
    longer new, or nobody can call it back, so no target), and its positive answers."""

    item: Assessment
    due: datetime
    left: timedelta | None
    notable: list[Notable]

    @property
    def overdue(self) -> bool:
        """Still new past its level's target, and staff can act on it (as the overdue count)."""
        return self.left is not None and self.left < timedelta(0)

    @property
    def no_contact_details(self) -> bool:
        """Neither a phone call nor a call-back request: nobody can be called back, so no countdown."""
        return not self.item.actionable


def opening_times() -> OpeningTimes:
    """The practice's opening times (PRACTICE_OPENING_TIMES, checked at start-up)."""
    return config.opening_times(current_app.config)


def overdue_before(now: datetime) -> OverdueBefore:
    """For each level, the arrival time before which a new record at it is overdue now."""
    zone, hours = practice_zone(), opening_times()
    return {
        level: hours.overdue_before(now)
        if advice.target.end_of_day
        else advice.target.overdue_before(now, zone)
        for level, advice in rules.current.levels.items()
    }


def due_at(target: Target, arrived: datetime) -> datetime:
    """When a record that arrived then is due against a target: "by the end of the practice's day"
    is its closing time, or one hour after it next opens for a record that came while it was closed."""
    if target.end_of_day:
        return opening_times().due_today(arrived)
    return target.due(arrived, practice_zone())


def due(item: Assessment) -> datetime:
    """When a record is due: its arrival against its level's target (the override's level if any)."""
    return due_at(rules.current.levels[Level(item.urgency)].target, item.created_at)


def queue_rows(items: list[Assessment], now: datetime) -> list[QueueRow]:
    """The records as the queue shows them."""
    contract = rules.current.contract
    rows = []
    for item in items:
        when = due(item)
        left = when - now if item.status == Status.NEW and item.actionable else None
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
