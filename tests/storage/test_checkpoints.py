"""SQLite: the write-ahead log is copied into the database after a writer's turn, now and then, not
inside a commit while every other writer waits for it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from tests.support.cases import VIGNETTE
from tests.support.database import migrated_database
from tests.support.flow import RULES
from triage.extensions import db
from triage.storage import repository
from triage.storage.codes import Channel

OUTCOME = RULES.assess(VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"])


def _main_file(app: Flask) -> str:
    """A fingerprint of the database file itself (what is only in the log leaves it unchanged)."""
    with app.app_context():
        path = Path(str(db.engine.url.database))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def sqlite_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app on a migrated SQLite file (PostgreSQL keeps its own log)."""
    return make_app(migrated_database("sqlite", tmp_path / "database"))


def test_sqlite_leaves_the_log_alone_and_a_writer_copies_it_once_in_so_many_writes(
    sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = sqlite_app
    monkeypatch.setattr(repository, "CHECKPOINT_EVERY_WRITES", 3)
    monkeypatch.setattr(repository, "_writes_since_checkpoint", 0)
    with app.app_context():
        assert db.session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        db.session.remove()
        before = _main_file(app)
        for _ in range(2):
            repository.save_assessment(OUTCOME, Channel.API, "en")
        assert _main_file(app) == before  # both rows are in the log only
        repository.save_assessment(OUTCOME, Channel.API, "en")  # the third: copied after its turn
    assert _main_file(app) != before
    assert repository._writes_since_checkpoint == 0


def test_a_checkpoint_that_fails_loses_nothing_and_is_only_logged(
    sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = sqlite_app

    class Refusing:
        def connect(self) -> None:
            raise OperationalError("PRAGMA wal_checkpoint", {}, Exception("disk I/O error"))

    monkeypatch.setattr(repository, "_writes_since_checkpoint", repository.CHECKPOINT_EVERY_WRITES)
    with caplog.at_level(logging.WARNING, logger="triage.storage.repository"):
        repository._checkpoint_now_and_then(Refusing())  # type: ignore[arg-type]
    assert "checkpoint failed: OperationalError" in caplog.text
    with app.app_context():
        reference = repository.save_assessment(OUTCOME, Channel.API, "en")
        assert repository.find_assessment(reference) is not None


def test_sqlite_uses_the_connection_used_last_next(sqlite_app: Flask, make_app: Callable[..., Flask]) -> None:
    """Each connection keeps its own cache of the file's pages: the warmest is the one used last."""
    with sqlite_app.app_context():
        engine = db.engine
        first, second = engine.connect(), engine.connect()
        used = [first.connection.dbapi_connection, second.connection.dbapi_connection]
        first.close()
        second.close()  # the one used last
        with engine.connect() as again:
            assert again.connection.dbapi_connection is used[1]
    in_memory = make_app("sqlite://")  # one connection, no pool to order
    with in_memory.app_context():
        assert "pool_use_lifo" not in in_memory.config["SQLALCHEMY_ENGINE_OPTIONS"]
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
