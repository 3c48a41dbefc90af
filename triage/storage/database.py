"""The storage modules' common ground: the SQLite connection's settings, one transaction per change,
and every database failure as StorageUnavailable."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from triage.extensions import db

T = TypeVar("T")
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """On SQLite, set up each new connection of the app's engine (see tune_sqlite)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", tune_sqlite)


def tune_sqlite(connection: Any, _record: object) -> None:
    """A new SQLite connection: owner-only files; the write-ahead log (readers never block the
    writer); a writer that finds the database busy waits for it, up to 10 s, instead of failing;
    foreign keys enforced."""
    cursor = connection.cursor()
    files = [Path(row[2]) for row in cursor.execute("PRAGMA database_list") if row[2]]
    make_private(files)  # before the write-ahead log exists: SQLite gives it the file's mode
    for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
    make_private([Path(f"{path}{suffix}") for path in files for suffix in ("-wal", "-shm")])


def make_private(paths: list[Path]) -> None:
    """Health data: the database's files readable and writable by their owner only (0600)."""
    for path in paths:
        try:
            if path.exists() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError as exc:  # not ours to change; the database still works
            log.warning("Could not make a database file private: %s", type(exc).__name__)


class StorageUnavailable(Exception):
    """The database could not be reached or refused the change; nothing was saved."""


def unavailable(exc: SQLAlchemyError, what: str) -> StorageUnavailable:
    """Log a failed database `what` by its error's type (never the data itself), as the
    StorageUnavailable to raise."""
    log.error("Database %s failed: %s", what, type(exc).__name__)
    return StorageUnavailable(type(exc).__name__)


@contextmanager
def transaction() -> Iterator[None]:
    """The session's changes in the block committed, or rolled back and StorageUnavailable."""
    try:
        yield
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise unavailable(exc, "operation") from exc


def read(query: Callable[[], T]) -> T:
    """The query's result; a failure rolled back and StorageUnavailable."""
    try:
        return query()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise unavailable(exc, "read") from exc


def add_unique(row: object, taken: str) -> None:
    """Add a row whose name must be unique; ValueError(taken) when it is not."""
    try:
        with transaction():
            db.session.add(row)
    except StorageUnavailable as exc:
        if isinstance(exc.__cause__, IntegrityError):
            raise ValueError(taken) from exc
        raise


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def utc(moment: datetime) -> datetime:
    """A time aware and in UTC, a naive one taken as UTC: to compare with stored times (SQLite
    compares the text it keeps, written in UTC), and for a stored time (SQLite gives it back
    without its zone)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def utc_or_none(moment: datetime | None) -> datetime | None:
    """utc(moment), or None."""
    return None if moment is None else utc(moment)
