"""Greek as Greek readers write it: the product's name in Greek, and quotations in « », never in the
English “ ” or ", on every page, in every text of the rules and the catalogue, and in the PDF."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.patient.test_languages import greek_pages
from tests.support.cases import VIGNETTE
from tests.support.journeys import prime
from tests.support.pdfs import pdf_of
from tests.test_plain_language import shown_page_texts, shown_rule_texts

#: English quotation marks, curly or straight: in a Greek text, " is only ever a quotation mark.
ENGLISH_QUOTES = re.compile(r"[“”\"]")
ENGLISH_NAME = "Spine Triage"
GREEK_NAME = "Διαλογή Σπονδυλικής Στήλης"


def test_the_checks_catch_english_quotation_marks() -> None:
    assert ENGLISH_QUOTES.search("Επιλέξτε “Ναι”") and ENGLISH_QUOTES.search('Επιλέξτε "Ναι"')
    assert not ENGLISH_QUOTES.search("Επιλέξτε «Ναι», απ' όσο ξέρετε")


def test_no_greek_text_a_person_can_be_shown_uses_english_quotation_marks() -> None:
    greek = [text for text in shown_rule_texts() + shown_page_texts() if text.lang == "el"]
    quoted = [f"{text.source}: {text.text}" for text in greek if ENGLISH_QUOTES.search(text.text)]
    assert greek and not quoted, "\n".join(quoted)


def test_greek_pages_name_the_tool_in_greek_and_quote_in_greek(client: FlaskClient) -> None:
    pages = greek_pages(client)
    for name, page in pages.items():
        assert page.html.get("lang") == "el", name
        assert ENGLISH_NAME not in page.text, name
        assert GREEK_NAME in page.title and GREEK_NAME in page.one("a", cls="site-name").text, name
        assert page.one("meta", name="application-name").get("content") == GREEK_NAME, name
        assert not ENGLISH_QUOTES.search(page.text), f"{name}: {ENGLISH_QUOTES.findall(page.text)}"
    assert "«" in pages["rules"].main.text  # the rules' conditions quote the questions


def test_english_pages_keep_the_english_name_and_quotation_marks(client: FlaskClient) -> None:
    client.get("/?lang=en")
    page = client.get("/rules").text
    assert f"– {ENGLISH_NAME}</title>" in page and "“" in page and "«" not in page


def test_the_greek_result_pdf_names_the_tool_in_greek(client: FlaskClient) -> None:
    prime(client, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"], submitted=True)
    assert client.get("/result?lang=el").status_code == 200
    pdf = pdf_of(client.get("/result/summary.pdf"))
    assert GREEK_NAME in pdf.text and ENGLISH_NAME not in pdf.text
