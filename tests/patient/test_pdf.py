"""The patient's summary as a PDF, from the result page and the urgent-advice page: made from the
answers in the session, in the page's language with its fonts embedded, linked without script."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.support.apps import PRACTICE
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import FLOW, RULES, asked_answers, screen_answers
from tests.support.journeys import form_data, prime, session_reference
from tests.support.markup import parse
from tests.support.pdfs import pdf_of

NIGHT_PAIN = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
EARLY = next(
    case["answers"] for case in VIGNETTES if FLOW.needs_emergency_now(screen_answers(case["answers"]))
)
RESULT_PDF, ADVICE_PDF = "/result/summary.pdf", "/urgent-advice/summary.pdf"


def confirmed(client: FlaskClient, answers: dict[str, object], lang: str = "en") -> str:
    """Answers confirmed as on /check-answers, the result page seen in `lang`; the reference."""
    prime(client, answers)
    assert client.post("/check-answers").status_code == 302
    assert client.get(f"/result?lang={lang}").status_code == 200
    reference = session_reference(client)
    assert reference is not None
    return reference


def test_the_result_pdf_holds_the_result_the_reasons_and_the_answers(client: FlaskClient) -> None:
    reference = confirmed(client, NIGHT_PAIN)
    pdf = pdf_of(client.get(RESULT_PDF))
    outcome = RULES.assess(NIGHT_PAIN)
    assert outcome.advice.label.get("en") in pdf.text
    assert reference in pdf.text
    assert PRACTICE["PRACTICE_NAME"] in pdf.text
    assert RULES.version.version in pdf.text
    for question in RULES.contract.questions:
        if question.id in asked_answers(NIGHT_PAIN):
            assert question.label.get("en") in pdf.text, question.id
    assert pdf.fonts_embedded


def test_a_greek_result_pdf_is_in_greek_with_its_fonts_embedded(client: FlaskClient) -> None:
    confirmed(client, NIGHT_PAIN, lang="el")
    pdf = pdf_of(client.get(RESULT_PDF))
    outcome = RULES.assess(NIGHT_PAIN)
    assert outcome.advice.label.get("el") in pdf.text
    assert outcome.safety_net.intro.get("el").split("{")[0].strip() in pdf.text
    assert "Οι απαντήσεις σας" in pdf.text  # a page text of the catalogue, not of the rules
    assert outcome.advice.label.get("en") not in pdf.text
    assert pdf.fonts_embedded


def test_the_urgent_advice_pdf_holds_the_advice_and_the_reference(client: FlaskClient) -> None:
    sent = client.post("/questions/emergency-screen", data=form_data(screen_answers(EARLY)))
    assert sent.location == "/urgent-advice"
    page = parse(client.get("/urgent-advice").text)
    assert ADVICE_PDF in [a.get("href") for a in page.main.find_all("a")]
    pdf = pdf_of(client.get(ADVICE_PDF))
    outcome = RULES.assess_partial(screen_answers(EARLY))
    assert outcome.advice.label.get("en") in pdf.text
    reference = session_reference(client)
    assert reference is not None and reference in pdf.text


def test_the_result_page_links_the_pdf_without_script_or_anything_personal(client: FlaskClient) -> None:
    reference = confirmed(client, NIGHT_PAIN)
    page = parse(client.get("/result").text)
    [link] = [a for a in page.main.find_all("a") if (a.get("href") or "").endswith(".pdf")]
    assert link.get("href") == RESULT_PDF
    assert not link.has("hidden") and reference not in str(link.get("href"))


def test_without_answers_there_is_no_pdf(client: FlaskClient) -> None:
    assert client.get(RESULT_PDF).location == "/check-answers"
    assert client.get(ADVICE_PDF).location == "/urgent-advice"
