"""Reasons in the person's own terms (clinical spec §3a): one decisive reason first, naming what applies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.engine import Level, RuleSet
from triage.rulecheck.sampling import AnswerSampler

from .conftest import MANY, Engine
from .strategies import complete_answers
from .test_invariants import BASELINE, pain
from .test_wording import TOLD_US, diagnostic_claims

# (case id, answers on top of BASELINE, rule, what its reason says (en), what it must not say (en))
SAYS: list[tuple[str, dict[str, Any], str, list[str], list[str]]] = [
    (
        "cancer, long-standing lower back pain at night: not the neck or upper back",
        {"age": 60, "cancer": "past", "bone_metastases": False, **pain(features=("night_pain",))},
        "U1",
        ["had cancer", "wakes you at night"],
        ["neck", "upper", "strong", "worse"],
    ),
    (
        "cancer, recent lower back pain",
        {"cancer": "current", "bone_metastases": False, **pain(duration="1_to_4_weeks")},
        "U1",
        ["pain in your lower back", "last 12 weeks"],
        ["neck", "upper", "night"],
    ),
    (
        "cancer, long-standing neck pain",
        {"cancer": "past", "bone_metastases": False, **pain(location=("neck",))},
        "U1",
        ["pain in your neck"],
        ["upper", "lower", "night", "strong"],
    ),
    (
        "cancer, not sure it has spread to the bones",
        {"cancer": "current", "bone_metastases": "unsure", **pain()},
        "U1",
        ["spread to your bones", "not sure", "lower back"],
        ["neck", "night"],
    ),
    (
        "cannot stand after a serious injury",
        {"cannot_stand": True, "injury": "major"},
        "A1",
        ["cannot stand", "serious injury"],
        ["weak", "cancer"],
    ),
    (
        "not sure about standing, with cancer",
        {"cannot_stand": "unsure", "cancer": "past", "bone_metastases": False},
        "A1",
        ["not sure if you can stand", "had cancer"],
        ["weak", "injury", "cannot stand"],
    ),
    (
        "serious injury, strong neck pain",
        {"injury": "major", **pain(location=("neck",), severity=8)},
        "A2",
        ["serious injury", "neck", "7 or more"],
        ["back", "nerve"],
    ),
    (
        "serious injury, mild pain, weak arms",
        {"injury": "major", "leg_weakness": True, **pain(location=("upper_back",), severity=3)},
        "A2",
        ["upper or middle back", "weakness in your legs or arms"],
        ["strong", "7 or more", "neck"],
    ),
    ("sexual problems only", {"sexual_dysfunction": True}, "E1", ["genitals"], ["bladder", "bottom"]),
    (
        "walking difficulty only",
        {"walking_difficulty": True},
        "E2",
        ["difficulty walking"],
        ["weakness", "numb"],
    ),
    (
        "numbness in an arm and a leg",
        {"numbness": "both_sides"},
        "E2",
        ["both legs, both arms, or an arm and a leg"],
        ["weakness", "walking"],
    ),
    (
        "cancer and one-sided tingling",
        {"cancer": "past", "bone_metastases": False, "numbness": "one_side"},
        "E3",
        ["had cancer", "one leg or one arm"],
        ["weakness", "both", "nerve symptom"],
    ),
    (
        "fever with new bladder problems",
        {"fever": True, "bladder_bowel": True},
        "E4",
        ["fever", "bladder"],
        ["numb", "weakness", "nerve symptom"],
    ),
    (
        "neck pain since a serious injury, at 70, this week",
        {"age": 70, "injury": "major", **pain(location=("neck",), duration="under_1_week")},
        "E7",
        ["65 or over", "serious injury", "less than a week"],
        ["a fall"],
    ),
    (
        "neck pain since a fall six weeks ago, at 66",
        {"age": 66, "injury": "minor_fall", **pain(location=("neck",), duration="4_to_12_weeks")},
        "U5",
        ["after a fall", "more than 4 weeks ago"],
        ["injury", "less than a week"],
    ),
    (
        "a minor fall at 75 with strong pain",
        {"age": 75, "injury": "minor_fall", **pain(onset="sudden", duration="under_1_week", severity=7)},
        "U2",
        ["after a fall", "6 or more", "70 or over"],
        ["suddenly", "lifting", "osteoporosis", "steroid", "fracture"],
    ),
    (
        "a sneeze on steroids at 45, painkillers not helping",
        {
            "age": 45,
            "steroids": True,
            "injury": "strain",
            **pain(duration="1_to_4_weeks", features=("not_relieved",)),
        },
        "U2",
        ["sneezing", "painkillers do not help", "steroid"],
        ["70", "fall", "6 or more"],
    ),
    (
        "lifting at 55, mild pain",
        {"age": 55, "injury": "strain", **pain(duration="1_to_4_weeks")},
        "S2",
        ["lifting", "50 or over"],
        ["fall", "thin", "suddenly"],
    ),
    (
        "night pain at 60",
        {"age": 60, **pain(features=("night_pain",))},
        "S3",
        ["50 or over", "wakes you at night"],
        ["4 weeks"],
    ),
    ("steroid tablets at 40", {"steroids": True}, "I1", ["steroid tablets"], ["50", "osteoporosis"]),
    ("height loss at 40", {"height_loss": True}, "I1", ["lost height"], ["50", "steroid"]),
]


@pytest.mark.parametrize(
    ("changes", "rule_id", "says", "never"), [c[1:] for c in SAYS], ids=[c[0] for c in SAYS]
)
def test_a_reason_names_what_the_person_said_and_nothing_else(
    rules: RuleSet, changes: dict[str, Any], rule_id: str, says: list[str], never: list[str]
) -> None:
    outcome = rules.assess({**BASELINE, **changes})
    (fired,) = [rule for rule in outcome.fired_rules if rule.id == rule_id]
    reason = fired.reason.get("en")
    assert [word for word in says if word not in reason] == [], reason
    assert [word for word in never if word in reason] == [], reason
    said = rules.read({**BASELINE, **changes}).said
    assert rules.rule(rule_id).wording.wording(said).general_parts == [], "fell back to the general wording"


#: The same in Greek, for the pain's location: a lower-back caller is not told about the neck.
GREEK_LOCATION = [
    (
        {"cancer": "past", "bone_metastases": False, **pain(duration="1_to_4_weeks")},
        "U1",
        "στη μέση",
        "αυχένα",
    ),
    ({"fever": True, **pain(location=("neck",))}, "U4", "στον αυχένα", "μέση"),
    ({"age": 62, "weight_loss": True, **pain(location=("upper_back",))}, "U3", "μεσαίο μέρος", "αυχένα"),
]


@pytest.mark.parametrize(("changes", "rule_id", "says", "never"), GREEK_LOCATION)
def test_the_greek_reason_names_where_the_pain_is(
    rules: RuleSet, changes: dict[str, Any], rule_id: str, says: str, never: str
) -> None:
    (fired,) = [r for r in rules.assess({**BASELINE, **changes}).fired_rules if r.id == rule_id]
    assert says in fired.reason.get("el") and never not in fired.reason.get("el"), fired.reason.get("el")


def test_a_minor_fall_at_75_gives_one_decisive_reason_not_three_near_identical_ones(rules: RuleSet) -> None:
    answers = {
        **BASELINE,
        "age": 75,
        "injury": "minor_fall",
        **pain(onset="sudden", duration="4_to_12_weeks", severity=7),
    }
    outcome = rules.assess(answers)
    assert [rule.id for rule in outcome.fired_rules] == ["U2", "S2", "S3", "I1"]
    assert outcome.level == Level.URGENT
    assert outcome.decisive_reasons == (outcome.fired_rules[0].reason,)
    (also,) = [text.get("en") for text in outcome.also_told_reasons]  # S2 and I1 only repeat U2
    assert "more than 4 weeks" in also and "70" not in also, "S3's age is told by U2 already"


# --- the whole answer space ----------------------------------------------------------------------


@MANY
@given(data=st.data())
def test_every_fired_rules_reason_is_worded_by_what_the_answers_say(
    engine: Engine, data: st.DataObject
) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    said = rules.read(answers).said
    for fired in rules.assess(answers).fired_rules:
        wording = rules.rule(fired.id).wording.wording(said)
        assert wording.general_parts == [], f"{fired.id} fell back to its general wording"
        assert fired.reason == wording.text
        for lang, start in TOLD_US.items():
            text = fired.reason.get(lang)
            assert text.startswith(start), text
            assert not re.search(r"\{(?!emergency_number|ambulance_number)\w*\}", text), text
            assert diagnostic_claims(text) == [], text


def told(text: str) -> list[str]:
    """The facts a shown reason names: its list's lines, or the clause of its one sentence."""
    lead, *facts = text.split("\n- ")
    return facts or [lead]


@MANY
@given(data=st.data())
def test_why_opens_with_the_decisive_reasons_then_the_others_each_fact_once(
    engine: Engine, data: st.DataObject
) -> None:
    rules = engine.rules
    outcome = rules.assess(data.draw(complete_answers(rules.contract), label="answers"))
    fired = {rule.id for rule in outcome.fired_rules}
    deciding = {rule.id for rule in outcome.fired_rules if rule.level == outcome.level}
    assert outcome.decisive_reasons or not deciding  # a rule that decided always has a reason shown
    assert (outcome.decisive_reasons == ()) == (outcome.level == Level.INFORMATION and not fired)
    shown = [*outcome.decisive_reasons, *outcome.also_told_reasons]
    lines = [fact for text in shown for fact in told(text.get("en"))]
    assert len(lines) == len(set(lines)), f"a fact told twice on one page: {lines}"
    for rule in outcome.fired_rules:  # every fact of a rule not left out as a repeat is told
        if rule.told and not (deciding if rule.id in deciding else fired) & set(rules.rule(rule.id).repeats):
            missing = [f.get("en") for f in rule.told if not any(f.get("en") in line for line in lines)]
            assert missing == [], f"{rule.id}: {missing} not told"
    for rule in rules.rules:  # a rule left out as a repeat fires wherever the rule it repeats fires
        for other in rule.repeats:
            assert other not in fired or rule.id in fired, f"{other} fired without {rule.id}"


def test_a_remembered_reason_is_the_one_the_answers_choose(rules: RuleSet) -> None:
    """The engine remembers reasons by the answers they look at; a remembered one is never stale."""
    sampler = AnswerSampler(rules, seed=11)
    checked = 0
    for _ in range(3000):
        reading = rules.read(sampler.sample())
        for rule in rules.fired(reading.facts):
            assert rule.reason_for(reading.said) == rule.wording.wording(reading.said).text, rule.id
            checked += 1
    assert checked > 3000


def test_cannot_stand_is_told_once_when_a1_and_a3_both_decide(rules: RuleSet) -> None:
    """A3 (cannot stand) repeats A1 (cannot stand, with weak legs): A1's reason alone says both."""
    answers = {**BASELINE, "cannot_stand": True, "leg_weakness": True}
    outcome = rules.assess(answers)
    assert {"A1", "A3"} <= {rule.id for rule in outcome.decisive_rules}
    english = [text.translations["en"] for text in outcome.decisive_reasons]
    assert len(english) == 1 and "cannot stand" in english[0] and "weak" in english[0], english
