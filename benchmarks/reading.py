"""`python -m benchmarks.reading`: what a reader on a phone meets, measured in Debian's Chromium at
390×844 CSS px (a phone), English pages.

1. The warning signs laid out several ways (one page; pages of a few related questions; one question
   a page), each served from a copy of rules/ whose questions.yaml is rewritten for it: for a person
   who answers "no" to everything, and for one with each warning sign in turn (answering every
   question on the pages they see, as a reader who does not know the advice can come early), the
   taps and the keypresses (keyboard alone) to get through, the pages (steps) before the advice,
   each page's length in px and in phone screens, and the Tab stops before its button.
2. "Check your answers" for a person asked every page: the Tab stops before "See your result".
3. "How this tool decides": its length in px, and in phone screens.

Nothing leaves 127.0.0.1. The app is served as the browser tests serve it (tests/support/browser.py).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, served
from triage import PROJECT_ROOT
from triage.engine import Level, RuleSet, load_rules
from triage.engine.contract import Question
from triage.questionnaire import Page as QuestionPage
from triage.questionnaire import Questionnaire
from triage.questionnaire.fields import choices, to_form_value

PHONE = {"width": 390, "height": 844}
RULES_DIR = PROJECT_ROOT / "rules"
SUBMIT = "main form:not([action]) [type=submit]"
#: Most presses of Tab a page may need (more means the control was never reached).
MAX_TABS = 200
#: The warning signs in the order of the single page they were once asked on.
BEFORE = [
    "leg_weakness",
    "numbness",
    "walking_difficulty",
    "saddle_numbness",
    "bladder_bowel",
    "sexual_dysfunction",
    "cannot_stand",
]
#: The signs about standing, walking and strength, the one that needs an ambulance first.
MOVING = ["cannot_stand", "leg_weakness", "walking_difficulty"]
ACTIVE = "selector => document.activeElement !== null && document.activeElement.matches(selector)"


@dataclass
class Walk:
    """One person's way through the warning signs."""

    taps: int = 0
    keys: int = 0
    pages: list[str] = field(default_factory=list)
    ended_at: str = ""


def layouts(rules: RuleSet) -> dict[str, list[list[str]]]:
    """The ways of laying out the warning signs: as shipped, then each other way not the same."""
    shipped = [list(page.question_ids) for page in Questionnaire.of(rules).warning_signs]
    moving, feeling = MOVING, ["numbness", "saddle_numbness"]
    private = ["bladder_bowel", "sexual_dysfunction"]
    others = {
        "one page, in the order of before": [BEFORE],
        "one page, cannot stand first": [moving + feeling + private],
        "two pages: moving, then the rest": [moving, feeling + private],
        "three pages: moving, feeling, bladder bowel and sex": [moving, feeling, private],
        "one question a page, cannot stand first": [[qid] for qid in moving + feeling + private],
    }
    return {"as shipped": shipped} | {name: layout for name, layout in others.items() if layout != shipped}


def rules_for(layout: list[list[str]], folder: Path) -> Path:
    """A copy of rules/ whose warning signs are asked in these pages."""
    target = folder / "rules"
    shutil.copytree(RULES_DIR, target)
    questions_file = target / "questions.yaml"
    data = yaml.safe_load(questions_file.read_text(encoding="utf-8"))
    by_id = {q["id"]: q for q in data["questions"]}
    screen = [qid for page in layout for qid in page]
    for qid in screen:
        by_id[qid].pop("new_page", None)
    for page in layout[1:]:
        by_id[page[0]]["new_page"] = True
    rest = [q for q in data["questions"] if q["id"] not in screen]
    data["questions"] = [by_id[qid] for qid in screen] + rest
    questions_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def alarming_value(rules: RuleSet, question: Question) -> Any:
    """The least concerning answer to a warning sign that alone leads to the early advice."""
    values = rules.contract.ordered_fields()[question.id]
    answers = question.kind.fixed_values if question.kind.is_truth else question.values
    for value in answers:
        fact = question.fact(value)
        if fact in values and rules.assess_partial({question.id: value}).level >= Level.EMERGENCY:
            return value
    raise LookupError(f"no answer to {question.id} leads to the early advice on its own")


def no_to_everything(question: Question) -> Any:
    """The calm answer: "no", or the least concerning choice."""
    return False if question.kind.is_truth else question.values[0]


def focused(page: Page, selector: str) -> bool:
    """Whether the keyboard focus is on an element matching `selector`."""
    return bool(page.evaluate(ACTIVE, selector))


def tabs_to(page: Page, selector: str) -> int:
    """Press Tab until the focus reaches `selector`; how many presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return presses
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {selector} on {page.url}")


def input_ids(rules: RuleSet, question: Question, answer: Any) -> list[str]:
    """The ids of the inputs that give this answer."""
    shown = to_form_value(question, answer)
    values = [choice.value for choice in choices(question, rules.contract, "en")]
    given = shown if isinstance(shown, list) else [shown]
    return [f"{question.id}-{values.index(value)}" for value in given]


def page_shown(flow: Questionnaire, page: Page) -> QuestionPage:
    """The question page the browser shows."""
    shown = flow.page(page.url.rpartition("/")[2])
    if shown is None:
        raise LookupError(f"not a question page: {page.url}")
    return shown


def by_taps(page: Page, rules: RuleSet, flow: Questionnaire, answers: Mapping[str, Any], walk: Walk) -> None:
    """Answer the page shown by tapping each answer, then its button."""
    shown = page_shown(flow, page)
    for question in shown.questions:
        page.locator(f'label[for="{input_ids(rules, question, answers[question.id])[0]}"]').click()
        walk.taps += 1
    with page.expect_navigation():
        page.locator(SUBMIT).click()
    walk.taps += 1


def by_keys(page: Page, rules: RuleSet, flow: Questionnaire, answers: Mapping[str, Any], walk: Walk) -> None:
    """Answer the page shown with the keyboard alone: Tab to each group, arrows to the answer, Space
    where the arrows did not choose it, Tab to the button, Enter."""
    shown = page_shown(flow, page)
    for question in shown.questions:
        wanted = f"#{input_ids(rules, question, answers[question.id])[0]}"
        walk.keys += tabs_to(page, f'input[name="{question.id}"]')
        while not focused(page, wanted):
            page.keyboard.press("ArrowDown")
            walk.keys += 1
        if not page.locator(wanted).is_checked():
            page.keyboard.press("Space")
            walk.keys += 1
    walk.keys += tabs_to(page, SUBMIT)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    walk.keys += 1


def walk_through(browser: Browser, url: str, rules: RuleSet, answers: Mapping[str, Any]) -> Walk:
    """Tap through the warning signs, then do it again by keyboard; where each way ended."""
    flow, walk = Questionnaire.of(rules), Walk()
    screen_ids = {p.id for p in flow.warning_signs}
    for answer_page in (by_taps, by_keys):
        context = browser.new_context(base_url=url, viewport=PHONE)
        page = context.new_page()
        page.goto(f"/questions/{flow.pages[0].id}")
        while page.url.rpartition("/")[2] in screen_ids:
            if answer_page is by_taps:
                walk.pages.append(page.url.rpartition("/")[2])
            answer_page(page, rules, flow, answers, walk)
        walk.ended_at = page.url.replace(url, "")
        context.close()
    return walk


def page_figures(browser: Browser, url: str, flow: Questionnaire) -> list[tuple[str, int, int]]:
    """Each warning-sign page: its id, its length in px at phone width, and its Tab stops before its
    button (a fresh person: nothing answered)."""
    context = browser.new_context(base_url=url, viewport=PHONE)
    page = context.new_page()
    figures = []
    for shown in flow.warning_signs:
        page.goto(f"/questions/{shown.id}")
        height = int(page.evaluate("document.documentElement.scrollHeight"))
        figures.append((shown.id, height, tabs_to(page, SUBMIT) - 1))
    context.close()
    return figures


def screens(px: int) -> str:
    """A length in phone screens."""
    return f"{px / PHONE['height']:.1f}"


def warning_signs(browser: Browser) -> None:
    """Part 1: the layouts of the warning signs, each served from its own copy of rules/."""
    for name, layout in layouts(load_rules()).items():
        with tempfile.TemporaryDirectory() as folder:
            rules_dir = rules_for(layout, Path(folder))
            with served(Path(folder), RULES_DIR=str(rules_dir)) as url:
                print(f"\n## {name}: {' | '.join(', '.join(page) for page in layout)}")
                measure_layout(browser, url, load_rules(rules_dir))


def measure_layout(browser: Browser, url: str, rules: RuleSet) -> None:
    """Each warning-sign page's length and Tab stops; the walks of a calm person and of each sign."""
    flow = Questionnaire.of(rules)
    questions = [q for page in flow.warning_signs for q in page.questions]
    calm = {q.id: no_to_everything(q) for q in questions}
    figures = page_figures(browser, url, flow)
    for page_id, height, tabs in figures:
        print(f"  page {page_id}: {height} px ({screens(height)} screens), {tabs} Tab stops before Continue")
    total = sum(height for _, height, _ in figures)
    print(f"  all warning-sign pages: {total} px ({screens(total)} screens)")
    walk = walk_through(browser, url, rules, calm)
    print(
        f"  'no' to everything: {walk.taps} taps, {walk.keys} keypresses, {len(walk.pages)} pages,"
        f" then {walk.ended_at}"
    )
    for question in questions:
        sign = alarming_value(rules, question)
        walk = walk_through(browser, url, rules, {**calm, question.id: sign})
        read = sum(height for page_id, height, _ in figures if page_id in walk.pages)
        print(
            f"  {question.id}={sign}: advice after {len(walk.pages)} pages ({read} px read),"
            f" {walk.taps} taps, {walk.keys} keypresses, then {walk.ended_at}"
        )


@contextmanager
def project_server() -> Iterator[str]:
    """The app as it is, with the shipped rules."""
    with tempfile.TemporaryDirectory() as folder, served(Path(folder)) as url:
        yield url


def check_answers_and_rules(browser: Browser) -> None:
    """Parts 2 and 3: Tab stops before "See your result", and the length of "How this tool decides"."""
    rules = load_rules()
    flow = Questionnaire.of(rules)
    everyone = {  # every page asked, no early exit: the longest "check your answers"
        **{q.id: no_to_everything(q) for page in flow.warning_signs for q in page.questions},
        "age": 74,
        "sex": "female",
        "injury": "minor_fall",
        "back_pain": True,
        "pain_location": ["lower_back"],
        "pain_onset": "sudden",
        "pain_duration": "under_1_week",
        "pain_severity": 7,
        "pain_features": [],
        "height_loss": False,
        "osteoporosis": True,
        "previous_fracture": False,
        "steroids": False,
        "cancer": "past",
        "cancer_type": "breast",
        "bone_metastases": False,
        "weight_loss": False,
        "fever": False,
    }
    with project_server() as url:
        context = browser.new_context(base_url=url, viewport=PHONE)
        page = context.new_page()
        page.goto(f"/questions/{flow.pages[0].id}")
        while "/questions/" in page.url:
            shown = page_shown(flow, page)
            for question in shown.questions:
                if question.kind.is_number:
                    page.locator(f"#{question.id}").fill(str(everyone[question.id]))
                else:
                    for input_id in input_ids(rules, question, everyone[question.id]):
                        page.locator(f"#{input_id}").check()
            with page.expect_navigation():
                page.locator(SUBMIT).click()
        if not page.url.endswith("/check-answers"):
            raise LookupError(f"the questions ended at {page.url}, not at check your answers")
        height = int(page.evaluate("document.documentElement.scrollHeight"))
        print(f"\n## Check your answers: {height} px ({screens(height)} screens)")
        tabs = tabs_to(page, SUBMIT)
        print(f"  {tabs} presses of Tab to reach 'See your result' ({tabs - 1} stops before it)")
        page.goto("/rules")
        height = int(page.evaluate("document.documentElement.scrollHeight"))
        print(f"\n## How this tool decides: {height} px ({screens(height)} screens)")
        context.close()


def main() -> None:
    """Measure and print."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            check_answers_and_rules(browser)
            warning_signs(browser)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
