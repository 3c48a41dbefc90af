"""The staff area's own banner: its name and menu in the page header, outside the main content (the
WCAG landmarks: one banner, one navigation in it, one main), and not the patient's emergency line."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.markup import Document, parse
from tests.support.staff import ADMIN, RECEPTION, Staff, login

#: A few staff pages, by who may open them.
PAGES = [
    (RECEPTION, "/staff/"),
    (RECEPTION, "/staff/phone"),
    (ADMIN, "/staff/dashboard"),
    (ADMIN, "/staff/audit"),
]


def page(client: FlaskClient, path: str) -> Document:
    response = client.get(path)
    assert response.status_code == 200, path
    return parse(response.text)


@pytest.mark.parametrize(("user", "path"), PAGES, ids=[path for _, path in PAGES])
def test_a_staff_page_has_the_staff_banner_with_its_menu_outside_main(
    client: FlaskClient, user: Staff, path: str
) -> None:
    login(client, user)
    shown = page(client, path)
    header = shown.one("header")
    nav = header.one("nav")
    assert nav.get("aria-label") == "Staff menu"
    assert "Queue" in [a.text for a in nav.find_all("a")]
    assert [b.text for b in nav.find_all("button")] == [f"Log out {user.display_name}"]
    assert shown.main.find_all("nav") == [], "the menu is not part of the page's own content"
    assert header.link("Spine Triage Staff area").get("href") == "/staff/"
    assert "Emergency?" not in header.text, "the patient's emergency line is not the staff's"


def test_the_login_page_has_the_staff_banner_without_a_menu(client: FlaskClient) -> None:
    header = page(client, "/staff/login").one("header")
    assert header.link("Spine Triage Staff area").get("href") == "/staff/"
    assert header.find_all("nav") == []


def test_a_patient_page_keeps_the_patient_banner(client: FlaskClient) -> None:
    header = page(client, "/").one("header")
    assert header.link("Spine Triage").get("href") == "/"
    assert "Emergency?" in header.text
    assert header.find_all("nav") == []
