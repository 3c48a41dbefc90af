"""Reads skip the rate limiter, except where a view's limits count reads (a PDF costs CPU time)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from tests.support.cases import VIGNETTES
from tests.support.flow import FLOW
from tests.support.journeys import page_url, prime


def test_a_patients_pdf_is_throttled_though_it_is_a_read(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    client = make_app(database, RATELIMIT_PDF="2 per minute").test_client()
    prime(client, VIGNETTES[0]["answers"], submitted=True)
    statuses = [client.get("/result/summary.pdf").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_question_pages_shown_are_never_counted(make_app: Callable[..., Flask], database: Path | str) -> None:
    client = make_app(database, RATELIMIT_PATIENT_PAGES="1 per minute").test_client()
    assert {client.get(page_url(FLOW.pages[0])).status_code for _ in range(5)} == {200}
