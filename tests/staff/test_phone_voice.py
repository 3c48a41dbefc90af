"""Phone mode speaks as the practice (spec §3a): what the receptionist reads out at each level says
what to tell the caller and do now, never to call the practice; it is what the record stores as
what the caller was told; staff see every fired rule with its level and guidance."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.apps import PLACEHOLDERS, PRACTICE
from tests.support.cases import VIGNETTES
from tests.support.flow import RULES
from tests.support.journeys import take_call
from tests.support.markup import answers_offered, parse
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
    items = shown[0].find_all("li") if shown else []
    assert [li.one("strong").text for li in items if li.find_all("strong")] == [
        r.id for r in outcome.fired_rules
    ]
    for li, rule in zip(items, outcome.fired_rules, strict=False):
        assert li.find_all(cls=f"tag--{rule.level.value}")
        if rule.guidance is not None:
            assert rule.guidance.render("en", PLACEHOLDERS) in li.text


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
