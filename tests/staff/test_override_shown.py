"""Spec §3a (v3), "what a clinician changed is what everyone reads": after a clinician changes a
record's level, the record, the queue, the surgeon's summary and its PDF and the CSV export show the
clinician's level first, with the tool's level, the reason and who changed it (the FHIR export:
tests/fhir/test_assessments.py)."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE
from tests.support.markup import parse
from tests.support.pdfs import pdf_of
from tests.support.records import save
from tests.support.staff import ADMIN, CLINICIAN, login

URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
REASON = "Seen in clinic yesterday: scan booked, safe to wait."


@pytest.fixture
def lowered(app: Flask, client: FlaskClient) -> str:
    """An urgent record a clinician lowered to soon, with a reason; the client logged in as them."""
    reference = save(app, URGENT, channel="phone")
    login(client, CLINICIAN)
    data = {"level": "soon", "reason": REASON}
    assert client.post(f"/staff/assessments/{reference}/override", data=data).status_code == 302
    return reference


def test_the_surgeons_summary_and_its_pdf_show_the_clinicians_level_first(
    client: FlaskClient, lowered: str
) -> None:
    page = parse(client.get(f"/staff/assessments/{lowered}").text)
    [summary] = page.find_all("section", cls="surgeon-summary")
    pdf = pdf_of(client.get(f"/staff/assessments/{lowered}/summary.pdf"))
    for text in (" ".join(summary.text.split()), pdf.text):
        assert "Level: Soon: 1 to 2 weeks" in text, "the level acted on is the clinician's"
        assert "The tool gave Urgent: today" in text
        assert CLINICIAN.username in text and REASON in text
        assert text.index("Soon: 1 to 2 weeks") < text.index("Urgent: today")


def test_the_queue_shows_who_changed_the_level_and_why(client: FlaskClient, lowered: str) -> None:
    row = parse(client.get("/staff/?show=all").text).one("tbody").find_all("tr")[0]
    level = " ".join(row.find_all("td")[0].text.split())
    assert level.startswith("Soon: 1 to 2 weeks")
    assert f"changed from Urgent: today by {CLINICIAN.username}: {REASON}" in level


def test_the_csv_export_gives_the_level_acted_on_then_the_tools_who_when_and_why(
    client: FlaskClient, lowered: str
) -> None:
    client.post("/staff/logout")
    login(client, ADMIN)
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/export.csv?show=all").text)))
    [row] = [r for r in rows if r["reference"] == lowered]
    assert (row["level"], row["tool_level"]) == ("soon", "urgent")
    assert (row["level_changed_by"], row["level_change_reason"]) == (CLINICIAN.username, REASON)
    assert row["level_changed_at"]
    header = next(csv.reader(io.StringIO(client.get("/staff/export.csv?show=all").text)))
    assert header.index("level") < header.index("tool_level")


def test_a_record_the_tool_decided_leaves_the_change_columns_blank(app: Flask, client: FlaskClient) -> None:
    reference = save(app, URGENT)
    login(client, ADMIN)
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/export.csv?show=all").text)))
    [row] = [r for r in rows if r["reference"] == reference]
    assert (row["level"], row["tool_level"], row["level_changed_by"]) == ("urgent", "urgent", "")
