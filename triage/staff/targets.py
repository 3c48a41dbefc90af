"""The queue's targets: when each record is due at the level acted on (levels.yaml `target`, in the
practice's time zone; "today" ends at closing time, PRACTICE_OPENING_TIMES), or sooner where the person
asked for a call back at a level that promises one within working days (levels.yaml `callback`); what
is overdue, the rows the queue and the record page show, and the overdue count in the header."""

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
from triage.storage.repository import Cutoff, OverdueBefore, StorageUnavailable
from triage.web.formatting import practice_zone
from triage.web.opening import OpeningTimes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueRow:
    """One record as the queue shows it: when it is due (targets.due), the time left (negative:
    overdue; None: no longer new, or nobody can call it back, so no target), and its positive answers."""

    item: Assessment
    due: datetime
    left: timedelta | None
    notable: list[Notable]

    @property
    def overdue(self) -> bool:
        """Still new past its due time, and staff can act on it (as the overdue count)."""
        return self.left is not None and self.left < timedelta(0)

    @property
    def no_contact_details(self) -> bool:
        """Neither a phone call nor a call-back request: nobody can be called back, so no countdown."""
        return not self.item.actionable


def opening_times() -> OpeningTimes:
    """The practice's opening times (PRACTICE_OPENING_TIMES, checked at start-up)."""
    return config.opening_times(current_app.config)


def overdue_before(now: datetime) -> OverdueBefore:
    """For each level, when a new record at it is overdue now: the arrival before which it is past
    the level's target, and the call-back request before which it is past the level's promise."""
    zone, hours = practice_zone(), opening_times()
    return {
        level: Cutoff(
            arrived=hours.overdue_before(now)
            if advice.target.end_of_day
            else advice.target.overdue_before(now, zone),
            asked=None
            if advice.callback_working_days is None
            else hours.asked_overdue_before(now, advice.callback_working_days),
        )
        for level, advice in rules.current.levels.items()
    }


def due_at(target: Target, arrived: datetime) -> datetime:
    """When a record that arrived then is due against a target: "by the end of the practice's day"
    is its closing time, or one hour after it next opens for a record that came while it was closed."""
    if target.end_of_day:
        return opening_times().due_today(arrived)
    return target.due(arrived, practice_zone())


def due(item: Assessment) -> datetime:
    """When a record is due at the level acted on (the override's level if any): its arrival against
    the level's target; or, where the person asked for a call back and the level promises one
    within working days, by closing time on the last of them (counted from the first request), if
    that is sooner."""
    advice = rules.current.levels[Level(item.urgency)]
    when = due_at(advice.target, item.created_at)
    days = advice.callback_working_days
    if days is None or not item.callbacks:
        return when
    asked = min(request.created_at for request in item.callbacks)
    return min(when, opening_times().due_in_working_days(asked, days))


def queue_row(item: Assessment, now: datetime) -> QueueRow:
    """A record as the queue and its page show it."""
    when = due(item)
    left = when - now if item.status == Status.NEW and item.actionable else None
    return QueueRow(item, when, left, notable_answers(rules.current.contract, item.answers))


def queue_rows(items: list[Assessment], now: datetime) -> list[QueueRow]:
    """The records as the queue shows them."""
    return [queue_row(item, now) for item in items]


@bp.context_processor
def overdue_in_header() -> dict[str, Any]:
    """The count of overdue records, for the staff header (logged-in staff with the records up)."""
    if not isinstance(current_user._get_current_object(), StaffUser):  # logged out, or records down
        return {}
    try:
        return {"overdue_count": repository.overdue_count(overdue_before(datetime.now(UTC)))}
    except StorageUnavailable:
        return {}
