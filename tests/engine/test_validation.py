"""The answers contract (spec §2): invalid answers are rejected with one message per field."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.engine.spec_oracle import YES_NO_QUESTIONS
from triage.engine import AnswersInvalid, RuleSet

#: The practice's details as an application gives them to the engine's messages.
PRACTICE = {
    "emergency_number": "999",
    "ambulance_number": "998",
    "practice_name": "Northgate Spine Clinic",
    "practice_phone": "+44 161 496 0707",
    "practice_email": "desk@northgate-spine.test",
    "opening_hours": "Monday to Thursday, 8:00 to 16:00",
}

#: A complete, valid answer set in which every conditional question applies.
BASE: dict[str, Any] = {
    "age": 67,
    "sex": "female",
    "injury": "none",
    "back_pain": True,
    "pain_location": ["lower_back"],
    "pain_onset": "gradual",
    "pain_duration": "1_to_4_weeks",
    "pain_severity": 4,
    "pain_features": [],
    "height_loss": False,
    "osteoporosis": False,
    "previous_fracture": False,
    "steroids": False,
    "cancer": "past",
    "cancer_type": "breast",
    "bone_metastases": False,
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
#: Spec §2's yes/no questions: true, false or "unsure".
YES_NO = tuple(sorted(YES_NO_QUESTIONS))
PAIN_DETAILS = ("pain_location", "pain_onset", "pain_duration", "pain_severity", "pain_features")
CANCER_DETAILS = ("cancer_type", "bone_metastases")
EMERGENCY_SCREEN = (
    "leg_weakness",
    "numbness",
    "walking_difficulty",
    "saddle_numbness",
    "bladder_bowel",
    "sexual_dysfunction",
    "cannot_stand",
)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # as a value in a change: leave the field out


class Whole:
    """A change that replaces the whole answer set (not an object at all)."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Whole({self.value!r})"


def changed(change: dict[str, Any] | Whole, base: dict[str, Any] = BASE) -> object:
    """The base answers with some fields set, or left out where the new value is MISSING."""
    if isinstance(change, Whole):
        return change.value
    answers = {**base, **change}
    return {key: value for key, value in answers.items() if value is not MISSING}


# (case id, change to BASE, field reported, problem code, part of the English message)
INVALID = [
    # missing required answers (null counts as missing)
    ("age missing", {"age": MISSING}, "age", "required", "Enter your age"),
    ("age null", {"age": None}, "age", "required", "Enter your age"),
    ("injury missing", {"injury": MISSING}, "injury", "required", "Select what happened"),
    ("back_pain missing", {"back_pain": MISSING}, "back_pain", "required", "pain in your neck or back"),
    ("cancer missing", {"cancer": MISSING}, "cancer", "required", "ever had cancer"),
    ("fever missing", {"fever": MISSING}, "fever", "required", "Select yes, no or not sure for fever"),
    ("numbness missing", {"numbness": MISSING}, "numbness", "required", "numbness"),
    ("cannot_stand null", {"cannot_stand": None}, "cannot_stand", "required", "stand or walk"),
    # wrong types
    ("age as a string", {"age": "67"}, "age", "not_integer", "whole number"),
    ("age as a float", {"age": 67.0}, "age", "not_integer", "whole number"),
    ("age as a fraction", {"age": 67.5}, "age", "not_integer", "whole number"),
    ("age as a bool", {"age": True}, "age", "not_integer", "whole number"),
    ("pain_severity as a float", {"pain_severity": 7.0}, "pain_severity", "not_integer", "whole number"),
    ("pain_severity as a bool", {"pain_severity": False}, "pain_severity", "not_integer", "whole number"),
    ("yes/no answered maybe", {"fever": "maybe"}, "fever", "not_yes_no", "answer yes, no or not sure"),
    ("yes/no answered 'yes'", {"leg_weakness": "yes"}, "leg_weakness", "not_yes_no", "yes, no or not sure"),
    ("yes/no answered 1", {"saddle_numbness": 1}, "saddle_numbness", "not_yes_no", "yes, no or not sure"),
    ("yes/no answered 0", {"steroids": 0}, "steroids", "not_yes_no", "yes, no or not sure"),
    ("back_pain as a string", {"back_pain": "yes"}, "back_pain", "not_boolean", "answer yes or no"),
    ("back_pain unsure", {"back_pain": "unsure"}, "back_pain", "not_boolean", "answer yes or no"),
    ("back_pain as 1", {"back_pain": 1}, "back_pain", "not_boolean", "answer yes or no"),
    ("pain_location not a list", {"pain_location": "neck"}, "pain_location", "not_a_list", "options given"),
    ("pain_location an object", {"pain_location": {"neck": True}}, "pain_location", "not_a_list", "options"),
    ("pain_location empty", {"pain_location": []}, "pain_location", "empty", "Select where the pain is"),
    ("unknown option", {"pain_location": ["knee"]}, "pain_location", "unknown_option", "choose only from"),
    ("option not a string", {"pain_features": [1]}, "pain_features", "unknown_option", "choose only from"),
    ("duplicate option", {"pain_location": ["neck", "neck"]}, "pain_location", "duplicate_option", "once"),
    ("duplicate feature", {"pain_features": ["worsening"] * 2}, "pain_features", "duplicate_option", "once"),
    ("unknown choice", {"injury": "car_crash"}, "injury", "not_a_choice", "choose one of the options"),
    ("choice as a list", {"injury": ["major"]}, "injury", "not_a_choice", "choose one of the options"),
    ("choice as a bool", {"numbness": True}, "numbness", "not_a_choice", "choose one of the options"),
    ("cancer answered yes", {"cancer": "yes"}, "cancer", "not_a_choice", "choose one of the options"),
    ("optional but invalid", {"sex": "unknown"}, "sex", "not_a_choice", "choose one of the options"),
    ("cancer_type unknown", {"cancer_type": "skin"}, "cancer_type", "not_a_choice", "choose one of the"),
    # out of range; under 18 is refused as not for adults (spec §2), with where to get help
    ("age 17", {"age": 17}, "age", "below_minimum", "for adults aged 18 or over"),
    ("age 0", {"age": 0}, "age", "below_minimum", "should see their own doctor"),
    ("age -3", {"age": -3}, "age", "below_minimum", "call 999"),
    ("age 121", {"age": 121}, "age", "out_of_range", "between 18 and 120"),
    ("age 500", {"age": 500}, "age", "out_of_range", "between 18 and 120"),
    ("pain_severity -1", {"pain_severity": -1}, "pain_severity", "out_of_range", "from 0 to 10"),
    ("pain_severity 11", {"pain_severity": 11}, "pain_severity", "out_of_range", "from 0 to 10"),
    # unknown fields
    ("unknown field", {"colour": "blue"}, "colour", "unknown_field", "not one of the questions"),
    ("field in the wrong case", {"Age": 67}, "Age", "unknown_field", "not one of the questions"),
    # not an object at all
    ("answers as a list", Whole([BASE]), "answers", "not_an_object", "one JSON object"),
    ("answers as a string", Whole('{"age": 67}'), "answers", "not_an_object", "one JSON object"),
    ("answers as null", Whole(None), "answers", "not_an_object", "one JSON object"),
    ("answers as a number", Whole(67), "answers", "not_an_object", "one JSON object"),
]

# (case id, change to BASE) that stay valid
VALID = [
    ("the base answers", {}),
    ("youngest age", {"age": 18}),
    ("oldest age", {"age": 120}),
    ("no pain at all", {"pain_severity": 0}),
    ("worst pain", {"pain_severity": 10}),
    ("sex absent", {"sex": MISSING}),
    ("sex null", {"sex": None}),
    ("cancer_type absent", {"cancer_type": MISSING}),
    ("cancer_type null", {"cancer_type": None}),
    ("pain_features empty", {"pain_features": []}),
    ("every pain location", {"pain_location": ["neck", "upper_back", "lower_back"]}),
]


def _problems(rules: RuleSet, answers: object, *, partial: bool = False) -> AnswersInvalid:
    with pytest.raises(AnswersInvalid) as caught:
        if partial:
            rules.assess_partial(answers)
        else:
            rules.assess(answers)
    return caught.value


@pytest.mark.parametrize(
    ("change", "field", "code", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_answer_is_reported_for_its_field_only(
    rules: RuleSet, change: dict[str, Any] | Whole, field: str, code: str, message: str
) -> None:
    error = _problems(rules, changed(change))
    assert {key: p.code for key, p in error.problems.items()} == {field: code}
    assert message in error.messages("en", practice=PRACTICE)[field]


#: Spec §2: an age under 18 is refused saying the tool is for adults and where a young person gets help.
UNDER_18 = {
    "en": ("for adults", "child or teenager", "their own doctor", "call 999"),
    "el": ("ενήλικες", "παιδί ή ένας έφηβος", "γιατρό του", "καλέστε το 999"),
}


@pytest.mark.parametrize("lang", sorted(UNDER_18))
def test_an_age_under_18_says_the_tool_is_for_adults_and_where_a_young_person_gets_help(
    rules: RuleSet, lang: str
) -> None:
    message = _problems(rules, changed({"age": 17})).messages(lang, practice=PRACTICE)["age"]
    missing = [part for part in UNDER_18[lang] if part not in message]
    assert not missing, message
    assert "120" not in message, "the range message is for ages over 120, not for children"
    assert "{" not in message, "the practice's details are filled in"


#: Words that speak to the person answering ("your age", «την ηλικία σας»): a receptionist reads the
#: phone voice's messages, so none of them may say these (the person's own messages do).
SPEAKS_TO_THE_PERSON = {
    "en": re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE),
    "el": re.compile(r"(?<!\w)(?:σας|έχετε|είχατε|είστε|μπορείτε|σταθείτε|περπατήσετε|νιώθετε)(?!\w)"),
}


@pytest.mark.parametrize("lang", sorted(SPEAKS_TO_THE_PERSON))
def test_no_message_in_the_phone_voice_speaks_to_the_person_answering(rules: RuleSet, lang: str) -> None:
    contract, words = rules.contract, SPEAKS_TO_THE_PERSON[lang]
    worded = [(q.id, code) for q in contract.questions for code in q.errors]
    to_the_person = [pair for pair in worded if words.search(contract.message(*pair).get(lang))]
    assert to_the_person, "the person's own messages speak to them (or this test finds nothing)"
    to_the_caller = [pair for pair in worded if words.search(contract.message(*pair, "phone").get(lang))]
    assert to_the_caller == []


def test_an_invalid_answer_is_worded_for_the_receptionist_in_the_phone_voice(rules: RuleSet) -> None:
    problems = _problems(rules, changed({"age": 17, "injury": MISSING}))
    assert "Tell the caller" in problems.messages("en", "phone")["age"]
    assert "Tell the caller" not in problems.messages("en")["age"]
    assert problems.messages("en", "phone")["injury"] == "Select what happened before the symptoms started"
    assert problems.messages("en")["injury"] == "Select what happened before your symptoms started"


def test_a_number_question_without_its_own_below_minimum_message_falls_back_to_out_of_range(
    rules: RuleSet,
) -> None:
    contract = rules.contract
    assert "below_minimum" not in contract["pain_severity"].errors
    assert contract.message("pain_severity", "below_minimum") == contract.message(
        "pain_severity", "out_of_range"
    )
    assert contract.message("age", "below_minimum") != contract.message("age", "out_of_range")


@pytest.mark.parametrize("change", [c[1] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_answers_are_accepted(rules: RuleSet, change: dict[str, Any]) -> None:
    answers = changed(change)
    assert isinstance(answers, dict)
    outcome = rules.assess(answers)
    assert outcome.answers.as_dict() == {key: value for key, value in answers.items() if value is not None}


def test_every_problem_is_reported_at_once(rules: RuleSet) -> None:
    broken = {"age": "old", "fever": "maybe", "pain_location": [], "injury": MISSING, "colour": "blue"}
    answers = changed({**broken, "numbness": 2})
    error = _problems(rules, answers)
    expected = {
        "age": "not_integer",
        "fever": "not_yes_no",
        "pain_location": "empty",
        "injury": "required",
        "colour": "unknown_field",
        "numbness": "not_a_choice",
    }
    assert {key: p.code for key, p in error.problems.items()} == expected
    messages = error.messages("en", practice=PRACTICE)
    assert set(messages) == set(expected)
    assert all(isinstance(text, str) and text.strip() for text in messages.values())


@pytest.mark.parametrize(
    ("change", "ignored"),
    [
        (
            {
                "back_pain": False,
                "pain_location": "everywhere",
                "pain_onset": 3,
                "pain_duration": "forever",
                "pain_severity": 99,
                "pain_features": ["night_pain", "night_pain"],
            },
            PAIN_DETAILS,
        ),
        (
            {
                "back_pain": False,
                "pain_location": ["neck"],
                "pain_severity": 10,
                "pain_features": ["not_relieved", "worsening", "night_pain"],
                "pain_duration": "4_to_12_weeks",
            },
            PAIN_DETAILS,
        ),
        ({"cancer": "never", "cancer_type": "skin", "bone_metastases": "maybe"}, CANCER_DETAILS),
        ({"cancer": "never", "cancer_type": "lung", "bone_metastases": True}, CANCER_DETAILS),
    ],
    ids=["pain details invalid", "pain details valid", "cancer details invalid", "cancer details valid"],
)
def test_answers_to_questions_that_do_not_apply_are_ignored(
    rules: RuleSet, change: dict[str, Any], ignored: tuple[str, ...]
) -> None:
    sent = changed(change)
    without = changed({**change, **dict.fromkeys(ignored, MISSING)})
    outcome = rules.assess(sent)
    assert not set(ignored) & set(outcome.answers.given)
    assert outcome.level == rules.assess(without).level
    assert [r.id for r in outcome.fired_rules] == [r.id for r in rules.assess(without).fired_rules]


@pytest.mark.parametrize(
    ("field", "applies", "does_not_apply"),
    [(f, {}, {"back_pain": False}) for f in PAIN_DETAILS]
    + [("bone_metastases", {"cancer": "current"}, {"cancer": "never"})],
)
def test_conditional_answer_is_required_only_when_its_question_applies(
    rules: RuleSet, field: str, applies: dict[str, Any], does_not_apply: dict[str, Any]
) -> None:
    error = _problems(rules, changed({**applies, field: MISSING}))
    assert {key: p.code for key, p in error.problems.items()} == {field: "required"}
    outcome = rules.assess(changed({**does_not_apply, field: MISSING}))
    assert field not in outcome.answers.given


@pytest.mark.parametrize("field", YES_NO)
def test_unsure_is_accepted_on_a_yes_no_question_stored_as_given_and_counted_as_yes(
    rules: RuleSet, field: str
) -> None:
    unsure = rules.assess(changed({field: "unsure"}))
    assert unsure.answers.given[field] == "unsure"
    yes = rules.assess(changed({field: True}))
    assert [r.id for r in unsure.fired_rules] == [r.id for r in yes.fired_rules]


@pytest.mark.parametrize("sex", ["female", "male", "other", None])
def test_sex_is_optional_and_not_used_by_rules(rules: RuleSet, sex: str | None) -> None:
    with_sex = rules.assess(changed({"sex": sex}))
    without = rules.assess(changed({"sex": MISSING}))
    assert [r.id for r in with_sex.fired_rules] == [r.id for r in without.fired_rules]


# --- Partial reading (the emergency screen and the questionnaire's early exit) -----------------


def test_partial_reading_lists_every_question_as_unanswered_when_nothing_is_given(rules: RuleSet) -> None:
    outcome = rules.assess_partial({})
    assert outcome.partial is True
    assert set(outcome.unanswered) == set(BASE)
    assert outcome.answers.as_dict() == {}


def test_partial_reading_of_the_emergency_screen_lists_the_rest_as_unanswered(rules: RuleSet) -> None:
    screen = {field: BASE[field] for field in EMERGENCY_SCREEN}
    outcome = rules.assess_partial(screen)
    assert outcome.answers.as_dict() == screen
    assert set(outcome.unanswered) == set(BASE) - set(EMERGENCY_SCREEN)


@pytest.mark.parametrize(
    ("given", "not_asked"),
    [({"back_pain": False}, PAIN_DETAILS), ({"cancer": "never"}, CANCER_DETAILS)],
    ids=["no pain", "no cancer"],
)
def test_partial_reading_does_not_list_questions_that_do_not_apply(
    rules: RuleSet, given: dict[str, Any], not_asked: tuple[str, ...]
) -> None:
    outcome = rules.assess_partial(given)
    assert not set(not_asked) & set(outcome.unanswered)
    assert set(outcome.unanswered) == set(BASE) - set(given) - set(not_asked)


PARTIAL_INVALID = [
    ("age 17", {"age": 17}, "age", "below_minimum"),
    ("fever maybe", {"fever": "maybe", "age": 70}, "fever", "not_yes_no"),
    ("empty location", {"back_pain": True, "pain_location": []}, "pain_location", "empty"),
    ("location before back_pain", {"pain_location": "neck"}, "pain_location", "not_a_list"),
    ("unknown field", {"colour": "blue"}, "colour", "unknown_field"),
    ("a list", Whole([]), "answers", "not_an_object"),
]


@pytest.mark.parametrize(
    ("change", "field", "code"), [c[1:] for c in PARTIAL_INVALID], ids=[c[0] for c in PARTIAL_INVALID]
)
def test_partial_reading_still_rejects_invalid_given_answers(
    rules: RuleSet, change: dict[str, Any] | Whole, field: str, code: str
) -> None:
    answers = change.value if isinstance(change, Whole) else change
    error = _problems(rules, answers, partial=True)
    assert {key: p.code for key, p in error.problems.items()} == {field: code}
    assert error.messages("en", practice=PRACTICE)[field].strip()


@pytest.mark.parametrize("gate", [MISSING, "maybe"], ids=["gate missing", "gate invalid"])
def test_details_sent_before_their_question_is_answered_are_still_checked_in_one_round(
    rules: RuleSet, gate: Any
) -> None:
    # Whether back_pain is missing or invalid, a bad pain detail is reported in the same round,
    # and a missing one is not demanded until back_pain says it applies.
    error = _problems(rules, changed({"back_pain": gate, "pain_severity": 99, "pain_onset": MISSING}))
    assert {key: p.code for key, p in error.problems.items()} == {
        "back_pain": "required" if gate is MISSING else "not_boolean",
        "pain_severity": "out_of_range",
    }
