"""The one place that talks to the database. Every failure becomes StorageUnavailable."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.dml import Insert

from triage.engine import Level, Outcome
from triage.extensions import db
from triage.storage.codes import Action, AlertKind, Channel, KeyScope, Status, TimeWindow
from triage.storage.compiled import CompiledInsert
from triage.storage.models import AlertOutbox, ApiKey, Assessment, AuditEntry, CallbackRequest, StaffUser
from triage.storage.references import new_reference, normalise_reference
from triage.storage.turns import WriterTurns

T = TypeVar("T")
#: A query of any columns (the queue's filters apply to any).
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")
log = logging.getLogger(__name__)
_REFERENCE_ATTEMPTS = 5
_INSERT_ASSESSMENT = insert(Assessment)
_INSERT_ALERT = insert(AlertOutbox)


@event.listens_for(Engine, "connect")
def _tune_sqlite(connection: object, _record: object) -> None:
    """SQLite: owner-only files, write-ahead log (readers never block the writer), wait for locks,
    enforce keys."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        files = [Path(row[2]) for row in cursor.execute("PRAGMA database_list") if row[2]]
        _make_private(files)  # before the write-ahead log exists: SQLite gives it the file's mode
        # wal_autocheckpoint=0: the log is copied into the database after a writer's turn, not
        # inside its commit (see _checkpoint_now_and_then).
        pragmas = ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL")
        for pragma in (*pragmas, "wal_autocheckpoint=0"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        _make_private([Path(f"{path}{suffix}") for path in files for suffix in ("-wal", "-shm")])


def _make_private(paths: list[Path]) -> None:
    """Health data: the database's files readable and writable by their owner only (0600)."""
    for path in paths:
        try:
            if path.exists() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError as exc:  # not ours to change; the database still works
            log.warning("Could not make a database file private: %s", type(exc).__name__)


class StorageUnavailable(Exception):
    """The database could not be reached or refused the change; nothing was saved."""


def _unavailable(exc: SQLAlchemyError, what: str) -> StorageUnavailable:
    """Log a failed database `what` by its error's type (never the data itself), as the
    StorageUnavailable to raise."""
    log.error("Database %s failed: %s", what, type(exc).__name__)
    return StorageUnavailable(type(exc).__name__)


@dataclass(frozen=True)
class Purged:
    """How many rows a purge deleted."""

    assessments: int
    callbacks: int


#: SQLite takes one writer at a time: its writers take turns here (see triage/storage/turns.py).
_SQLITE_WRITERS = WriterTurns()


@contextmanager
def _transaction() -> Iterator[None]:
    engine = db.engine
    sqlite = engine.dialect.name == "sqlite"
    with _SQLITE_WRITERS.turn(engine.url.database) if sqlite else nullcontext(), _committed():
        yield
    if sqlite:
        _checkpoint_now_and_then(engine)


#: SQLite: a process copies the write-ahead log into the database once in this many of its writes.
CHECKPOINT_EVERY_WRITES = 500
_writes_since_checkpoint = 0


def _checkpoint_now_and_then(engine: Engine) -> None:
    """Copy the write-ahead log into the database now and then, after a writer's turn.

    SQLite's own checkpoint (every 1,000 pages of log) runs inside the commit that crosses the
    line: it copies the pages and waits for the disk twice (7–8 ms here), while this writer holds
    the turn that every other writer is waiting for. Here it runs after the turn has passed on, as
    a PASSIVE checkpoint, which never waits for a writer or reader and lets writers go on meanwhile.
    A database's last connection to close also checkpoints it (SQLite's own), so a command that
    writes a little and ends leaves no long log behind."""
    global _writes_since_checkpoint
    _writes_since_checkpoint += 1  # under the GIL; an odd lost count only moves the next one
    if _writes_since_checkpoint < CHECKPOINT_EVERY_WRITES:
        return
    _writes_since_checkpoint = 0
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except SQLAlchemyError as exc:  # the writes are saved; the next checkpoint copies them
        log.warning("SQLite checkpoint failed: %s", type(exc).__name__)


@contextmanager
def _committed() -> Iterator[None]:
    """The session's changes in the block committed, or rolled back and StorageUnavailable."""
    try:
        yield
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise _unavailable(exc, "operation") from exc


class KeyNotActive(LookupError):
    """The API key an assessment came with is unknown or revoked: it was not saved."""


def save_assessment(
    outcome: Outcome,
    channel: Channel,
    language: str,
    told: str | None = None,
    api_key_hash: str | None = None,
    alert: AlertKind | None = None,
) -> str:
    """Save an assessment (a partial outcome is an early exit); returns its new reference code.

    `told`: what the person was told, as shown; `api_key_hash`: the hash of the API key it came
    with, checked by the statement that saves it, which records the key's name (KeyNotActive: no
    active key has this hash, and nothing was saved); `alert`: an alert email to queue about it,
    in the same transaction.
    """
    row = {
        "created_at": datetime.now(UTC),
        "channel": channel,
        "language": language,
        "early_exit": outcome.partial,
        **_outcome_columns(outcome, told),
    }
    for _ in range(_REFERENCE_ATTEMPTS):
        reference = new_reference()
        alert_row = None if alert is None else _alert_row(alert, reference, row["level"])
        new = _New({"reference": reference, **row}, alert_row, api_key_hash)
        try:
            engine = db.engine
            if engine.dialect.name == "sqlite":  # with the rows other threads are adding now
                _SQLITE_WRITERS.together(engine.url.database, new, _add_new_to_sqlite)
                _checkpoint_now_and_then(engine)
            else:
                _add_new([new])
        except StorageUnavailable as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            continue  # the reference was taken (by this row or one written with it): draw another
        if new.key_refused:
            raise KeyNotActive
        return reference
    raise StorageUnavailable("no free reference code")


@dataclass(eq=False)
class _New:
    """A new assessment's row, the row of the alert to queue about it (if any), and the hash of the
    API key it came with (if any): once written, whether that key was refused (nothing saved)."""

    assessment: dict[str, Any]
    alert: dict[str, Any] | None
    key_hash: str | None = None
    key_refused: bool = False


def _add_new(rows: list[_New]) -> None:
    """Add new assessments (and their alerts) in one transaction, on a connection of its own without
    the ORM session (nothing is read back, no object is built only to be flushed; the columns'
    defaults still apply). On SQLite: _add_new_to_sqlite."""
    with _core() as connection, connection.begin():
        _add_rows(rows, _Executed(connection))


def _add_new_to_sqlite(rows: list[_New]) -> None:
    """_add_new on SQLite: the same statements, compiled once and run by sqlite3 on a connection of
    the pool (see triage/storage/compiled.py), in one transaction; called in the writers' turn. The
    driver's errors are raised as SQLAlchemy's own would be (a taken reference: IntegrityError)."""
    engine = db.engine
    try:
        pooled = engine.raw_connection()  # a failure to connect: the driver's own error, unwrapped
        try:
            driver = pooled.driver_connection
            if not isinstance(driver, sqlite3.Connection):  # the pool gave a closed one
                raise sqlite3.InterfaceError("no connection")
            driver.execute("BEGIN")
            try:
                _add_rows(rows, _RunBySQLite(driver, engine.dialect))
                driver.commit()
            except BaseException:
                driver.rollback()
                raise
        finally:
            pooled.close()
    except sqlite3.Error as exc:
        wrapped = DBAPIError.instance(None, None, exc, sqlite3.Error, hide_parameters=True)
        raise _unavailable(wrapped, "operation") from wrapped
    except SQLAlchemyError as exc:  # the pool's own (none free in time)
        raise _unavailable(exc, "operation") from exc


def _add_rows(rows: list[_New], run: _Inserts) -> None:
    """One INSERT for the rows without an API key, and one for each row with one, which copies the
    key's name in if the key is active and else adds nothing; then the alerts of the rows added."""
    plain = [new.assessment for new in rows if new.key_hash is None]
    if plain:
        run.many(_INSERT_ASSESSMENT, plain)
    for new in rows:
        if new.key_hash is not None:
            with_key = _insert_with_key(tuple(new.assessment))
            new.key_refused = run.one(with_key, {**new.assessment, "key_hash": new.key_hash}) == 0
    alerts = [new.alert for new in rows if new.alert is not None and not new.key_refused]
    if alerts:
        run.many(_INSERT_ALERT, alerts)


class _Inserts(Protocol):
    def many(self, statement: Insert, rows: list[dict[str, Any]]) -> None:
        """Run `statement` once for each row (all with the same keys)."""

    def one(self, statement: Insert, row: dict[str, Any]) -> int:
        """Run `statement` for one row; the number of rows it added."""


@dataclass(frozen=True)
class _Executed:
    """Inserts executed by SQLAlchemy on a connection."""

    connection: Connection

    def many(self, statement: Insert, rows: list[dict[str, Any]]) -> None:
        self.connection.execute(statement, rows)

    def one(self, statement: Insert, row: dict[str, Any]) -> int:
        return self.connection.execute(statement, row).rowcount


@dataclass(frozen=True)
class _RunBySQLite:
    """Inserts compiled by SQLAlchemy for the dialect, run by sqlite3 on its connection."""

    driver: sqlite3.Connection
    dialect: Dialect

    def many(self, statement: Insert, rows: list[dict[str, Any]]) -> None:
        self.driver.executemany(*_compiled(self.dialect, statement, tuple(rows[0])).many(rows))

    def one(self, statement: Insert, row: dict[str, Any]) -> int:
        return self.driver.execute(*_compiled(self.dialect, statement, tuple(row)).one(row)).rowcount


@functools.lru_cache(maxsize=64)  # a few statements for each engine (a test run makes many engines)
def _compiled(dialect: Dialect, statement: Insert, given: tuple[str, ...]) -> CompiledInsert:
    return CompiledInsert.of(statement, given, dialect)


@functools.cache
def _insert_with_key(columns: tuple[str, ...]) -> Insert:
    """The INSERT of a new assessment's `columns` sent with an API key: the key is checked by the
    statement that saves (no read of its own on every API request), which copies the name of the
    active key with the hash `key_hash` in, and adds nothing when there is none. Made once for the
    columns save_assessment gives (a statement used again keeps its compiled form); its row count
    (kept: SQLAlchemy keeps it only for UPDATE and DELETE) is 0 when the key is not active."""
    table = Assessment.__table__
    chosen = select(*(bindparam(name, type_=table.c[name].type) for name in columns), ApiKey.name).where(
        ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None)
    )
    return (
        insert(Assessment)
        .from_select([*columns, "api_key"], chosen)
        .execution_options(preserve_rowcount=True)
    )


@contextmanager
def _core() -> Iterator[Connection]:
    """A connection of the engine's own, for a statement that needs no ORM session (half the cost
    of one); a failure becomes StorageUnavailable."""
    try:
        with db.engine.connect() as connection:
            yield connection
    except SQLAlchemyError as exc:
        raise _unavailable(exc, "operation") from exc


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
    with _transaction():
        for name, value in _outcome_columns(outcome, told).items():
            setattr(assessment, name, value)
        assessment.updated_at = datetime.now(UTC)
        if alert is not None:
            db.session.add(_alert(alert, assessment.reference, assessment.level))


def _outcome_columns(outcome: Outcome, told: str | None) -> dict[str, Any]:
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
    return _read(lambda: db.session.scalars(query).first())


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
    with _transaction():
        db.session.add(request)
        if alert is not None:
            db.session.add(_alert(alert, assessment.reference, assessment.level))
    return request


def purge(retention: timedelta, now: datetime | None = None) -> Purged:
    """Delete assessments older than the retention period, with their call-back requests."""
    cutoff = (now or datetime.now(UTC)) - retention
    old = select(Assessment.id).where(Assessment.created_at < cutoff)
    with _transaction():
        callbacks = db.session.execute(delete(CallbackRequest).where(CallbackRequest.assessment_id.in_(old)))
        assessments = db.session.execute(delete(Assessment).where(Assessment.created_at < cutoff))
        db.session.execute(delete(AlertOutbox).where(AlertOutbox.created_at < cutoff))
    return Purged(assessments.rowcount, callbacks.rowcount)  # type: ignore[attr-defined]


# --- the reception queue ------------------------------------------------------------------------

#: The level the practice acts on: a clinician's override where there is one, else the tool's.
_LEVEL = func.coalesce(Assessment.override_level, Assessment.level)
_URGENCY = case({level.value: level.rank for level in Level}, value=_LEVEL, else_=0)
#: Records staff can act on: a call-back request, or a phone call.
_ACTIONABLE = or_(Assessment.channel == Channel.PHONE, Assessment.callbacks.any())


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


#: For each level, records at it that arrived before this time and are still new are overdue
#: (from the level's target: triage.engine.model.Target.overdue_before).
OverdueBefore = Mapping[Level, datetime]


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
    return _read(lambda: list(db.session.scalars(query)))


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
        query = query.where(Assessment.created_at >= _start_of(filters.since))
    if filters.until:
        query = query.where(Assessment.created_at < _start_of(filters.until + timedelta(days=1)))
    return query


def _overdue(overdue_before: OverdueBefore) -> ColumnElement[bool]:
    """Still new, and arrived before its level's cut-off (the override's level where there is one)."""
    late = [
        and_(_LEVEL == level.value, Assessment.created_at < _utc(before))  # noqa: SIM300  (a column)
        for level, before in overdue_before.items()
    ]
    return and_(Assessment.status == Status.NEW, or_(*late))


def overdue_count(overdue_before: OverdueBefore) -> int:
    """How many records staff can act on are still new past their level's target."""
    query = select(func.count(Assessment.id)).where(_ACTIONABLE, _overdue(overdue_before))
    return _read(lambda: int(db.session.scalar(query) or 0))


@dataclass(frozen=True)
class QueueNews:
    """What the queue's page asks while it is open: how many records arrived since it was shown,
    and when the newest did. No health data."""

    count: int
    newest: datetime | None


def queue_news(filters: QueueFilter, after: datetime) -> QueueNews:
    """The records these filters show that arrived after `after`: how many, and the newest's time."""
    query = _filtered(select(func.count(Assessment.id), func.max(Assessment.created_at)), filters).where(
        Assessment.created_at > _utc(after)
    )
    count, newest = _read(lambda: db.session.execute(query).one())
    return QueueNews(int(count or 0), newest)


def newest_arrival(filters: QueueFilter) -> datetime | None:
    """When the newest record these filters show arrived (None: there is none)."""
    query = _filtered(select(func.max(Assessment.created_at)), filters)
    return _read(lambda: db.session.scalar(query))


def set_status(reference: str, status: Status, note: str, by: str) -> Assessment:
    """Move an assessment along new -> contacted -> closed, with a note, who and when."""
    status = Status(status)  # ValueError for a code that is not a status
    assessment = find_assessment(reference)
    if assessment is None:
        raise LookupError(reference)
    now = datetime.now(UTC)
    with _transaction():
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
    with _transaction():
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
        .where(Assessment.created_at >= _utc(since), Assessment.created_at < _utc(until))
        .order_by(Assessment.created_at, Assessment.id)
    )
    rows = _read(lambda: list(db.session.execute(query)))
    return [
        DashboardRow(_utc(c), level, override, bool(early), _or_none(cb), _or_none(contacted))
        for c, level, override, early, cb, contacted in rows
    ]


def record_call(reference: str, staff: str, caller_name: str | None, caller_phone: str | None) -> None:
    """Note who took a phone assessment and the caller's name and phone (a blank keeps what was given)."""
    assessment = find_assessment(reference)
    if assessment is None:
        raise LookupError(reference)
    with _transaction():
        assessment.recorded_by = staff
        assessment.caller_name = caller_name or assessment.caller_name
        assessment.caller_phone = caller_phone or assessment.caller_phone


# --- the alert outbox ---------------------------------------------------------------------------


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


def _alert(kind: AlertKind, reference: str, level: str) -> AlertOutbox:
    return AlertOutbox(**_alert_row(kind, reference, level))


def _alert_row(kind: AlertKind, reference: str, level: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"kind": kind, "reference": reference, "level": level, "created_at": now, "next_attempt_at": now}


def _account_alert(kind: AlertKind, username: str) -> AlertOutbox:
    now = datetime.now(UTC)
    return AlertOutbox(kind=kind, account=username, created_at=now, next_attempt_at=now)


def queue_account_alert(kind: AlertKind, username: str) -> None:
    """Queue an alert to the admins about a staff account."""
    with _transaction():
        db.session.add(_account_alert(kind, username))


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
    candidates = _read(lambda: list(db.session.scalars(due)))
    taken = []
    with _transaction():
        for alert_id in candidates:
            result = db.session.execute(
                update(AlertOutbox)
                .where(AlertOutbox.id == alert_id, AlertOutbox.sent_at.is_(None), free)
                .values(claimed_until=now + hold, claim=claim)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                taken.append(alert_id)
    rows = _read(lambda: list(db.session.scalars(select(AlertOutbox).where(AlertOutbox.id.in_(taken)))))
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
    with _transaction():
        db.session.execute(
            update(AlertOutbox)
            .where(AlertOutbox.id == alert_id, AlertOutbox.claim == claim)
            .values(sent_at=datetime.now(UTC), claimed_until=None)
        )


def alert_failed(alert_id: int, claim: str, error: str, retry_at: datetime) -> None:
    """The claimed alert could not be sent: count the attempt and try again at `retry_at`."""
    with _transaction():
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


# --- staff accounts ------------------------------------------------------------------------------


def find_user(username: str) -> StaffUser | None:
    """The account with this username, if any."""
    return _read(lambda: db.session.scalars(select(StaffUser).where(StaffUser.username == username)).first())


def users() -> list[StaffUser]:
    """Every account, by username."""
    return _read(lambda: list(db.session.scalars(select(StaffUser).order_by(StaffUser.username))))


def get_user(user_id: int) -> StaffUser | None:
    """The account with this id, if any."""
    return _read(lambda: db.session.get(StaffUser, user_id))


def create_user(username: str, display_name: str, role: str, password_hash: str) -> StaffUser:
    """Add an account; raises ValueError when the username is taken."""
    user = StaffUser(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
        active=True,
        failed_logins=0,
        created_at=datetime.now(UTC),
    )
    _add_unique(user, f"the username {username!r} is taken")
    return user


def end_sessions(user: StaffUser) -> None:
    """End every session of this account, wherever its cookie is (its session version moves on)."""
    with _transaction():
        user.session_version = StaffUser.session_version + 1  # counted in SQL: two log-outs both count


def update_user(user: StaffUser, **changes: object) -> None:
    """Change an account's fields (active, password_hash, failed_logins, locked_until)."""
    with _transaction():
        for name, value in changes.items():
            setattr(user, name, value)


def end_session_version(user_id: int, version: int) -> bool:
    """End the sessions of an account that began with `version` (a logout recorded late); False
    when they have ended already (its version moved on since, or the account is gone)."""
    with _transaction():
        result = db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id, StaffUser.session_version == version)
            .values(session_version=StaffUser.session_version + 1)
        )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


# The second factor changes by compare-and-set: each UPDATE says what it expects to find, and the
# database applies it to one request only, whichever server each is on.


def enrol_mfa(user: StaffUser, sealed_secret: str, recovery: list[str], step: int, alert: bool) -> bool:
    """Set up the account's second factor, unless one was set up meanwhile: audited, and queued
    for the admins (`alert`), in the same transaction. Whether it was set up."""
    with _transaction():
        result = db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id, StaffUser.mfa_secret.is_(None))
            .values(
                mfa_secret=sealed_secret,
                mfa_recovery=recovery,
                mfa_last_step=step,
                mfa_changes=StaffUser.mfa_changes + 1,
                failed_logins=0,
                locked_until=None,
            )
        )
        done = bool(result.rowcount == 1)  # type: ignore[attr-defined]
        if done:
            _add_audit(user.username, Action.MFA_ENROL)
            if alert:
                db.session.add(_account_alert(AlertKind.MFA_ENROLLED, user.username))
    db.session.refresh(user)
    return done


def reset_mfa(user: StaffUser, by: str, alert: bool) -> None:
    """Forget the account's second factor and end its sessions: audited (as done by `by`), and
    queued for the admins (`alert`), in the same transaction."""
    with _transaction():
        db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id)
            .values(
                mfa_secret=None,
                mfa_recovery=None,
                mfa_last_step=None,
                mfa_changes=StaffUser.mfa_changes + 1,
                session_version=StaffUser.session_version + 1,
            )
        )
        _add_audit(by, Action.MFA_RESET, target=user.username)
        if alert:
            db.session.add(_account_alert(AlertKind.MFA_RESET, user.username))
    db.session.refresh(user)


def spend_totp_step(user: StaffUser, step: int) -> bool:
    """Take the code of time step `step` for the account's current secret, unless that step (or a
    later one) was taken already: whether this request took it."""
    with _transaction():
        result = db.session.execute(
            update(StaffUser)
            .where(
                StaffUser.id == user.id,
                StaffUser.mfa_secret == user.mfa_secret,
                or_(StaffUser.mfa_last_step.is_(None), StaffUser.mfa_last_step < step),
            )
            .values(mfa_last_step=step)
        )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def spend_recovery_code(user: StaffUser, stored: str) -> int | None:
    """Use up the recovery code kept as `stored`: how many are left, or None when it is not (or no
    longer) one of the account's. Another code used at the same moment is waited out and tried again."""
    for _ in range(_SPEND_ATTEMPTS):
        db.session.refresh(user)
        codes = list(user.mfa_recovery or [])
        if stored not in codes:
            return None
        left = [code for code in codes if code != stored]
        with _transaction():
            result = db.session.execute(
                update(StaffUser)
                .where(StaffUser.id == user.id, StaffUser.mfa_changes == user.mfa_changes)
                .values(mfa_recovery=left, mfa_changes=StaffUser.mfa_changes + 1)
            )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return len(left)
    return None


_SPEND_ATTEMPTS = 5


class CodeAttempt(StrEnum):
    """Whether a second-factor code may be checked: yes; yes, the last before the account locks
    (a wrong one locks it); no, the account is locked."""

    ALLOWED = "allowed"
    LAST = "last"
    LOCKED = "locked"


def take_code_attempt(user: StaffUser, most: int, lock_until: datetime) -> CodeAttempt:
    """Count a second-factor code about to be checked among the account's codes since its last right
    one: the `most`-th locks the account until `lock_until` (lifted if that code is right); none is
    checked while it is locked. A lock that has run out starts the count again."""
    unlocked = or_(StaffUser.locked_until.is_(None), StaffUser.locked_until <= datetime.now(UTC))
    lapsed = StaffUser.locked_until.is_not(None)
    count = case((lapsed, 1), else_=StaffUser.failed_logins + 1)
    with _transaction():
        taken = db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id, unlocked)
            .values(failed_logins=count, locked_until=case((count >= most, lock_until), else_=None))
            .returning(StaffUser.locked_until)
            .execution_options(synchronize_session=False)  # compared in SQL: SQLite's times are naive
        ).first()
    if taken is None:
        return CodeAttempt.LOCKED
    return CodeAttempt.ALLOWED if taken.locked_until is None else CodeAttempt.LAST


def code_was_right(user: StaffUser) -> None:
    """The code checked was right: the count starts again, and the last try's lock is lifted."""
    with _transaction():
        db.session.execute(
            update(StaffUser).where(StaffUser.id == user.id).values(failed_logins=0, locked_until=None)
        )


def locked_users(now: datetime | None = None) -> list[StaffUser]:
    """The accounts whose second factor is locked now, by username."""
    moment = now or datetime.now(UTC)
    query = select(StaffUser).where(StaffUser.locked_until > moment).order_by(StaffUser.username)
    return _read(lambda: list(db.session.scalars(query)))


def unlock(user: StaffUser, by: str) -> None:
    """Lift the account's lock and forget its wrong codes: audited as done by `by`."""
    with _transaction():
        db.session.execute(
            update(StaffUser).where(StaffUser.id == user.id).values(failed_logins=0, locked_until=None)
        )
        _add_audit(by, Action.UNLOCK, target=user.username)
    db.session.refresh(user)


# --- API keys ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveKey:
    """An unrevoked API key: its name and what it may do."""

    name: str
    scope: KeyScope


def create_api_key(name: str, key_hash: str, scope: KeyScope = KeyScope.SAVE) -> ApiKey:
    """Add an API key by its hash; raises ValueError when the name is taken."""
    key = ApiKey(name=name, key_hash=key_hash, created_at=datetime.now(UTC), scope=scope)
    _add_unique(key, f"an API key named {name!r} exists (revoked keys keep their name)")
    return key


def api_keys() -> list[ApiKey]:
    """Every API key, revoked ones included, oldest first."""
    return _read(lambda: list(db.session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))))


def active_api_key(key_hash: str) -> ActiveKey | None:
    """The unrevoked API key with this hash, if any (asked on every API read: two columns, read
    without the ORM session)."""
    with _core() as connection:
        row = connection.execute(_ACTIVE_KEY, {"key_hash": key_hash}).first()
    return None if row is None else ActiveKey(row.name, KeyScope(row.scope))


#: Built once: a statement used again keeps its compiled form and cache key.
_ACTIVE_KEY = (
    select(ApiKey.name, ApiKey.scope)
    .where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))
    .limit(1)
)


def revoke_api_key(name: str) -> ApiKey:
    """Revoke the API key with this name (LookupError: there is none, or it is revoked already)."""
    key = _read(lambda: db.session.scalars(select(ApiKey).where(ApiKey.name == name)).first())
    if key is None or key.revoked_at is not None:
        raise LookupError(f"no active API key {name!r}")
    with _transaction():
        key.revoked_at = datetime.now(UTC)
    return key


# --- the audit trail -----------------------------------------------------------------------------


def audit(username: str, action: Action, target: str | None = None, detail: str | None = None) -> None:
    """Record who did what to which record. Never patient data: a reference code at most."""
    with _transaction():
        _add_audit(username, action, target, detail)


def _add_audit(username: str, action: Action, target: str | None = None, detail: str | None = None) -> None:
    db.session.add(
        AuditEntry(at=datetime.now(UTC), username=username, action=action, target=target, detail=detail)
    )


def audit_trail(limit: int = 500) -> list[AuditEntry]:
    """The most recent audit entries, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return _read(lambda: list(db.session.scalars(query)))


def _add_unique(row: object, taken: str) -> None:
    """Add a row whose name must be unique; ValueError(taken) when it is not."""
    try:
        with _transaction():
            db.session.add(row)
    except StorageUnavailable as exc:
        if isinstance(exc.__cause__, IntegrityError):
            raise ValueError(taken) from exc
        raise


def _read(query: Callable[[], T]) -> T:
    try:
        return query()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise _unavailable(exc, "read") from exc


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    """A time aware and in UTC, a naive one taken as UTC: to compare with stored times (SQLite
    compares the text it keeps, written in UTC), and for a stored time (SQLite gives it back
    without its zone)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)
