"""What the person is shown (clinical spec §3a), over the whole answer space: guidance at its level."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.engine import Level, Outcome, RuleSet
from triage.engine.model import Text
from triage.rulecheck.check import check_rules

from .conftest import MANY, PROFILE, Engine
from .strategies import complete_answers
from .test_vignettes import CONFIG


def shown_texts(outcome: Outcome, lang: str) -> Iterator[str]:
    """Every text the person is shown in `lang`, rendered as the application renders it."""
    for text in (outcome.advice.label, outcome.advice.action, *outcome.guidance):
        yield text.render(lang, CONFIG)
    for rule in outcome.fired_rules:
        yield rule.reason.render(lang, CONFIG)
    yield outcome.safety_net.intro.render(lang, CONFIG)
    yield from (sign.render(lang, CONFIG) for sign in outcome.safety_net.warning_signs)
    yield outcome.safety_net.expect.render(lang, CONFIG)
    yield outcome.not_a_diagnosis.render(lang, CONFIG)


def leaks(outcome: Outcome, guidance: Text, languages: tuple[str, ...]) -> list[str]:
    """The shown texts that contain `guidance` in one of the languages."""
    return [
        text
        for lang in languages
        for text in shown_texts(outcome, lang)
        if guidance.render(lang, CONFIG) in text
    ]


@MANY
@given(data=st.data())
def test_an_outcome_never_shows_the_guidance_of_a_rule_below_its_level(
    engine: Engine, data: st.DataObject
) -> None:
    rules = engine.rules
    outcome = rules.assess(data.draw(complete_answers(rules.contract), label="answers"))
    for rule in rules.rules:  # every rule below the level, fired or not
        if rule.level < outcome.level and rule.guidance is not None:
            assert not leaks(outcome, rule.guidance, rules.languages), (
                f"{rule.id} ({rule.level.value}) guidance shown at {outcome.level.value}"
            )
    for rule in outcome.decisive_rules:
        assert rule.guidance is None or rule.guidance in outcome.guidance, f"{rule.id}'s guidance is missing"


@PROFILE
@given(data=st.data())
def test_an_ambulance_outcome_with_one_sided_tingling_never_says_it_is_not_an_emergency(
    engine: Engine, data: st.DataObject
) -> None:
    rules = engine.rules
    answers: dict[str, Any] = data.draw(complete_answers(rules.contract), label="answers")
    yes = st.sampled_from([True, "unsure"])
    answers |= {
        "numbness": "one_side",
        "cannot_stand": data.draw(yes, label="cannot_stand"),
        "leg_weakness": data.draw(yes, label="leg_weakness"),
    }
    outcome = rules.assess(answers)
    s5 = rules.rule("S5")
    assert outcome.level == Level.AMBULANCE
    assert "S5" in [rule.id for rule in outcome.fired_rules], "staff still see every fired rule"
    assert s5.guidance is not None
    assert not leaks(outcome, s5.guidance, rules.languages)
    assert not any("not an emergency" in text for text in shown_texts(outcome, "en"))


def test_the_rules_check_fails_when_the_engine_shows_a_lower_rules_guidance(
    rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So the check can fail: an engine that shows every fired rule's guidance (as v1 did) is caught."""

    def every_fired_rules_guidance(outcome: Outcome) -> tuple[Text, ...]:
        return tuple(r.guidance for r in outcome.fired_rules if r.guidance is not None)

    monkeypatch.setattr(Outcome, "guidance", property(every_fired_rules_guidance))
    report = check_rules(rules, samples=2_000)
    found = [v for v in report.violations if v.invariant == "guidance at the outcome's level"]
    assert found and not report.ok
    assert all(v.answers is not None and "below its level" in v.message for v in found)


# --- the person who cannot stand is told to call, not to travel (spec §4 v3, A3) -------------------

#: What an action that sends the person to travel to hospital says, in each language.
TRAVEL = {"en": "Go to the nearest", "el": "Πηγαίνετε τώρα"}


@MANY
@given(data=st.data())
def test_a_person_who_cannot_stand_is_told_to_call_the_emergency_number_not_to_travel(
    engine: Engine, data: st.DataObject
) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    answers["cannot_stand"] = data.draw(st.sampled_from([True, "unsure"]), label="cannot_stand")
    outcome = rules.assess(answers)
    assert outcome.level == Level.AMBULANCE
    assert "A3" in {rule.id for rule in outcome.decisive_rules}, "cannot stand always decides the outcome"
    for lang in rules.languages:
        for text in (outcome.advice.label, outcome.action):
            shown = text.render(lang, CONFIG)
            assert TRAVEL[lang] not in shown, shown
        assert f"{CONFIG['emergency_number']} " in outcome.action.render(lang, CONFIG)


#: What the heading and the action of each red level say (en): the one never contradicts the other.
AGREE = {
    Level.AMBULANCE: ("ambulance", "Call {emergency_number} now"),
    Level.EMERGENCY: ("emergency department", "Go to the nearest hospital emergency department now"),
}


@MANY
@given(data=st.data())
def test_the_heading_and_the_action_shown_always_agree(engine: Engine, data: st.DataObject) -> None:
    """Spec v3: no "Go to an emergency department now" above "Call 112 now" (or the reverse)."""
    rules = engine.rules
    outcome = rules.assess(data.draw(complete_answers(rules.contract), label="answers"))
    assert (outcome.advice.label, outcome.action) == (
        rules.levels[outcome.level].label,
        rules.levels[outcome.level].action,
    )
    if outcome.level in AGREE:
        heading, action = AGREE[outcome.level]
        assert heading in outcome.advice.label.get("en").lower()
        assert outcome.action.get("en").startswith(action), outcome.action.get("en")
