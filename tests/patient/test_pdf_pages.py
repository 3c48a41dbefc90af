"""The patient's PDF is two pages at most for every public vignette (tests/cases/), in every language,
and never ends on a page holding a line or two."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.support.cases import VIGNETTES
from tests.support.flow import RULES
from tests.support.journeys import prime
from tests.support.pdfs import pdf_of

#: The fewest words a last page may hold: fewer is a leftover line or two.
FEWEST_WORDS_ON_LAST_PAGE = 40
#: What to do and why on the first page, the answers on the second.
MOST_PAGES = 2


def page_words(data: bytes) -> list[int]:
    """How many words each page of a PDF holds."""
    return [len((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("lang", RULES.languages)
@pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
def test_the_result_pdf_fits_two_pages_and_ends_on_a_full_one(
    client: FlaskClient, case: dict[str, Any], lang: str
) -> None:
    prime(client, case["answers"], submitted=True)
    assert client.get(f"/result?lang={lang}").status_code == 200
    response = client.get("/result/summary.pdf")
    pdf_of(response)
    words = page_words(response.data)
    assert len(words) == 1 or words[-1] >= FEWEST_WORDS_ON_LAST_PAGE, f"words on each page: {words}"
    assert len(words) <= MOST_PAGES, f"words on each page: {words}"
