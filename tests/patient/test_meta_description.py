"""Every page says in a sentence what it is for (a search result's text; Lighthouse SEO), in its language."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.flow import FLOW
from tests.support.journeys import page_url
from tests.support.markup import parse

PAGES = ("/", page_url(FLOW.pages[0]), "/staff/login")
WORDS = {"en": "not a diagnosis", "el": "διάγνωση"}


@pytest.mark.parametrize("lang", sorted(WORDS))
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_description_in_its_language(client: FlaskClient, path: str, lang: str) -> None:
    page = client.get(f"{path}?lang={lang}")
    assert page.status_code == 200, path
    described = [meta.get("content") for meta in parse(page.text).find_all("meta", name="description")]
    assert len(described) == 1 and WORDS[lang] in (described[0] or ""), described
