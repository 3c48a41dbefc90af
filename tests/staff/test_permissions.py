"""Who may open what: anonymous visitors, reception, clinicians and admins on every staff route.

The routes come from the app's URL map, so a new staff route fails here until it is described in
VISITS (how to call it and what an allowed role gets), and the anonymous check covers it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE
from tests.support.flow import asked_answers, screen_answers
from tests.support.journeys import form_data
from tests.support.markup import problems
from tests.support.records import audit_entries, record
from tests.support.staff import (
    ADMIN,
    RECEPTION,
    STAFF,
    Staff,
    is_login_redirect,
    logged_in,
    login,
    through_mfa,
    try_login,
)
from triage.cli import main
from triage.storage import repository

EVERYONE = ("reception", "clinician", "admin")
QUIET_CALL = asked_answers(VIGNETTE["osteoporosis-no-pain"]["answers"])  # no warning sign on the screen
QUIET_SCREEN = form_data(screen_answers(QUIET_CALL))
QUIET_REST = form_data({qid: v for qid, v in QUIET_CALL.items() if qid not in QUIET_SCREEN})


@dataclass(frozen=True)
class Visit:
    """How to call a route, and what a role allowed on it gets (`{reference}` is a saved record's)."""

    path: str
    data: dict[str, Any] | None = None
    status: int = 200
    location: str | None = None  # a redirect's target: the path starts with this
    roles: tuple[str, ...] = EVERYONE  # the others get 403


#: Every staff route by (endpoint, method), in the order one logged-in session visits them
#: (the phone screen before its questions, logging out last).
VISITS: dict[tuple[str, str], Visit] = {
    ("staff.login", "GET"): Visit("/staff/login"),
    ("staff.queue", "GET"): Visit("/staff/"),
    ("staff.lookup", "GET"): Visit(
        "/staff/lookup?reference={reference}", status=302, location="/staff/assessments/{reference}"
    ),
    ("staff.record", "GET"): Visit("/staff/assessments/{reference}"),
    ("staff.summary_pdf", "GET"): Visit("/staff/assessments/{reference}/summary.pdf"),
    ("staff.change_status", "POST"): Visit(
        "/staff/assessments/{reference}/status",
        data={"status": "contacted", "note": "Left a message"},
        status=302,
        location="/staff/assessments/{reference}",
    ),
    ("staff.queue_news", "GET"): Visit("/staff/queue/news?after=2026-01-01T00:00:00%2B00:00"),
    ("staff.override", "POST"): Visit(
        "/staff/assessments/{reference}/override",
        data={"level": "emergency", "reason": "Heard worse on the phone"},
        status=302,
        location="/staff/assessments/{reference}",
        roles=("clinician", "admin"),
    ),
    ("staff.dashboard", "GET"): Visit("/staff/dashboard", roles=("clinician", "admin")),
    ("staff.phone_screen", "GET"): Visit("/staff/phone"),
    ("staff.phone_screen", "POST"): Visit(
        "/staff/phone", data=QUIET_SCREEN, status=302, location="/staff/phone/questions"
    ),
    ("staff.phone_questions", "GET"): Visit("/staff/phone/questions"),
    ("staff.phone_questions", "POST"): Visit(
        "/staff/phone/questions", data=QUIET_REST, status=302, location="/staff/phone/result/"
    ),
    ("staff.phone_result", "GET"): Visit("/staff/phone/result/{reference}"),
    # After the call above ended, no emergency script is in progress: both lead to a new call.
    ("staff.phone_emergency", "GET"): Visit("/staff/phone/emergency", status=302, location="/staff/phone"),
    ("staff.phone_caller", "POST"): Visit(
        "/staff/phone/caller", data={"caller_name": "Ada"}, status=302, location="/staff/phone"
    ),
    ("staff.still_here", "POST"): Visit(
        "/staff/still-here", data={"next": "/staff/"}, status=302, location="/staff/"
    ),
    # The steps after the password: with no login on the way there is nothing to enter (the
    # password step is the way in), and new recovery codes are shown once, right after the set-up.
    ("staff.login_code", "GET"): Visit("/staff/login/code", status=302, location="/staff/login"),
    ("staff.login_code", "POST"): Visit("/staff/login/code", status=302, location="/staff/login"),
    ("staff.mfa_setup", "GET"): Visit("/staff/mfa/setup", status=302, location="/staff/login"),
    ("staff.mfa_setup", "POST"): Visit("/staff/mfa/setup", status=302, location="/staff/login"),
    ("staff.recovery_codes", "GET"): Visit("/staff/mfa/recovery-codes", status=302, location="/staff/"),
    ("staff.audit_trail", "GET"): Visit("/staff/audit", roles=("admin",)),
    ("staff.export", "GET"): Visit("/staff/export.csv", roles=("admin",)),
    # Own credentials (and the code, for an account with MFA).
    ("staff.login", "POST"): Visit("/staff/login", status=302, location="/staff/"),
    ("staff.logout", "POST"): Visit("/staff/logout", status=302, location="/staff/login"),
}


def staff_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every staff route, in VISITS order (undescribed ones last)."""
    found = [
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    order = list(VISITS)
    return sorted(found, key=lambda r: order.index(r[:2]) if r[:2] in order else len(order))


def fill(rule: str, reference: str) -> str:
    """A route's rule with every <variable> given the saved record's reference."""
    path = rule
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        path = path[:start] + reference + path[end + 1 :]
    return path


def test_every_staff_route_is_described(app: Flask) -> None:
    routes = {(endpoint, method) for endpoint, method, _ in staff_routes(app)}
    assert routes, "no staff routes found"
    assert routes - set(VISITS) == set(), "describe these new routes in VISITS"
    assert set(VISITS) - routes == set(), "VISITS describes routes the app no longer has"


def test_anonymous_visitors_are_sent_to_log_in_from_every_route_but_the_login_page(
    app: Flask, client: FlaskClient, reference: str
) -> None:
    wrong = []
    for endpoint, method, rule in staff_routes(app):
        path = fill(rule, reference)
        data = {"username": "nobody", "password": "not-the-password"} if method == "POST" else None
        response = client.open(path, method=method, data=data)
        ok = response.status_code == 200 if endpoint == "staff.login" else is_login_redirect(response)
        if not ok:
            wrong.append(f"{method} {path}: {response.status_code} {response.location or ''}")
    assert wrong == []


def test_the_login_redirect_brings_the_user_back_where_they_were_going(
    client: FlaskClient, reference: str
) -> None:
    response = client.get(f"/staff/assessments/{reference}")
    assert is_login_redirect(response)
    back = client.post(
        response.location, data={"username": RECEPTION.username, "password": RECEPTION.password}
    )
    assert (back.status_code, back.location) == (302, f"/staff/assessments/{reference}")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/staff/", "/questions/x"])
def test_the_login_never_redirects_outside_the_staff_area(client: FlaskClient, target: str) -> None:
    response = client.post(
        "/staff/login",
        query_string={"next": target},
        data={"username": "rita", "password": RECEPTION.password},
    )
    assert (response.status_code, response.location) == (302, "/staff/")


def test_anonymous_posts_change_nothing(app: Flask, client: FlaskClient, reference: str) -> None:
    client.post(f"/staff/assessments/{reference}/status", data={"status": "closed", "note": "x"})
    client.get("/staff/export.csv")
    saved = record(app, reference)
    assert (saved.status, saved.status_note, saved.status_by) == ("new", None, None)
    assert [e.action for e in audit_entries(app)] == []


@pytest.mark.parametrize("role", EVERYONE)
def test_each_role_gets_every_route_it_may_use_and_403_on_the_others(
    app: Flask, client: FlaskClient, reference: str, role: str
) -> None:
    user = STAFF[role]
    login(client, user)
    wrong = []
    for endpoint, method, _ in staff_routes(app):
        visit = VISITS.get((endpoint, method))
        if visit is None:
            wrong.append(f"{method} {endpoint}: not described in VISITS")
            continue
        path = visit.path.format(reference=reference)
        data = visit.data
        if (endpoint, method) == ("staff.login", "POST"):
            data = {"username": user.username, "password": user.password}
        response = client.open(path, method=method, data=data)
        allowed = role in visit.roles
        expected_status = visit.status if allowed else 403
        where = urlsplit(response.location or "").path
        if (endpoint, method) == ("staff.login", "POST") and response.status_code == 302:
            where = urlsplit(through_mfa(client, user.username, response)).path
        ok = response.status_code == expected_status
        if ok and allowed and visit.location is not None:
            ok = where.startswith(visit.location.format(reference=reference))
        if not ok:
            wrong.append(f"{method} {path}: {response.status_code} {where} {problems(response)}")
    assert wrong == []
    assert not logged_in(client), "logging out (the last visit) should end the session"


@pytest.mark.parametrize("user", [RECEPTION, STAFF["clinician"]], ids=["reception", "clinician"])
def test_audit_trail_and_export_are_for_admins_only(client: FlaskClient, user: Staff) -> None:
    login(client, user)
    for path in ("/staff/audit", "/staff/export.csv"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.mimetype == "text/html"
    queue = client.get("/staff/").text
    assert "Audit trail" not in queue and "Export CSV" not in queue


def test_admins_see_the_links_to_audit_trail_and_export(client: FlaskClient) -> None:
    login(client, ADMIN)
    queue = client.get("/staff/").text
    assert "/staff/audit" in queue and "/staff/export.csv" in queue


def test_a_disabled_account_is_logged_out_and_cannot_log_in(
    app: Flask, client: FlaskClient, runner: CliRunner
) -> None:
    login(client, RECEPTION)
    assert logged_in(client)
    result = runner.invoke(main, ["users", "disable", RECEPTION.username])
    assert result.exit_code == 0, result.output
    assert is_login_redirect(client.get("/staff/"))
    assert is_login_redirect(client.get("/staff/phone"))
    again = try_login(client, RECEPTION.username, RECEPTION.password)
    assert again.status_code == 200
    assert problems(again) == ["The username or password is not right."]
    assert not logged_in(client)
    assert ("cli", "disable_user", RECEPTION.username) in [
        (e.username, e.action, e.target) for e in audit_entries(app)
    ]


def test_csrf_protects_login_logout_status_and_phone_posts(csrf_app: Flask, csrf_client: FlaskClient) -> None:
    from tests.support.records import save
    from tests.support.staff import csrf_token

    reference = save(csrf_app, VIGNETTE["osteoporosis-no-pain"]["answers"])
    refused = csrf_client.post("/staff/login", data={"username": "rita", "password": RECEPTION.password})
    assert refused.status_code == 400
    assert not logged_in(csrf_client)
    token = csrf_token(csrf_client, "/staff/login")
    accepted = csrf_client.post(
        "/staff/login", data={"username": "rita", "password": RECEPTION.password, "csrf_token": token}
    )
    assert (accepted.status_code, accepted.location) == (302, "/staff/")
    for path, data in [
        (f"/staff/assessments/{reference}/status", {"status": "closed", "note": "forged"}),
        ("/staff/phone", QUIET_SCREEN),
        ("/staff/logout", {}),
    ]:
        assert csrf_client.post(path, data=data).status_code == 400, path
    assert record(csrf_app, reference).status == "new"
    assert logged_in(csrf_client), "a forged logout must not end the session"
    token = csrf_token(csrf_client, f"/staff/assessments/{reference}")
    changed = csrf_client.post(
        f"/staff/assessments/{reference}/status", data={"status": "closed", "csrf_token": token}
    )
    assert changed.status_code == 302
    assert record(csrf_app, reference).status == "closed"
    out = csrf_client.post("/staff/logout", data={"csrf_token": csrf_token(csrf_client, "/staff/")})
    assert is_login_redirect(out)
    assert not logged_in(csrf_client)


def test_staff_pages_name_who_is_logged_in_and_patient_pages_never_load_a_user(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A patient's page never reads the staff accounts, even in a browser logged in as staff."""
    login(client, ADMIN)
    read: list[int] = []
    get_user = repository.get_user
    monkeypatch.setattr(repository, "get_user", lambda user_id: read.append(user_id) or get_user(user_id))
    assert client.get("/").status_code == 200
    assert read == []
    page = client.get("/staff/")
    assert page.status_code == 200
    assert read, "the staff page looked up who is logged in"
    assert "Log out" in page.text
    assert "Audit trail" in page.text  # the admin's own menu: current_user.role was read
