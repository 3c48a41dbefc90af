"""Voices (triage/questionnaire/variants.py), without Flask: the patient sees one page at a time in
their own wording; the receptionist sees the warning signs on a screen of their own, then every
other page on one screen, each question in its `phone:` wording, or the patient's after "Ask:"
where it has none.
The pages, the questions and their wordings come from the contract (rules/questions.yaml).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from tests.support.flow import FLOW, RULES
from triage import PROJECT_ROOT
from triage.engine.contract import Question
from triage.questionnaire import Page, Voice, Wording

QUESTIONS = RULES.contract.questions
BY_QUESTION = pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
WITH_PHONE_WORDING = [q for q in QUESTIONS if "phone" in q.variants]
PAGES = pytest.mark.parametrize("page", FLOW.pages, ids=[p.id for p in FLOW.pages])
AFTER_SIGNS = FLOW.pages[len(FLOW.warning_signs) :]
LATER_PAGES = pytest.mark.parametrize("page", AFTER_SIGNS, ids=[p.id for p in AFTER_SIGNS])
ADVISED = pytest.mark.parametrize("advised", [False, True], ids=["not-advised", "advised"])


def patient_wording(question: Question, *, prompted: bool) -> Wording:
    """The question as rules/questions.yaml words it for the person answering."""
    return Wording(question.wording["label"], question.wording.get("hint"), prompted=prompted)


# --- how many pages one screen shows -----------------------------------------------------------------


@PAGES
@ADVISED
def test_the_patient_sees_one_page_at_a_time(page: Page, advised: bool) -> None:
    assert Voice.PATIENT.screen(FLOW, page, advised=advised) == (page,)


def test_on_the_phone_the_warning_signs_share_a_screen_of_their_own_until_their_advice_is_given() -> None:
    assert Voice.PHONE.screen(FLOW, FLOW.pages[0]) == FLOW.warning_signs
    assert Voice.PHONE.screen(FLOW, FLOW.pages[0], advised=False) == FLOW.warning_signs


def test_on_the_phone_after_the_advice_the_warning_signs_lead_every_page_to_the_end() -> None:
    assert Voice.PHONE.screen(FLOW, FLOW.pages[0], advised=True) == FLOW.pages


@LATER_PAGES
@ADVISED
def test_on_the_phone_a_later_page_runs_with_every_page_after_it_to_the_end(
    page: Page, advised: bool
) -> None:
    screen = Voice.PHONE.screen(FLOW, page, advised=advised)
    assert screen[0] == page
    assert screen[-1] == FLOW.pages[-1]
    assert screen == FLOW.pages[FLOW.pages.index(page) :]
    assert not set(FLOW.warning_signs) & set(screen)


def test_a_phone_call_takes_two_screens_and_a_patient_one_per_page() -> None:
    first = Voice.PHONE.screen(FLOW, FLOW.pages[0])
    rest = Voice.PHONE.screen(FLOW, FLOW.pages[len(first)])
    assert [*first, *rest] == list(FLOW.pages)
    patient = [Voice.PATIENT.screen(FLOW, page) for page in FLOW.pages]
    assert [page for screen in patient for page in screen] == list(FLOW.pages)


# --- how a question is worded -----------------------------------------------------------------------


@BY_QUESTION
def test_the_patient_voice_words_every_question_as_the_patient_reads_it(question: Question) -> None:
    assert Voice.PATIENT.wording(question) == patient_wording(question, prompted=False)


@pytest.mark.parametrize("question", WITH_PHONE_WORDING, ids=[q.id for q in WITH_PHONE_WORDING])
def test_the_phone_voice_uses_a_questions_phone_wording_as_it_is(question: Question) -> None:
    own = question.variants["phone"]
    assert Voice.PHONE.wording(question) == Wording(own["label"], own.get("hint"), prompted=False)


@BY_QUESTION
def test_without_a_phone_wording_the_phone_voice_prompts_the_patients_wording(question: Question) -> None:
    unworded = dataclasses.replace(question, variants={})
    assert Voice.PHONE.wording(unworded) == patient_wording(question, prompted=True)


@BY_QUESTION
def test_a_phone_wording_never_changes_what_the_patient_reads(question: Question) -> None:
    worded = dataclasses.replace(question, variants={"phone": {"label": question.label}})
    assert Voice.PATIENT.wording(worded) == patient_wording(question, prompted=False)
    assert Voice.PHONE.wording(worded) == Wording(question.label, None, prompted=False)


# --- no web framework -----------------------------------------------------------------------------------

IMPORTED = """
import json, sys
import triage.questionnaire
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("flask", "werkzeug",
      "wtforms", "flask_wtf", "jinja2", "sqlalchemy") or name.startswith("flask_"))))
"""


def test_the_router_and_the_voices_run_without_the_web_framework() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []
