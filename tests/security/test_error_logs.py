"""Finding 13 (error logs): the line logged for a request that failed names the endpoint and the
method, never the path (it holds a reference code, or a page's topic such as cancer details)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from tests.support.cases import VIGNETTES
from tests.support.records import save
from tests.support.staff import RECEPTION, login
from triage.ops.logs import JsonFormatter
from triage.storage import repository


def broken(reference: str) -> None:
    raise RuntimeError("the records could not be read")


@pytest.fixture
def failing_app(make_app: Callable[..., Flask], database: Path | str) -> Flask:
    """The test app answering an exception with a 500 page, as deployed (not raising it to the test)."""
    return make_app(database, PROPAGATE_EXCEPTIONS=False)


def test_an_exception_is_logged_with_the_endpoint_never_the_path(
    failing_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reference = save(failing_app, VIGNETTES[0]["answers"])
    client = failing_app.test_client()
    login(client, RECEPTION)
    monkeypatch.setattr(repository, "find_assessment", broken)
    with caplog.at_level(logging.ERROR):
        response = client.get(f"/staff/phone/result/{reference}", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    line = JsonFormatter().format(errors[0])
    assert reference not in line and "/staff/phone/result" not in line
    assert errors[0].getMessage() == "Exception on staff.phone_result [GET]"
    assert (errors[0].endpoint, errors[0].method, errors[0].request_id) == (  # type: ignore[attr-defined]
        "staff.phone_result",
        "GET",
        "req-12345678",
    )
    assert "RuntimeError: the records could not be read" in line


def test_an_exception_outside_any_endpoint_is_logged_without_the_path(
    failing_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @failing_app.before_request
    def fail_before_routing() -> None:
        raise RuntimeError("before any view")

    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/questions/cancer-details-of-someone")
    assert response.status_code == 500
    (error,) = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "/questions/" not in JsonFormatter().format(error)
