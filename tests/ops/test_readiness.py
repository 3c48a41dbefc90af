"""Start-up refusal of an unprepared installation, and the two probes /healthz and /readyz."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask

from tests.support.database import UNOPENABLE_SQLITE
from triage import PROJECT_ROOT
from triage.ops import readiness
from triage.storage.models import AuditEntry


def test_the_latest_migration_read_from_the_files_is_alembics_head() -> None:
    scripts = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    assert readiness.latest_migration() == scripts.get_current_head()


def test_two_heads_in_the_migrations_are_refused(tmp_path: Path) -> None:
    for name, revision, down in (("a", "0001", "None"), ("b", "0002", '"0001"'), ("c", "0003", '"0001"')):
        (tmp_path / f"{name}.py").write_text(f'revision = "{revision}"\ndown_revision = {down}\n')
    with pytest.raises(RuntimeError, match="2 heads"):
        readiness.latest_migration(tmp_path)


def test_a_server_refuses_an_empty_database_and_names_the_one_command(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(SystemExit) as refused:
        readiness.refuse_to_serve_if_unprepared(app)
    message = str(refused.value)
    assert "the database schema is not set up" in message
    assert f"`{readiness.FIX}`" in message


def test_a_server_refuses_a_database_behind_the_latest_migration(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    app = make_app(database)
    from triage.extensions import db

    with app.app_context():
        db.session.execute(db.text("UPDATE alembic_version SET version_num = '0003'"))
        db.session.commit()
    with pytest.raises(SystemExit, match=r"at migration 0003, the latest migration is \d{4}"):
        readiness.refuse_to_serve_if_unprepared(app)


def test_a_prepared_installation_serves(make_app: Callable[..., Flask], database: Path | str) -> None:
    readiness.refuse_to_serve_if_unprepared(make_app(database))  # no SystemExit


def test_an_unreachable_database_does_not_stop_a_server(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    readiness.refuse_to_serve_if_unprepared(make_app(UNOPENABLE_SQLITE))
    assert "unreachable" in caplog.text


@pytest.fixture
def catalogues(tmp_path: Path) -> Path:
    """A copy of the page-text catalogues, compiled."""
    folder = tmp_path / "translations"
    shutil.copytree(readiness.CATALOGUES, folder, ignore=shutil.ignore_patterns("*.mo"))
    assert readiness.compile_catalogues(folder) == ["el", "en"]
    return folder


def test_compiled_catalogues_pass(catalogues: Path) -> None:
    assert readiness.catalogue_problems(("en", "el"), catalogues) == []


def test_a_missing_compiled_catalogue_is_a_problem(catalogues: Path) -> None:
    (catalogues / "el" / "LC_MESSAGES" / "messages.mo").unlink()
    compiled = catalogues / "el" / "LC_MESSAGES" / "messages.mo"
    assert readiness.catalogue_problems(("en", "el"), catalogues) == [
        f"the 'el' page texts are not compiled ({compiled} is missing)"
    ]


def test_a_catalogue_edited_after_compiling_is_a_problem(catalogues: Path) -> None:
    source = catalogues / "el" / "LC_MESSAGES" / "messages.po"
    compiled = source.with_suffix(".mo")
    os.utime(compiled, (source.stat().st_mtime - 60,) * 2)  # the source edited a minute after compiling
    assert readiness.catalogue_problems(("el",), catalogues) == [
        "the compiled 'el' page texts are older than messages.po"
    ]


def test_a_language_without_a_catalogue_is_a_problem(catalogues: Path) -> None:
    assert readiness.catalogue_problems(("fr",), catalogues)[0].startswith("no page-text catalogue for 'fr'")


# --- processes and the rate limits' store ---------------------------------------------------------


def test_several_processes_counting_limits_in_their_own_memory_are_refused(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    app = make_app(database, RATELIMIT_STORAGE_URI="memory://")
    with pytest.raises(SystemExit) as refused:
        readiness.announce_processes(app, workers=2, threads=4)
    message = str(refused.value)
    assert "2 worker processes" in message and "RATELIMIT_STORAGE_URI=memory://" in message
    assert "WEB_CONCURRENCY=1" in message and "RATELIMIT_STORAGE_URI=redis://" in message


def test_one_process_with_limits_in_memory_says_so_at_start_up(
    make_app: Callable[..., Flask], database: Path | str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", "triage.ops.readiness")
    readiness.announce_processes(make_app(database), workers=1, threads=8)
    assert "1 worker × 8 threads: rate limits counted in this process's memory" in caplog.text


def test_processes_sharing_a_store_say_which_kind_never_its_address(
    make_app: Callable[..., Flask], database: Path | str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", "triage.ops.readiness")
    app = make_app(database, RATELIMIT_STORAGE_URI="redis://:store-password@127.0.0.1:6379/2")
    readiness.announce_processes(app, workers=3, threads=4)  # no SystemExit
    assert "3 workers × 4 threads: rate limits counted in the shared store (redis://)" in caplog.text
    assert "store-password" not in caplog.text


# --- the probes ----------------------------------------------------------------------------------


def test_healthz_answers_without_a_cookie(app: Flask) -> None:
    answer = app.test_client().get("/healthz")
    assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})
    assert "Set-Cookie" not in answer.headers


def test_readyz_is_ready_on_a_prepared_installation(app: Flask) -> None:
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ready" and body["problems"] == []
    assert body["rules"]["version"]
    assert "Set-Cookie" not in answer.headers


def test_readyz_says_the_database_is_unreachable(make_app: Callable[..., Flask]) -> None:
    answer = make_app(UNOPENABLE_SQLITE).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["problems"] == ["the database is unreachable"]


def test_healthz_holds_while_the_database_is_unreachable(make_app: Callable[..., Flask]) -> None:
    assert make_app(UNOPENABLE_SQLITE).test_client().get("/healthz").status_code == 200


def test_the_probes_are_never_throttled_nor_audited(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    app = make_app(database, RATELIMIT_DEFAULT="2 per minute")  # every other page: two a minute
    client = app.test_client()
    statuses = {client.get(path).status_code for path in ("/healthz", "/readyz") * 5}
    assert statuses == {200}
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    from triage.extensions import db

    with app.app_context():
        assert db.session.query(AuditEntry).count() == 0
