"""Phone mode speaks as the practice (spec §3a): what the receptionist reads out at each level says
what to tell the caller and do now, never to call the practice; it is what the record stores as
what the caller was told; staff see every fired rule with its level and guidance."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.apps import PLACEHOLDERS, PRACTICE
from tests.support.cases import VIGNETTES
from tests.support.flow import RULES
from tests.support.journeys import take_call
from tests.support.markup import answers_offered, error_summary, parse
from tests.support.markup import items as list_items
from tests.support.records import record
from tests.support.staff import RECEPTION, login

BY_ID = pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
PRACTICE_PHONE_DIGITS = "".join(ch for ch in PRACTICE["PRACTICE_PHONE"] if ch.isdigit())


@BY_ID
def test_the_phone_result_tells_the_caller_what_to_do_and_never_to_call_the_practice(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    login(client, RECEPTION)
    call = take_call(client, case["answers"], caller_phone="6941234567")  # a number to call back
    outcome = RULES.assess(case["answers"])
    script = call.result.one("p", cls="action")
    assert script.text == outcome.phone_script.render("en", PLACEHOLDERS)
    assert PRACTICE["PRACTICE_PHONE"] not in script.text
    assert not any(PRACTICE_PHONE_DIGITS in (a.get("href") or "") for a in script.find_all("a"))
    assert "call the practice" not in script.text.lower()
    saved = record(app, call.reference)
    assert saved.told == script.text, "the record must store what the caller was told"


@BY_ID
def test_the_record_shows_every_fired_rule_with_its_level_and_guidance(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    login(client, RECEPTION)
    call = take_call(client, case["answers"])
    outcome = RULES.assess(case["answers"])
    page = parse(client.get(f"/staff/assessments/{call.reference}").text)
    shown = page.find_all("ul", cls="fired-rules")
    items = list_items(shown[0]) if shown else []
    assert [li.one("strong").text for li in items if li.find_all("strong")] == [
        r.id for r in outcome.fired_rules
    ]
    for li, rule in zip(items, outcome.fired_rules, strict=False):
        assert li.find_all(cls=f"tag--{rule.level.value}")
        if rule.guidance is not None:
            assert rule.guidance.render("en", PLACEHOLDERS) in li.text


@pytest.mark.parametrize("lang", ["en", "el"])
def test_the_phone_screens_errors_are_worded_for_the_receptionist(client: FlaskClient, lang: str) -> None:
    """Nothing answered on the warning signs: each message is the phone voice's, which the person's
    own differs from where it speaks to them ("weakness in your legs")."""
    login(client, RECEPTION)
    client.get(f"/staff/phone?lang={lang}")
    sent = client.post("/staff/phone", data={})
    assert sent.status_code == 200
    contract = RULES.contract
    screen = contract.emergency_screen.question_ids
    assert error_summary(parse(sent.text)) == [
        contract.message(qid, "required", "phone").get(lang) for qid in screen
    ]
    assert any(contract.message(qid, "required").get(lang) not in sent.text for qid in screen), (
        "some of the person's own messages speak to them, and are not shown here"
    )


#: A call whose reasons include some below the level ("also told"), and one where no rule fires.
ALSO_TOLD = next(case for case in VIGNETTES if RULES.assess(case["answers"]).also_told_reasons)
NOTHING_FIRES = next(case for case in VIGNETTES if not RULES.assess(case["answers"]).fired_rules)
#: The receptionist's own words on the result: the headings and the prompts, never the read-out texts.
OWN_WORDS = ("h1", "h2", "h3", "p.prompt")


@pytest.mark.parametrize("case", [ALSO_TOLD, NOTHING_FIRES], ids=[ALSO_TOLD["id"], NOTHING_FIRES["id"]])
def test_the_phone_result_frames_the_reasons_as_read_out_to_the_caller(
    client: FlaskClient, case: dict[str, Any]
) -> None:
    """The reasons and the advice speak to the person ("You told us…"): the receptionist is told to
    read them out, under headings about the caller; nothing of their own says "you"."""
    login(client, RECEPTION)
    result = take_call(client, case["answers"], caller_phone="6941234567").result.main
    own = [el.text for tag in OWN_WORDS for el in result.find_all(*tag.split("."))]
    assert not [text for text in own if re.search(r"\byou(?:r)?\b", text, re.IGNORECASE)], own
    if case is NOTHING_FIRES:
        assert "None of the caller's answers is a sign that needs urgent care." in result.text
        return
    headings = [h.text for h in result.find_all("h2")]
    assert "Why: what the caller told us" in headings
    assert "The caller also told us" in [h.text for h in result.find_all("h3")]
    prompts = [p.text for p in result.find_all("p", cls="read-out")]
    assert len(prompts) >= 2 and set(prompts) == {"Read this out to the caller as it is written:"}


def test_the_warning_signs_call_says_not_sure_only_where_a_question_has_it(client: FlaskClient) -> None:
    """Numbness has no "Not sure" answer (the contract fixes its values), so the screen may not tell
    the receptionist to choose it for every question."""
    login(client, RECEPTION)
    document = parse(client.get("/staff/phone").text)
    said = " ".join(p.text for p in document.main.find_all("p"))
    screen = RULES.contract.emergency_screen.question_ids
    lacking = [qid for qid in screen if "Not sure" not in answers_offered(document, qid)]
    assert lacking == ["numbness"]
    assert 'If they are not sure, choose "Not sure".' not in said
    assert 'If they are not sure, choose "Not sure" where a question has it.' in said
