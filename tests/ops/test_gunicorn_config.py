"""deploy/gunicorn.conf.py: what it sets up before each worker is forked."""

from __future__ import annotations

import gc
import runpy
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_before_a_worker_is_forked_the_loaded_objects_are_set_aside_from_the_garbage_collector() -> None:
    settings = runpy.run_path(str(CONFIG))
    loaded = len(gc.get_objects())
    assert gc.get_freeze_count() == 0
    settings["pre_fork"](server=None, worker=None)
    assert gc.get_freeze_count() >= loaded // 2  # the app's objects, not only a few
    assert len(gc.get_objects()) < loaded // 2  # a worker's full collections no longer walk them
    settings["pre_fork"](server=None, worker=None)  # the next worker: what the master made since
    assert gc.get_freeze_count() >= loaded // 2


def test_the_workers_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    settings = runpy.run_path(str(CONFIG))
    assert (settings["workers"], settings["threads"], settings["worker_class"]) == (3, 6, "gthread")
    assert settings["preload_app"] is True and settings["accesslog"] is None


def test_with_rate_limits_counted_in_memory_one_process_serves_them_all_with_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The default store (memory://) is each process's own: one process, so the limits are counted once."""
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(CONFIG))
    assert settings["workers"] == 1
    assert settings["threads"] > 1


def test_with_a_shared_store_the_default_is_a_process_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert runpy.run_path(str(CONFIG))["workers"] == 2


def test_it_listens_on_this_machine_only_unless_bind_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIND", raising=False)
    assert runpy.run_path(str(CONFIG))["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("BIND", "unix:/run/spine-triage/gunicorn.sock")
    assert runpy.run_path(str(CONFIG))["bind"] == "unix:/run/spine-triage/gunicorn.sock"


def test_make_serve_runs_gunicorn_from_this_file_without_an_address_of_its_own() -> None:
    """Where it listens is the file's (BIND), not a --bind in the Makefile."""
    planned = subprocess.run(
        ["make", "--dry-run", "--always-make", "serve"],
        cwd=CONFIG.parents[1],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    serve = [line for line in planned.splitlines() if "gunicorn" in line]
    assert serve == [".venv/bin/gunicorn -c deploy/gunicorn.conf.py run:app"]
