"""Property-based checks of the rule set against clinical spec §4 and its invariants, over the whole domain.

The oracle (spec_oracle.py) is spec §4 in plain Python; the strategies (strategies.py) draw valid
answer sets from the answers contract. Hypothesis runs derandomized, so CI is deterministic.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.engine import Level, RuleSet

from .conftest import MANY, PROFILE, SOME, Engine
from .spec_oracle import (
    AMBULANCE_QUESTIONS,
    CANCER_HISTORY,
    CAUDA_QUESTIONS,
    INJURY_ORDER,
    NUMBNESS_ORDER,
    SPEC_IDS,
    SPEC_RULES,
    YES_NO_QUESTIONS,
    may_apply,
    spec_fired,
    spec_level,
)
from .strategies import answers_with_ignored, complete_answers, fill_new_questions


def fired_ids(outcome: Any) -> list[str]:
    return [rule.id for rule in outcome.fired_rules]


# --- The engine agrees with spec §4 ----------------------------------------------------------------


@MANY
@given(data=st.data())
def test_spec_rules_fire_exactly_as_the_spec_says_and_the_level_is_never_below_it(
    engine: Engine, data: st.DataObject
) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    outcome = rules.assess(answers)
    engine_ids, oracle_ids = set(fired_ids(outcome)) & SPEC_IDS, spec_fired(answers)
    assert engine_ids == oracle_ids, (
        f"fired by the engine only: {sorted(engine_ids - oracle_ids)}; "
        f"by the spec only: {sorted(oracle_ids - engine_ids)}"
    )
    assert outcome.level >= spec_level(answers)


@PROFILE
@given(data=st.data())
def test_one_level_equal_to_the_highest_fired_rule_and_every_fired_rule_has_a_reason(
    engine: Engine, data: st.DataObject
) -> None:
    rules = engine.rules
    outcome = rules.assess(data.draw(complete_answers(rules.contract), label="answers"))
    assert isinstance(outcome.level, Level)
    levels = [rule.level for rule in outcome.fired_rules]
    assert outcome.level == max(levels, default=Level.INFORMATION)
    assert levels == sorted(levels, reverse=True), "fired rules are listed most urgent first"
    assert len(set(fired_ids(outcome))) == len(levels), "each rule is listed once"
    for rule in outcome.fired_rules:
        assert rule.reason.get("en").strip(), f"rule {rule.id} fired without an English reason"


@MANY
@given(data=st.data())
def test_neck_pain_after_a_fall_near_65_fires_e7_and_u5_exactly_as_the_spec_says(
    engine: Engine, data: st.DataObject
) -> None:
    """Spec v2: the neighbourhood of E7 and U5 (age about 65, neck pain, a fall or not), which the
    draws over the whole domain reach only now and then."""
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    answers |= {
        "age": data.draw(st.integers(60, 70), label="age"),
        "injury": data.draw(st.sampled_from(INJURY_ORDER), label="injury"),
        "back_pain": True,
    }
    answers = fill_new_questions(data.draw, rules.contract, answers)
    if data.draw(st.booleans(), label="neck"):
        answers["pain_location"] = sorted({*answers["pain_location"], "neck"})
    outcome = rules.assess(answers)
    fired = {rule.id for rule in outcome.fired_rules}
    assert fired & {"E7", "U5"} == spec_fired(answers) & {"E7", "U5"}
    assert outcome.level >= spec_level(answers)


@MANY
@given(data=st.data())
def test_a_nerve_symptom_after_a_major_injury_fires_e8_with_or_without_pain(
    engine: Engine, data: st.DataObject
) -> None:
    """Spec v3: the neighbourhood of E8 (a major injury, often without pain), which the draws over
    the whole domain reach only now and then; with pain, A2 gives an ambulance as well."""
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    answers |= {"injury": "major", "back_pain": data.draw(st.booleans(), label="pain")}
    answers = fill_new_questions(data.draw, rules.contract, answers)
    outcome = rules.assess(answers)
    fired = {rule.id for rule in outcome.fired_rules}
    assert ("E8" in fired) == ("E8" in spec_fired(answers))
    assert outcome.level >= spec_level(answers)
    if "E8" in fired:
        assert outcome.level >= Level.EMERGENCY


# --- Invariant 2: monotone ---------------------------------------------------------------------------


def _raises(answers: dict[str, Any], rules: RuleSet) -> list[tuple[str, list[Any]]]:
    """Each answer that can move up spec §4's order of concern, with the values it can move to."""
    moves: list[tuple[str, list[Any]]] = []
    for question_id, value in answers.items():
        if not may_apply(question_id, answers):
            continue
        if question_id in YES_NO_QUESTIONS and value is False:
            moves.append((question_id, [True, "unsure"]))
    for question_id, order in (("numbness", NUMBNESS_ORDER), ("injury", INJURY_ORDER)):
        higher = list(order[order.index(answers[question_id]) + 1 :])
        if higher:
            moves.append((question_id, higher))
    if answers["cancer"] == "never":
        moves.append(("cancer", list(CANCER_HISTORY)))
    severity = rules.contract["pain_severity"]
    if answers["back_pain"] is True and answers["pain_severity"] < severity.maximum:
        moves.append(("pain_severity", list(range(answers["pain_severity"] + 1, severity.maximum + 1))))
    return moves


@MANY
@given(data=st.data())
def test_a_more_concerning_answer_never_lowers_the_level(engine: Engine, data: st.DataObject) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    level = rules.assess(answers).level
    for step in range(data.draw(st.integers(1, 3), label="steps")):  # a few raises in a row
        moves = _raises(answers, rules)
        if not moves:  # every answer already at its most concerning
            break
        question_id, higher = data.draw(st.sampled_from(moves), label=f"step {step + 1}: raised")
        value = data.draw(st.sampled_from(higher), label=f"step {step + 1}: to")
        answers = fill_new_questions(data.draw, rules.contract, {**answers, question_id: value})
        raised_level = rules.assess(answers).level
        assert raised_level >= level, (
            f"{question_id} -> {value!r} lowered the level from {level.value} to {raised_level.value}"
        )
        level = raised_level


# --- Invariant 3: the floors (spec v3) ---------------------------------------------------------------


@PROFILE
@given(data=st.data())
def test_cauda_equina_always_gives_emergency_or_ambulance(engine: Engine, data: st.DataObject) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    question_id = data.draw(st.sampled_from(CAUDA_QUESTIONS), label="flag")
    answers[question_id] = data.draw(st.sampled_from([True, "unsure"]), label="answered")
    assert rules.assess(answers).level >= Level.EMERGENCY


@PROFILE
@given(data=st.data())
def test_cannot_stand_always_gives_an_ambulance(engine: Engine, data: st.DataObject) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    question_id = data.draw(st.sampled_from(AMBULANCE_QUESTIONS), label="flag")
    answers[question_id] = data.draw(st.sampled_from([True, "unsure"]), label="answered")
    outcome = rules.assess(answers)
    assert outcome.level == Level.AMBULANCE
    assert "A3" in {rule.id for rule in outcome.decisive_rules}


def test_the_rule_sets_floors_are_invariant_3_of_the_spec(rules: RuleSet) -> None:
    """What `rules check` proves (ruleset.yaml `floor`) is the spec's invariant 3, no less."""
    floors = {question: floor.level for floor in rules.floors for question in floor.questions}
    assert floors == {
        **dict.fromkeys(CAUDA_QUESTIONS, Level.EMERGENCY),
        **dict.fromkeys(AMBULANCE_QUESTIONS, Level.AMBULANCE),
    }


# --- "unsure" counts as yes --------------------------------------------------------------------------


@PROFILE
@given(data=st.data())
def test_unsure_gives_the_same_level_and_rules_as_yes(engine: Engine, data: st.DataObject) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    yes_answers = sorted(q for q, value in answers.items() if q in YES_NO_QUESTIONS and value is True)
    to_unsure = data.draw(
        st.sets(st.sampled_from(yes_answers), min_size=1) if yes_answers else st.just(set()),
        label="answered unsure instead",
    )
    unsure = {**answers, **dict.fromkeys(to_unsure, "unsure")}
    before, after = rules.assess(answers), rules.assess(unsure)
    assert after.level == before.level
    assert fired_ids(after) == fired_ids(before)
    assert {q: after.answers.as_dict()[q] for q in to_unsure} == dict.fromkeys(to_unsure, "unsure"), (
        "unsure is stored as given"
    )


# --- Answers to questions that do not apply are ignored ---------------------------------------------


@SOME
@given(data=st.data())
def test_answers_to_questions_that_do_not_apply_are_ignored(engine: Engine, data: st.DataObject) -> None:
    rules = engine.rules
    answers, ignored = data.draw(answers_with_ignored(rules.contract), label="answers, ignored")
    assert not any(may_apply(question_id, answers) for question_id in ignored)
    plain, padded = rules.assess(answers), rules.assess({**answers, **ignored})
    assert padded.level == plain.level
    assert fired_ids(padded) == fired_ids(plain)
    assert padded.answers.as_dict() == plain.answers.as_dict() == answers


# --- Partial assessment: a lower bound ---------------------------------------------------------------


@MANY
@given(data=st.data())
def test_partial_assessment_is_a_lower_bound_and_lists_what_is_unanswered(
    engine: Engine, data: st.DataObject
) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    hidden = data.draw(st.sets(st.sampled_from(sorted(answers))), label="hidden")
    shown = {q: value for q, value in answers.items() if q not in hidden}
    full, partial = rules.assess(answers), rules.assess_partial(shown)

    assert partial.level <= full.level
    assert set(fired_ids(partial)) <= set(fired_ids(full)), (
        "a rule fires on part of the answers only if certain"
    )
    assert partial.partial
    assert not full.partial and full.unanswered == ()
    unanswered = set(partial.unanswered)
    hidden_applicable = {q for q in hidden if may_apply(q, shown)}
    not_given_applicable = {
        q.id for q in rules.contract.questions if q.id not in shown and may_apply(q.id, shown)
    }
    assert hidden_applicable <= unanswered <= not_given_applicable
    if not hidden:
        assert partial.level == full.level


# --- Invariant 4: every rule can fire, every level is reachable -------------------------------------

#: Nothing of concern: every yes/no answered no, no pain, no injury, no numbness, no cancer.
BASELINE: dict[str, Any] = {
    "age": 40,
    "sex": "female",
    "injury": "none",
    "back_pain": False,
    "height_loss": False,
    "osteoporosis": False,
    "previous_fracture": False,
    "steroids": False,
    "cancer": "never",
    "weight_loss": False,
    "fever": False,
    "leg_weakness": False,
    "numbness": "none",
    "walking_difficulty": False,
    "saddle_numbness": False,
    "bladder_bowel": False,
    "sexual_dysfunction": False,
    "cannot_stand": False,
}


def pain(
    location: tuple[str, ...] = ("lower_back",),
    onset: str = "gradual",
    duration: str = "over_12_weeks",
    severity: int = 3,
    features: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Back pain answers; the defaults alone fire no spec rule."""
    return {
        "back_pain": True,
        "pain_location": list(location),
        "pain_onset": onset,
        "pain_duration": duration,
        "pain_severity": severity,
        "pain_features": list(features),
    }


#: One answer set per rule, on top of BASELINE, that makes the rule fire at the level it names.
EXAMPLES: dict[str, tuple[Level, dict[str, Any]]] = {
    "A1": (Level.AMBULANCE, {"cannot_stand": True, "leg_weakness": "unsure"}),
    "A2": (Level.AMBULANCE, {"injury": "major", **pain(severity=8)}),
    "A3": (Level.AMBULANCE, {"cannot_stand": "unsure"}),
    "E1": (Level.EMERGENCY, {"saddle_numbness": True}),
    "E2": (Level.EMERGENCY, {"walking_difficulty": True}),
    "E3": (Level.EMERGENCY, {"cancer": "past", "bone_metastases": False, "numbness": "one_side"}),
    "E4": (Level.EMERGENCY, {"fever": True, "numbness": "one_side"}),
    "E5": (Level.EMERGENCY, {"injury": "major", **pain(severity=3)}),
    "E8": (Level.EMERGENCY, {"injury": "major", "numbness": "one_side"}),
    "E7": (
        Level.EMERGENCY,
        {"age": 70, "injury": "minor_fall", **pain(location=("neck",), duration="under_1_week")},
    ),
    "U1": (Level.URGENT, {"cancer": "current", "bone_metastases": True, **pain()}),
    "U2": (Level.URGENT, {"age": 78, **pain(onset="sudden", duration="under_1_week", severity=6)}),
    "U3": (Level.URGENT, {"age": 62, "weight_loss": "unsure", **pain()}),
    "U4": (Level.URGENT, {"fever": True, **pain()}),
    "U5": (
        Level.URGENT,
        {"age": 66, "injury": "minor_fall", **pain(location=("neck",), duration="4_to_12_weeks")},
    ),
    "S1": (Level.SOON, {"cancer": "past", "bone_metastases": False, **pain()}),
    "S2": (Level.SOON, {"age": 55, "injury": "minor_fall", **pain(duration="1_to_4_weeks")}),
    "S3": (Level.SOON, {"age": 55, **pain(duration="4_to_12_weeks")}),
    "S4": (Level.SOON, {"height_loss": True, **pain()}),
    "S5": (Level.SOON, {"numbness": "one_side"}),
    "S6": (Level.SOON, {**pain(features=("worsening",))}),
    "S7": (Level.SOON, {**pain(duration="over_12_weeks", severity=8, features=("not_relieved",))}),
    # Not in spec §4's table: its "information" row (bone-health advice at 50+ or with a bone risk factor).
    "I1": (Level.INFORMATION, {"age": 50}),
}


def test_the_baseline_fires_nothing(rules: RuleSet) -> None:
    outcome = rules.assess(BASELINE)
    assert outcome.level == Level.INFORMATION
    assert fired_ids(outcome) == []
    assert spec_fired(BASELINE) == set()


def test_every_rule_has_an_example() -> None:
    assert set(EXAMPLES) >= SPEC_IDS
    assert {rule_id: SPEC_RULES[rule_id][0] for rule_id in SPEC_IDS} == {
        rule_id: EXAMPLES[rule_id][0] for rule_id in SPEC_IDS
    }


def test_every_level_is_reachable(rules: RuleSet) -> None:
    reached = {rules.assess({**BASELINE, **changes}).level for _, changes in EXAMPLES.values()}
    assert reached == set(Level)


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_rule_can_fire(rules: RuleSet, rule_id: str) -> None:
    level, changes = EXAMPLES[rule_id]
    answers = {**BASELINE, **changes}
    outcome = rules.assess(answers)
    assert rule_id in fired_ids(outcome)
    assert outcome.level == level, f"{rule_id}'s example should reach {level.value}"
    assert rules.rule(rule_id).level == level
    if rule_id in SPEC_IDS:
        assert rule_id in spec_fired(answers)
        assert spec_level(answers) == level


def test_no_rule_of_the_rule_set_is_without_an_example(rules: RuleSet) -> None:
    missing = sorted({rule.id for rule in rules.rules} - set(EXAMPLES))
    assert not missing, f"add an example to EXAMPLES showing that these rules can fire: {missing}"
    assert {rule.id for rule in rules.rules} >= SPEC_IDS, "every spec §4 rule is in the rule set"


# --- The strategies and the oracle follow the contract ----------------------------------------------


def test_the_contract_orders_concern_as_the_spec_does(rules: RuleSet) -> None:
    contract = rules.contract
    assert contract["numbness"].concern_order == NUMBNESS_ORDER
    assert contract["injury"].concern_order == INJURY_ORDER
    assert contract["cancer"].concern_order == ("never", *CANCER_HISTORY)
    assert contract["pain_severity"].concern_order == ("ascending",)
    assert {q.id for q in contract.questions if q.kind == "yes_no"} == YES_NO_QUESTIONS


@SOME
@given(data=st.data())
def test_contract_and_oracle_agree_on_which_questions_apply(engine: Engine, data: st.DataObject) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    for question in rules.contract.questions:
        applies = may_apply(question.id, answers)
        if question.id in answers:
            assert applies, f"{question.id} answered although spec §2 says it is not asked"
        elif question.required:
            assert not applies, f"{question.id} applies (spec §2) but was not answered"
