"""On SQLite new rows are added by sqlite3 itself, with statements SQLAlchemy compiled once
(triage/storage/compiled.py): each row and alert holds, column for column and byte for byte, what
SQLAlchemy's own statements write; keys are still checked by the statement that saves; a failure
still leaves nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql, sqlite

from tests.support.api import issue_key
from tests.support.cases import vignettes
from tests.support.database import migrated_database
from triage.api.keys import key_hash
from triage.extensions import db, rules
from triage.storage import repository
from triage.storage.codes import AlertKind, Channel
from triage.storage.compiled import CompiledInsert
from triage.storage.models import Assessment
from triage.storage.repository import StorageUnavailable

VIGNETTES = vignettes()
#: Columns that differ between two rows of the same data by design.
OWN = {"id", "reference"}


@pytest.fixture
def sqlite_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    return make_app(migrated_database("sqlite", tmp_path / "database"))


def new_rows(app: Flask, key: str | None, alert: AlertKind | None) -> list[repository._New]:
    """One row for each vignette as save_assessment makes it, with an alert to queue."""
    made = []
    moment = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
    with app.app_context():
        for number, case in enumerate(VIGNETTES):
            outcome = rules.current.assess(case["answers"])
            row = {
                "reference": f"A{number:03d}-{'K' if key else 'P'}{'A' if alert else 'N'}00",
                "created_at": moment,
                "channel": Channel.API if key else Channel.ONLINE,
                "language": "el" if number % 2 else "en",
                "early_exit": outcome.partial,
                **repository._outcome_columns(outcome, f"told «{number}» ✓"),
            }
            alert_row = None
            if alert is not None:  # made now: at the same moment as the other database's
                alert_row = repository._alert_row(alert, row["reference"], row["level"])
                alert_row.update(created_at=moment, next_attempt_at=moment)
            made.append(repository._New(row, alert_row, None if key is None else key_hash(key)))
    return made


def stored(app: Flask, table: str) -> list[dict[str, Any]]:
    """Every row of `table` as SQLite holds it (the text of dates and JSON, 0 and 1), by reference."""
    with app.app_context(), db.engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608
    return sorted(rows, key=lambda row: str(row["reference"])[1:4])


def written_by(
    make_app: Callable[..., Flask], folder: Path, add: Callable[[list[repository._New]], None], key: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The assessments and alerts `add` writes, in a database of their own."""
    app = make_app(migrated_database("sqlite", folder))
    sent = issue_key(app, "kiosk") if key else None
    rows = new_rows(app, sent, AlertKind.EARLY_EXIT)
    with app.app_context():
        add(rows)
    assert not any(new.key_refused for new in rows)
    return stored(app, "assessments"), stored(app, "alert_outbox")


@pytest.mark.parametrize("key", [False, True], ids=["no-key", "with-a-key"])
def test_rows_added_by_sqlite3_hold_what_sqlalchemy_writes(
    make_app: Callable[..., Flask], tmp_path: Path, key: bool
) -> None:
    by_sqlalchemy = written_by(make_app, tmp_path / "core", repository._add_new, key)
    by_sqlite3 = written_by(make_app, tmp_path / "driver", repository._add_new_to_sqlite, key)
    for theirs, ours in zip(by_sqlalchemy, by_sqlite3, strict=True):
        assert len(ours) == len(VIGNETTES)
        for their_row, our_row in zip(theirs, ours, strict=True):
            assert {k: v for k, v in our_row.items() if k not in OWN} == {
                k: v for k, v in their_row.items() if k not in OWN
            }
    assessments = by_sqlite3[0]
    assert {row["status"] for row in assessments} == {"new"}  # the column's default, given by us
    assert {row["api_key"] for row in assessments} == ({"kiosk"} if key else {None})
    assert assessments[0]["created_at"] == "2026-12-02 09:30:15.123456"


def test_an_unknown_key_adds_neither_the_row_nor_its_alert(sqlite_app: Flask) -> None:
    issue_key(sqlite_app, "kiosk")
    rows = new_rows(sqlite_app, "st_never-issued", AlertKind.EARLY_EXIT)[:2]
    with sqlite_app.app_context():
        repository._add_new_to_sqlite(rows)
    assert [new.key_refused for new in rows] == [True, True]
    assert stored(sqlite_app, "assessments") == stored(sqlite_app, "alert_outbox") == []


def test_a_taken_reference_fails_the_whole_transaction_and_leaves_nothing(sqlite_app: Flask) -> None:
    rows = new_rows(sqlite_app, None, AlertKind.EARLY_EXIT)[:3]
    rows[2].assessment["reference"] = rows[0].assessment["reference"]
    with sqlite_app.app_context(), pytest.raises(StorageUnavailable) as failure:
        repository._add_new_to_sqlite(rows)
    assert type(failure.value.__cause__).__name__ == "IntegrityError"  # drawn again by save_assessment
    assert stored(sqlite_app, "assessments") == stored(sqlite_app, "alert_outbox") == []
    with sqlite_app.app_context():  # the connection went back to the pool usable
        repository._add_new_to_sqlite(rows[:2])
    assert len(stored(sqlite_app, "assessments")) == 2


def test_lost_tables_are_storage_unavailable(sqlite_app: Flask) -> None:
    rows = new_rows(sqlite_app, None, None)[:1]
    with sqlite_app.app_context():
        Assessment.__table__.drop(db.engine)  # type: ignore[attr-defined]
        with pytest.raises(StorageUnavailable):
            repository._add_new_to_sqlite(rows)


def test_a_needed_parameter_not_given_is_refused_when_compiled() -> None:
    columns = ("reference", "created_at", "level")
    statement = repository._insert_with_key(columns)
    with pytest.raises(ValueError, match="key_hash"):
        CompiledInsert.of(statement, columns, sqlite.dialect())
    compiled = CompiledInsert.of(statement, (*columns, "key_hash"), sqlite.dialect())
    assert compiled.names[-1] == "key_hash"
    assert dict(compiled.defaults) == {"early_exit": False, "partial": False, "status": "new"}


def test_only_positional_parameters_are_compiled() -> None:
    with pytest.raises(ValueError, match="positional"):
        CompiledInsert.of(insert(Assessment), ("reference",), postgresql.psycopg.dialect())
