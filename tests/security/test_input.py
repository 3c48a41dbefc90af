"""Finding 6 and 8 (inputs): NUL and control characters get a field message, on SQLite and
PostgreSQL alike; every free text is bounded by its form to what its column holds; the queue's date
filters are range-checked; CSV cells cannot become formulas; any body over the limit gets 413,
chunked or not; the SQLite file is 0600; access-log lines never show the path."""

from __future__ import annotations

import csv
import io
import logging
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests.support.cases import VIGNETTE
from tests.support.flow import SCREEN, asked_answers, screen_answers
from tests.support.journeys import form_data, prime
from tests.support.markup import problems
from tests.support.records import audit_entries, count, record, save
from tests.support.staff import ADMIN, RECEPTION, login, try_login
from triage import create_app
from triage.extensions import db
from triage.ops.serving import PrivateRequestHandler
from triage.storage import repository
from triage.storage.models import Assessment

API = "/api/v1/assessments"
CONTROL = "Remove the special characters this cannot hold"
URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
CALLBACK = {"name": "Eleni Ioannou", "phone": "694 123 4567", "time_window": "morning", "consent": "y"}


# --- NUL and control characters -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_byte_in_the_login_form_gets_a_field_message_not_a_server_error(
    backend_app: Flask, field: str
) -> None:
    typed = {"username": RECEPTION.username, "password": RECEPTION.password, field: "rita\x00"}
    response = try_login(backend_app.test_client(), typed["username"], typed["password"])
    assert response.status_code == 200
    assert CONTROL in problems(response)


def test_a_nul_byte_in_a_status_note_gets_a_field_message(backend_app: Flask) -> None:
    reference = save(backend_app, URGENT)
    client = backend_app.test_client()
    login(client, RECEPTION)
    response = client.post(
        f"/staff/assessments/{reference}/status", data={"status": "contacted", "note": "called\x00back"}
    )
    assert response.status_code == 400
    assert CONTROL in response.text
    assert record(backend_app, reference).status == "new"


def test_a_multi_line_note_is_still_accepted(backend_app: Flask) -> None:
    reference = save(backend_app, URGENT)
    client = backend_app.test_client()
    login(client, RECEPTION)
    response = client.post(
        f"/staff/assessments/{reference}/status", data={"status": "contacted", "note": "rang\r\nno answer"}
    )
    assert response.status_code == 302
    assert record(backend_app, reference).status_note == "rang\r\nno answer"


def test_a_control_character_in_a_call_back_name_gets_a_field_message(backend_app: Flask) -> None:
    client = backend_app.test_client()
    prime(client, URGENT)
    assert client.post("/check-answers").status_code == 302
    response = client.post("/call-back", data={**CALLBACK, "name": "Eleni\x1b[31m"})
    assert response.status_code == 200
    assert CONTROL in problems(response)


# --- free text bounded by its column --------------------------------------------------------------


def answer_the_call(client: FlaskClient, caller_phone: str) -> object:
    """A call through the phone pages, up to the last screen sent with this caller's phone."""
    given = asked_answers(URGENT)
    client.get("/staff/phone")
    screen = client.post("/staff/phone", data=form_data(screen_answers(given)))
    assert screen.status_code == 302, problems(screen)
    rest = {qid: value for qid, value in given.items() if qid not in SCREEN}
    data = {**form_data(rest), "caller_name": "Eleni Ioannou", "caller_phone": caller_phone}
    return client.post("/staff/phone/questions", data=data)


def test_a_caller_phone_longer_than_its_column_is_refused_before_anything_is_saved(
    backend_app: Flask,
) -> None:
    client = backend_app.test_client()
    login(client, RECEPTION)
    response = answer_the_call(client, "+30 694 123 4567 ext. 1234567890123")  # 35 characters
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Enter a phone number of 32 characters or fewer" in response.text  # type: ignore[attr-defined]
    assert count(backend_app, Assessment) == 0


def test_a_call_with_a_phone_that_fits_keeps_the_callers_details_and_the_audit_entry(
    backend_app: Flask,
) -> None:
    client = backend_app.test_client()
    login(client, RECEPTION)
    response = answer_the_call(client, "+30 694 123 4567")
    assert response.status_code == 302  # type: ignore[attr-defined]
    reference = response.location.rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    saved = record(backend_app, reference)
    assert (saved.caller_name, saved.caller_phone) == ("Eleni Ioannou", "+306941234567")
    assert any(
        entry.action == "phone_call" and entry.target == reference for entry in audit_entries(backend_app)
    )


@pytest.mark.parametrize(
    ("form", "field", "length"),
    [
        ("triage.staff.forms:LoginForm", "username", 50),
        ("triage.staff.forms:CallerForm", "caller_name", 100),
        ("triage.staff.forms:CallerForm", "caller_phone", 32),
        ("triage.patient.forms:CallbackForm", "name", 100),
        ("triage.patient.forms:CallbackForm", "phone", 32),
    ],
)
def test_every_free_text_is_bounded_by_its_form_to_its_column(
    app: Flask, form: str, field: str, length: int
) -> None:
    module, name = form.split(":")
    form_class = getattr(__import__(module, fromlist=[name]), name)
    column = {
        "username": 50,
        "caller_name": Assessment.__table__.c.caller_name.type.length,
        "caller_phone": Assessment.__table__.c.caller_phone.type.length,
        "name": 100,
        "phone": 32,
    }[field]
    assert length == column
    with app.test_request_context(method="POST", data={field: "x" * (length + 1)}):
        made = form_class()
        made.validate()
        assert getattr(made, field).errors, f"{form}.{field} accepts {length + 1} characters"


# --- the queue's filters and the export ----------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["until=9999-12-31", "since=9999-12-31", "since=0001-01-01&until=0001-01-02"]
)
@pytest.mark.parametrize("path", ["/staff/", "/staff/export.csv"])
def test_a_date_filter_out_of_range_is_refused_not_a_server_error(
    client: FlaskClient, path: str, query: str
) -> None:
    login(client, ADMIN)
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    if path == "/staff/":
        assert "Enter a date between 2000 and 2999" in response.text


def test_csv_cells_that_would_start_a_formula_are_neutralised(app: Flask, client: FlaskClient) -> None:
    reference = save(app, URGENT)
    with app.app_context():
        repository.set_status(reference, "contacted", "", "=cmd|' /C calc'!A0")
    login(client, ADMIN)
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/export.csv?show=all").text)))
    assert rows[0]["status_by"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["reference"] == reference


# --- bodies over the limit ------------------------------------------------------------------------

BIG_ANSWERS = b'{"age": 70, "padding": "' + b"x" * (20 * 1024) + b'"}'


def test_a_body_over_the_limit_with_its_length_gets_413(client: FlaskClient) -> None:
    response = client.post(API, data=BIG_ANSWERS, content_type="application/json")
    assert response.status_code == 413


def test_a_chunked_body_over_the_limit_gets_413_not_a_silent_cut(client: FlaskClient) -> None:
    # A server that leaves the stream to the app (no wsgi.input_terminated), as many do.
    response = client.post(
        API,
        input_stream=io.BytesIO(BIG_ANSWERS),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"CONTENT_LENGTH": ""},
    )
    assert response.status_code == 413


def test_a_chunked_body_within_the_limit_is_read_whole(client: FlaskClient) -> None:
    body = io.BytesIO(b'{"age": "old"}')
    response = client.post(
        API,
        input_stream=body,
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"CONTENT_LENGTH": ""},
    )
    assert response.status_code == 422
    assert "age" in response.get_json()["errors"]


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The test app behind werkzeug's server on 127.0.0.1, with the access-log handler of run.py."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=PrivateRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def raw_request(address: str, request: bytes) -> bytes:
    """Send bytes to the server and read its whole answer."""
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_a_chunked_body_over_the_limit_sent_to_a_real_server_gets_413(served: str) -> None:
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part) for part in (BIG_ANSWERS[:8000], BIG_ANSWERS[8000:])
    )
    request = (
        b"POST /api/v1/assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + b"0\r\n\r\n"
    )
    assert raw_request(served, request).startswith(b"HTTP/1.1 413")


def test_request_log_lines_never_show_the_path_its_query_or_the_address(
    served: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        for path in ("/questions/cancer-details?lang=el", "/urgent-advice", "/no-such/cancer"):
            raw_request(served, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    requests = [record for record in caplog.records if record.name == "triage.access"]
    assert [r.status for r in requests] == [302, 302, 404]  # type: ignore[attr-defined]
    assert requests[0].endpoint == "patient.question_page"  # type: ignore[attr-defined]
    server_lines = [record for record in caplog.records if record.name == "werkzeug"]
    written = [str(vars(record)) for record in requests + server_lines]
    assert not [line for line in written if "cancer" in line or "lang=" in line or "127.0.0.1" in line]


# --- the database file ---------------------------------------------------------------------------


def test_the_sqlite_file_is_created_readable_by_its_owner_only(hermetic: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret"})
    with app.app_context():
        db.create_all()
        db.session.execute(db.text("CREATE TABLE probe (x)"))
        db.session.commit()
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in hermetic.glob("triage.sqlite3*")}
        db.engine.dispose()
    assert "triage.sqlite3" in modes
    assert modes == dict.fromkeys(modes, 0o600)


def test_an_existing_sqlite_file_readable_by_others_is_made_private(hermetic: Path) -> None:
    hermetic.mkdir(parents=True, exist_ok=True)
    path = hermetic / "triage.sqlite3"
    path.touch()
    path.chmod(0o644)
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret"})
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        db.engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
