"""The surgeon's one-page summary of a record: its PDF (one A4 page for every public vignette) and
the record page's print view, with the practice heading, the reference, the time with its zone, the
level and fired rules with reasons, the positive answers first and the rules version; audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.apps import PRACTICE, PRACTICE_IN_GREEK
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import RULES
from tests.support.markup import parse
from tests.support.pdfs import Pdf, pdf_of
from tests.support.records import audit_entries, save
from tests.support.staff import RECEPTION, login
from triage.storage.codes import Action
from triage.web.summaries import grouped

NIGHT_PAIN = VIGNETTE["breast-cancer-thoracic-night-pain"]
#: 07:38 UTC on 1 December 2026: 09:38 in Athens, the practice's zone (EET).
RECEIVED = datetime(2026, 12, 1, 7, 38, tzinfo=UTC)


def summary_path(reference: str) -> str:
    return f"/staff/assessments/{reference}/summary.pdf"


@pytest.fixture
def every_summary(app: Flask, client: FlaskClient) -> Iterator[dict[str, tuple[str, Pdf]]]:
    """Every public vignette saved and its summary PDF downloaded: by id, (reference, PDF)."""
    login(client, RECEPTION)
    made = {}
    for case in VIGNETTES:
        reference = save(app, case["answers"], created_at=RECEIVED)
        made[case["id"]] = (reference, pdf_of(client.get(summary_path(reference))))
    yield made


def test_every_vignettes_summary_is_one_page_with_what_the_surgeon_needs(
    every_summary: dict[str, tuple[str, Pdf]],
) -> None:
    longer = {case_id: pdf.pages for case_id, (_, pdf) in every_summary.items() if pdf.pages != 1}
    assert longer == {}, f"summaries longer than one page: {longer}"
    for case in VIGNETTES:
        reference, pdf = every_summary[case["id"]]
        outcome = RULES.assess(case["answers"])
        assert PRACTICE["PRACTICE_NAME"] in pdf.text
        assert reference in pdf.text
        assert "1 Dec 2026, 09:38 EET" in pdf.text  # the time in the practice's zone, named
        assert RULES.version.version in pdf.text
        for rule in outcome.fired_rules:
            assert f"{rule.id} (" in pdf.text, (case["id"], rule.id)
        assert pdf.fonts_embedded


def test_positive_answers_come_first_and_the_negatives_share_one_line(
    app: Flask, client: FlaskClient
) -> None:
    login(client, RECEPTION)
    pdf = pdf_of(client.get(summary_path(save(app, NIGHT_PAIN["answers"]))))
    groups = grouped(RULES.contract, NIGHT_PAIN["answers"])
    assert groups.positive and groups.negative
    negatives_at = pdf.text.index("Answered no or none:")
    for question, _value in groups.positive:
        assert -1 < pdf.text.find(question.label.get("en")) < negatives_at, question.id
    negative_line = pdf.text[negatives_at:]
    for question, _value in groups.negative:
        assert question.label.get("en") in negative_line, question.id


def test_the_download_is_audited(app: Flask, client: FlaskClient) -> None:
    reference = save(app, NIGHT_PAIN["answers"])
    login(client, RECEPTION)
    pdf_of(client.get(summary_path(reference)))
    assert [(e.action, e.target, e.detail) for e in audit_entries(app) if e.detail == "summary PDF"] == [
        (Action.VIEW, reference, "summary PDF")
    ]


def test_only_staff_get_the_summary(app: Flask, client: FlaskClient) -> None:
    reference = save(app, NIGHT_PAIN["answers"])
    response = client.get(summary_path(reference))
    assert response.status_code == 302 and "/staff/login" in response.location
    login(client, RECEPTION)
    assert client.get(summary_path("ZZZZ-ZZZZ")).status_code == 404


def test_a_greek_summary_has_extractable_greek_text(app: Flask, client: FlaskClient) -> None:
    reference = save(app, NIGHT_PAIN["answers"], created_at=RECEIVED)
    login(client, RECEPTION)
    client.get("/staff/?lang=el")
    pdf = pdf_of(client.get(summary_path(reference)))
    assert PRACTICE_IN_GREEK["PRACTICE_NAME_EL"] in pdf.text
    for question, _value in grouped(RULES.contract, NIGHT_PAIN["answers"]).positive:
        assert question.label.get("el") in pdf.text
    assert "1 Δεκ 2026, 09:38 EET" in pdf.text
    assert pdf.fonts_embedded


def test_the_record_page_prints_the_same_summary_and_links_its_pdf(app: Flask, client: FlaskClient) -> None:
    reference = save(app, NIGHT_PAIN["answers"])
    login(client, RECEPTION)
    page = parse(client.get(f"/staff/assessments/{reference}").text)
    [summary] = page.find_all("section", cls="surgeon-summary")
    assert reference in summary.text and PRACTICE["PRACTICE_NAME"] in summary.text
    links = [a for a in page.main.find_all("a") if a.get("href") == summary_path(reference)]
    assert len(links) == 1 and not links[0].has("hidden")
