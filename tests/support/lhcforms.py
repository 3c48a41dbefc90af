"""LHC-Forms, the National Library of Medicine's FHIR form renderer, as a real client of the app's FHIR
service: its files (npm `lforms`, pinned in tests/lhcforms/package-lock.json and installed there by
`make lhcforms`) served to Chromium by a static server on 127.0.0.1, and a page of it filled with a
person's answers through its public API (LForms.Util).

The tests are in tests/browser/test_lhcforms.py. Without the installed files they are skipped, except
under CI=true, where that is a failure.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from triage import PROJECT_ROOT
from triage.questionnaire import Questionnaire

#: The npm project of the test: package.json, package-lock.json, the page, and node_modules/.
FOLDER = PROJECT_ROOT / "tests" / "lhcforms"
#: LHC-Forms' built files, as its README names them.
BUILT = FOLDER / "node_modules" / "lforms" / "dist" / "lforms"
MISSING = "LHC-Forms is not installed: make lhcforms (needs Debian's nodejs and npm)"
#: The page that loads LHC-Forms, relative to FOLDER.
PAGE = "page.html"
#: The codes of a yes/no question's answers in the Questionnaire, by the contract's values.
YES_NO_CODES = {True: "yes", False: "no", "unsure": "unsure"}
#: The code of the answer option "None of these", where a list question has one.
NONE = "none"

#: Puts a Questionnaire in the page's `<div id="form">`, filled with a QuestionnaireResponse's answers
#: (LHC-Forms' own conversion and merge), and waits until the form is ready.
FILL = """async ([questionnaire, response]) => {
  const form = LForms.Util.convertFHIRQuestionnaireToLForms(questionnaire, 'R4');
  const filled = response ? LForms.Util.mergeFHIRDataIntoLForms(response, form, 'R4') : form;
  await LForms.Util.addFormToPage(filled, 'form', {fhirVersion: 'R4'});
}"""

#: Every item of the form LHC-Forms has enabled (its own show/hide), in order: linkId and data type.
ENABLED = """() => {
  const found = [];
  const walk = (items) => {
    for (const item of items || []) {
      found.push({linkId: item.linkId, dataType: item.dataType});
      walk(item.items);
    }
  };
  walk(LForms.Util.getUserData(document.getElementById('form'), false, false, true).itemsData);
  return found;
}"""

#: The QuestionnaireResponse LHC-Forms exports from the form.
EXPORT = "() => LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', document.getElementById('form'))"

#: LHC-Forms' data types of items that take no answer: groups (SECTION) and display items (TITLE).
NO_ANSWER = {"SECTION", "TITLE"}


def lforms_or_skip() -> str:
    """LHC-Forms' version from its installed package.json; skips without it (fails under CI=true)."""
    installed = FOLDER / "node_modules" / "lforms" / "package.json"
    if not installed.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{MISSING} (CI=true, so the LHC-Forms test must run)", pytrace=False)
        pytest.skip(MISSING)
    version: str = json.loads(installed.read_text(encoding="utf-8"))["version"]
    return version


def pinned_version() -> str:
    """The version of LHC-Forms that tests/lhcforms/package.json pins."""
    declared: str = json.loads((FOLDER / "package.json").read_text(encoding="utf-8"))["dependencies"][
        "lforms"
    ]
    return declared


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Nothing logged: the test reports what went wrong."""


@contextmanager
def static_server(folder: Path = FOLDER) -> Iterator[str]:
    """The files of `folder` served on a free port of 127.0.0.1 until the block ends; its address."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, name="lhcforms-files", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


def answers_given(flow: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a person gives on the app's pages: those to the questions the router asks, asked
    again with each answer added until nothing changes (so no answer to a question never asked)."""
    given: dict[str, Any] = {}
    while True:
        asked = asked_questions(flow, given)
        more = {qid: answers[qid] for qid in asked if qid in answers}
        if more == given:
            return given
        given = more


def asked_questions(flow: Questionnaire, answers: Mapping[str, Any]) -> set[str]:
    """The questions the app's router asks for these answers."""
    return {qid for page in flow.asked(answers) for qid in page.question_ids}


def _items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _items(item.get("item", []))


def response_for(questionnaire: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """A QuestionnaireResponse to the Questionnaire with these answers (contract values), written from
    the Questionnaire alone: answers of its item's type, codings copied from its answer options, and
    an empty list as the option "None of these" where there is one (else the item is left out)."""

    def answered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            if item["type"] == "group":
                inner = answered(item.get("item", []))
                if inner:
                    out.append({"linkId": item["linkId"], "item": inner})
                continue
            value = answers.get(item["linkId"])
            if value == [] and NONE in _codes(item):  # a person picks "None of these"
                value = [NONE]
            if value is None or value == []:
                continue
            given = value if isinstance(value, list) else [value]
            out.append({"linkId": item["linkId"], "answer": [_answer(item, one) for one in given]})
        return out

    return {
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "questionnaire": f"{questionnaire['url']}|{questionnaire['version']}",
        "item": answered(questionnaire["item"]),
    }


def _codes(item: Mapping[str, Any]) -> set[str]:
    return {option["valueCoding"]["code"] for option in item.get("answerOption", [])}


def _answer(item: Mapping[str, Any], value: Any) -> dict[str, Any]:
    if item["type"] == "integer":
        return {"valueInteger": value}
    if item["type"] == "boolean":
        return {"valueBoolean": value}
    code = YES_NO_CODES[value] if isinstance(value, bool) or value == "unsure" else str(value)
    options = [option["valueCoding"] for option in item.get("answerOption", [])]
    (coding,) = [option for option in options if option["code"] == code]
    return {"valueCoding": coding}


def texts(questionnaire: Mapping[str, Any]) -> dict[str, str]:
    """Every item's text in the Questionnaire's own language, by linkId."""
    return {item["linkId"]: item.get("text", "") for item in _items(questionnaire["item"])}


@dataclass(frozen=True)
class Filled:
    """What LHC-Forms did with a person's answers: the items it enabled (linkId: LHC-Forms' data
    type), the texts of its display items that a person sees, and the response it exports."""

    enabled: dict[str, str]
    shown: frozenset[str]
    response: dict[str, Any]

    @property
    def questions(self) -> set[str]:
        """The enabled items that take an answer."""
        return {link for link, kind in self.enabled.items() if kind not in NO_ANSWER}


def fill(
    page: Page, url: str, questionnaire: Mapping[str, Any], response: Mapping[str, Any] | None
) -> Filled:
    """Open LHC-Forms at `url`, put the Questionnaire on it filled with the response's answers, and
    read back what it enabled, which display texts are visible, and what it exports."""
    page.goto(f"{url}/{PAGE}")
    page.wait_for_function("() => window.LForms && LForms.Util && LForms.FHIR")
    page.evaluate(FILL, [questionnaire, response])
    enabled = {entry["linkId"]: entry["dataType"] for entry in page.evaluate(ENABLED)}
    wording = texts(questionnaire)
    shown = frozenset(
        link
        for link, kind in enabled.items()
        if kind == "TITLE"
        and wording.get(link)
        and page.get_by_text(wording[link], exact=True).first.is_visible()
    )
    return Filled(enabled, shown, page.evaluate(EXPORT))


def choose(page: Page, questionnaire: Mapping[str, Any], link: str, code: str) -> None:
    """Answer a choice question in LHC-Forms' own UI, as a person does: open its list of answers (by
    the question's label) and click the answer (by its display text)."""
    (item,) = [item for item in _items(questionnaire["item"]) if item["linkId"] == link]
    options = [option["valueCoding"] for option in item["answerOption"]]
    (display,) = [option["display"] for option in options if option["code"] == code]
    # The label is the question's text, then LHC-Forms' mark of a required question.
    page.get_by_role("combobox", name=re.compile("^" + re.escape(item["text"]))).click()
    # Its list of answers (autocomplete-lhc's), each numbered: "1: Yes".
    page.locator("#lhc-tools-searchResults li").filter(has_text=re.compile(re.escape(display) + "$")).click()
