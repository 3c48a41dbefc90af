"""Retention: assessments older than the retention period go, with their call-back requests;
by the function and by `python -m triage purge [--days N]`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result
from flask import Flask

import triage
from tests.support.apps import dispose
from tests.support.cases import vignettes
from tests.support.database import UNOPENABLE_SQLITE
from tests.support.records import assessments, callbacks
from triage.cli import main
from triage.engine import load_rules
from triage.extensions import db
from triage.storage.repository import (
    Purged,
    StorageUnavailable,
    find_assessment,
    purge,
    save_assessment,
    save_callback,
)

OUTCOME = load_rules().assess(vignettes()[0]["answers"])
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def seed(app: Flask, ages: dict[str, tuple[timedelta, int]], now: datetime) -> dict[str, str]:
    """Save an assessment per label, `age` before `now`, with `n` call-back requests; the references."""
    references = {}
    with app.app_context():
        for label, (age, requests) in ages.items():
            reference = save_assessment(OUTCOME, channel="online", language="en")
            for _ in range(requests):
                save_callback(reference, "Eleni Ioannou", "+306941234567", "any")
            row = find_assessment(reference)
            assert row is not None
            row.created_at = now - age
            for request in row.callbacks:
                request.created_at = request.consent_at = now - age
            db.session.commit()
            references[label] = reference
    return references


def kept(app: Flask) -> tuple[set[str], set[str]]:
    """The references of the assessments left, and of the assessments of the call-back requests left."""
    return {row["reference"] for row in assessments(app)}, {row["reference"] for row in callbacks(app)}


def test_purge_deletes_what_is_older_than_the_retention_with_its_call_backs(app: Flask) -> None:
    references = seed(
        app,
        {
            "a year": (365 * DAY, 2),
            "91 days": (91 * DAY, 0),
            "90 days and a minute": (90 * DAY + timedelta(minutes=1), 1),
            "89 days and 23 hours": (90 * DAY - timedelta(hours=1), 1),
            "a week": (7 * DAY, 2),
            "today": (timedelta(0), 0),
        },
        NOW,
    )
    with app.app_context():
        assert purge(timedelta(days=90), now=NOW) == Purged(assessments=3, callbacks=3)
    young = {references["89 days and 23 hours"], references["a week"], references["today"]}
    assert kept(app) == (young, young - {references["today"]})
    assert len(callbacks(app)) == 3
    with app.app_context():
        assert purge(timedelta(days=90), now=NOW) == Purged(assessments=0, callbacks=0)
    assert kept(app)[0] == young


def test_purge_measures_age_from_now(app: Flask) -> None:
    with app.app_context():
        reference = save_assessment(OUTCOME, channel="api", language="en")
        save_callback(reference, "Eleni Ioannou", "+306941234567", "morning")
        later = datetime.now(UTC)
        assert purge(timedelta(days=90)) == Purged(0, 0)
        assert purge(timedelta(days=90), now=later + 89 * DAY) == Purged(0, 0)
        assert purge(timedelta(days=90), now=later + 91 * DAY) == Purged(1, 1)
    assert kept(app) == (set(), set())


def test_the_default_retention_is_90_days(make_app: Callable[..., Flask], database_url: str) -> None:
    assert make_app(database_url).config["RETENTION_DAYS"] == 90


# --- python -m triage purge -------------------------------------------------------------------------


@pytest.fixture
def purge_command(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """Runs `python -m triage purge ARGS` with DATABASE_URL (and more) in the environment."""
    made: list[Flask] = []
    create_app = triage.create_app

    def recording_create_app(*args: object, **kwargs: object) -> Flask:
        app = create_app(*args, **kwargs)  # type: ignore[arg-type]
        made.append(app)
        return app

    monkeypatch.setattr(triage, "create_app", recording_create_app)  # to close its connections after

    def run(url: str, *args: str, **environment: str) -> Result:
        return CliRunner().invoke(main, ["purge", *args], env={"DATABASE_URL": url, **environment})

    yield run
    for app in made:
        dispose(app)


def test_the_command_deletes_what_is_older_than_days(
    app: Flask, purge_command: Callable[..., Result]
) -> None:
    references = seed(app, {"old": (31 * DAY, 2), "young": (29 * DAY, 1)}, datetime.now(UTC))
    result = purge_command(app.config["SQLALCHEMY_DATABASE_URI"], "--days", "30")
    assert result.exit_code == 0, result.output
    assert result.stdout == "deleted 1 assessments and 2 call-back requests older than 30 days\n"
    assert kept(app) == ({references["young"]}, {references["young"]})


def test_the_command_keeps_90_days_by_default(app: Flask, purge_command: Callable[..., Result]) -> None:
    references = seed(app, {"old": (91 * DAY, 1), "young": (89 * DAY, 1)}, datetime.now(UTC))
    result = purge_command(app.config["SQLALCHEMY_DATABASE_URI"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "deleted 1 assessments and 1 call-back requests older than 90 days\n"
    assert kept(app) == ({references["young"]}, {references["young"]})


def test_the_command_follows_retention_days(app: Flask, purge_command: Callable[..., Result]) -> None:
    references = seed(app, {"old": (31 * DAY, 0), "young": (29 * DAY, 0)}, datetime.now(UTC))
    result = purge_command(app.config["SQLALCHEMY_DATABASE_URI"], RETENTION_DAYS="30")
    assert result.exit_code == 0, result.output
    assert "older than 30 days" in result.stdout
    assert kept(app)[0] == {references["young"]}


@pytest.mark.parametrize("days", ["0", "-5", "soon"])
def test_the_command_refuses_a_retention_that_is_not_a_positive_number_of_days(
    app: Flask, purge_command: Callable[..., Result], days: str
) -> None:
    seed(app, {"today": (timedelta(0), 1)}, datetime.now(UTC))
    result = purge_command(app.config["SQLALCHEMY_DATABASE_URI"], "--days", days)
    assert result.exit_code == 2
    assert len(assessments(app)) == 1


def test_the_command_says_when_the_database_is_unavailable(purge_command: Callable[..., Result]) -> None:
    result = purge_command(UNOPENABLE_SQLITE, "--days", "30")
    assert result.exit_code == 1
    assert "nothing was deleted" in result.stderr
    assert result.stdout == ""


def test_purge_on_an_unavailable_database_raises(make_app: Callable[..., Flask]) -> None:
    with make_app(UNOPENABLE_SQLITE).app_context(), pytest.raises(StorageUnavailable):
        purge(timedelta(days=90))
