"""The reception queue (most urgent first, overdue ones first within a level), what staff do to a
record (status, a clinician's own level, the caller's details), and the dashboard's figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from triage.engine import Level
from triage.extensions import db
from triage.storage.assessments import find_assessment
from triage.storage.codes import Channel, Status
from triage.storage.database import read, start_of, transaction, utc, utc_or_none
from triage.storage.models import Assessment, CallbackRequest

#: A query of any columns (the queue's filters apply to any).
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")

#: The level the practice acts on: a clinician's override where there is one, else the tool's.
_LEVEL = func.coalesce(Assessment.override_level, Assessment.level)
_URGENCY = case({level.value: level.rank for level in Level}, value=_LEVEL, else_=0)
#: Records staff can act on: a call-back request, or a phone call (the only ones that can be overdue).
_ACTIONABLE = Assessment.actionable


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: by status, level, channel and date (inclusive), all optional; by
    default only what staff can act on (a call-back request, a phone call), else every record."""

    status: Status | None = None
    level: Level | None = None
    channel: Channel | None = None
    since: date | None = None
    until: date | None = None
    actionable_only: bool = True


@dataclass(frozen=True)
class Cutoff:
    """When a new record at a level is overdue now: it arrived before `arrived` (the level's target),
    or its first call-back request came before `asked` (the level's call-back promise, where it makes
    one). The times come from triage.staff.targets, which says when each record is due."""

    arrived: datetime
    asked: datetime | None = None


#: For each level, when a record still new at it is overdue now.
OverdueBefore = Mapping[Level, Cutoff]


def queue(
    filters: QueueFilter, limit: int = 200, overdue_before: OverdueBefore | None = None
) -> list[Assessment]:
    """Assessments most urgent first (a clinician's override before the tool's level), overdue ones
    first within a level, then oldest first; with their call-back requests."""
    query = _filtered(select(Assessment).options(selectinload(Assessment.callbacks)), filters)
    order: list[ColumnElement[Any]] = [_URGENCY.desc()]
    if overdue_before:
        order.append(case((_overdue(overdue_before), 0), else_=1))
    query = query.order_by(*order, Assessment.created_at.asc(), Assessment.id.asc()).limit(limit)
    return read(lambda: list(db.session.scalars(query)))


def _filtered(query: Q, filters: QueueFilter) -> Q:
    if filters.actionable_only:
        query = query.where(_ACTIONABLE)
    for column, value in (
        (Assessment.status, filters.status),
        (_LEVEL, filters.level.value if filters.level else None),
        (Assessment.channel, filters.channel),
    ):
        if value:
            query = query.where(column == value)
    if filters.since:
        query = query.where(Assessment.created_at >= start_of(filters.since))
    if filters.until:
        query = query.where(Assessment.created_at < start_of(filters.until + timedelta(days=1)))
    return query


def _overdue(overdue_before: OverdueBefore) -> ColumnElement[bool]:
    """Still new, and past its level's cut-off (the override's level where there is one), among the
    records staff can act on."""
    late = [
        and_(_LEVEL == level.value, _past(cutoff))  # noqa: SIM300  (a column)
        for level, cutoff in overdue_before.items()
    ]
    return and_(_ACTIONABLE, Assessment.status == Status.NEW, or_(*late))


def _past(cutoff: Cutoff) -> ColumnElement[bool]:
    """Arrived before the target's cut-off, or asked for a call back before the promise's (any
    request before it: then the first one is)."""
    arrived = Assessment.created_at < utc(cutoff.arrived)
    if cutoff.asked is None:
        return arrived
    return or_(arrived, Assessment.callbacks.any(CallbackRequest.created_at < utc(cutoff.asked)))


def overdue_count(overdue_before: OverdueBefore) -> int:
    """How many records staff can act on are still new past their level's target or call-back promise."""
    query = select(func.count(Assessment.id)).where(_overdue(overdue_before))
    return read(lambda: int(db.session.scalar(query) or 0))


@dataclass(frozen=True)
class QueueNews:
    """What the queue's page asks while it is open: how many records arrived since it was shown,
    and when the newest did. No health data."""

    count: int
    newest: datetime | None


def queue_news(filters: QueueFilter, after: datetime) -> QueueNews:
    """The records these filters show that arrived after `after`: how many, and the newest's time."""
    query = _filtered(select(func.count(Assessment.id), func.max(Assessment.created_at)), filters).where(
        Assessment.created_at > utc(after)
    )
    count, newest = read(lambda: db.session.execute(query).one())
    return QueueNews(int(count or 0), newest)


def newest_arrival(filters: QueueFilter) -> datetime | None:
    """When the newest record these filters show arrived (None: there is none)."""
    query = _filtered(select(func.max(Assessment.created_at)), filters)
    return read(lambda: db.session.scalar(query))


def set_status(reference: str, status: Status, note: str, by: str) -> Assessment:
    """Move an assessment along new -> contacted -> closed, with a note, who and when."""
    status = Status(status)  # ValueError for a code that is not a status
    assessment = find_assessment(reference)
    if assessment is None:
        raise LookupError(reference)
    now = datetime.now(UTC)
    with transaction():
        assessment.status, assessment.status_note = status, note or None
        assessment.status_by, assessment.status_at = by, now
        if status is Status.CONTACTED and assessment.contacted_at is None:
            assessment.contacted_at = now  # the first contact: how fast the call back came
    return assessment


def set_override(reference: str, level: Level, reason: str, by: str) -> Assessment:
    """A clinician's own urgency level for a record, with the reason, who and when (the tool's level
    stays as it was given); the level the tool gave clears the override."""
    assessment = find_assessment(reference)
    if assessment is None:
        raise LookupError(reference)
    with transaction():
        assessment.override_level = None if level.value == assessment.level else level.value
        assessment.override_reason = reason
        assessment.override_by, assessment.override_at = by, datetime.now(UTC)
    return assessment


# --- the dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    """What the dashboard counts of one record: plain data, no answers and no names."""

    created_at: datetime
    level: str
    override_level: str | None
    early_exit: bool
    callback_at: datetime | None  # the first call-back request, if any
    contacted_at: datetime | None


def dashboard_rows(since: datetime, until: datetime) -> list[DashboardRow]:
    """Every record that arrived in [since, until), oldest first, for the dashboard's figures."""
    first_callback = (
        select(func.min(CallbackRequest.created_at))
        .where(CallbackRequest.assessment_id == Assessment.id)
        .scalar_subquery()
    )
    query = (
        select(
            Assessment.created_at,
            Assessment.level,
            Assessment.override_level,
            Assessment.early_exit,
            first_callback,
            Assessment.contacted_at,
        )
        .where(Assessment.created_at >= utc(since), Assessment.created_at < utc(until))
        .order_by(Assessment.created_at, Assessment.id)
    )
    rows = read(lambda: list(db.session.execute(query)))
    return [
        DashboardRow(utc(c), level, override, bool(early), utc_or_none(cb), utc_or_none(contacted))
        for c, level, override, early, cb, contacted in rows
    ]


def record_call(
    reference: str,
    staff: str,
    caller_name: str | None,
    caller_phone: str | None,
    no_number_reason: str | None = None,
) -> None:
    """Note who took a phone assessment, the caller's name and phone, and why there is no number to
    call back where there is none (a blank keeps what was given)."""
    assessment = find_assessment(reference)
    if assessment is None:
        raise LookupError(reference)
    with transaction():
        assessment.recorded_by = staff
        assessment.caller_name = caller_name or assessment.caller_name
        assessment.caller_phone = caller_phone or assessment.caller_phone
        assessment.no_number_reason = no_number_reason or assessment.no_number_reason
