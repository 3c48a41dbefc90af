"""`python -m triage backup DEST`: a copy of the SQLite database taken while it is in use, that a
new installation can be restored from."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from tests.support.cases import VIGNETTES
from tests.support.records import record, save
from triage.cli import main


def _backup(url: str, destination: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["backup", str(destination)], env={"DATABASE_URL": url})
    return result.exit_code, result.stdout, result.stderr


def test_a_backup_restores_every_saved_assessment(
    app: Flask, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    references = [save(app, case["answers"]) for case in VIGNETTES[:5]]
    copy = tmp_path / "backup.sqlite3"
    status, said, _ = _backup(app.config["SQLALCHEMY_DATABASE_URI"], copy)
    assert status == 0, said
    assert said.startswith("backed up ")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # health data, as private as the database
    save(app, VIGNETTES[5]["answers"])  # after the backup: not in it
    restored = make_app(f"sqlite:///{copy}")  # a new installation on the backup file itself
    for reference in references:
        assert record(restored, reference).level == record(app, reference).level
    with restored.app_context():
        from triage.extensions import db
        from triage.storage.models import Assessment

        assert db.session.query(Assessment).count() == len(references)


def test_a_backup_never_overwrites_a_file(app: Flask, tmp_path: Path) -> None:
    existing = tmp_path / "taken.sqlite3"
    existing.write_text("keep me")
    status, _, problem = _backup(app.config["SQLALCHEMY_DATABASE_URI"], existing)
    assert status == 1
    assert "exists" in problem
    assert existing.read_text() == "keep me"


def test_on_postgresql_the_command_points_to_pg_dump(tmp_path: Path) -> None:
    status, _, problem = _backup("postgresql+psycopg://triage:triage@127.0.0.1:1/triage_test", tmp_path / "x")
    assert status == 2
    assert "pg_dump" in problem
    assert not (tmp_path / "x").exists()
