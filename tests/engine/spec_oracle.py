"""An independent oracle for clinical spec §4 (version 3): the minimum rule set, in plain Python.

Written from /work/shared/clinical/spec.md only (never from rules/*.yaml), so that the property tests
compare two encodings of the same table. Each rule below is one line, next to its row of the spec:

    | id | level | fires when |

The oracle takes a complete, valid answer set (spec §2). Answers to questions that do not apply
(``pain_*`` without ``back_pain``, cancer details with ``cancer: never``) are dropped first, as the
spec says they are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from triage.engine import Level

Answers = Mapping[str, Any]

# --- Spec §2: the questions the rules are about -----------------------------------------------------

#: Questions asked only when back_pain is true.
PAIN_QUESTIONS = frozenset({"pain_location", "pain_onset", "pain_duration", "pain_severity", "pain_features"})
#: Questions asked only when cancer is not "never".
CANCER_QUESTIONS = frozenset({"cancer_type", "bone_metastases"})

#: The yes/no questions (true, false or "unsure").
YES_NO_QUESTIONS = frozenset(
    {
        "height_loss",
        "osteoporosis",
        "previous_fracture",
        "steroids",
        "bone_metastases",
        "weight_loss",
        "fever",
        "leg_weakness",
        "walking_difficulty",
        "saddle_numbness",
        "bladder_bowel",
        "sexual_dysfunction",
        "cannot_stand",
    }
)

#: Spec §4 invariant 2: the orders in which changing an answer must never lower the level.
NUMBNESS_ORDER = ("none", "one_side", "both_sides")
INJURY_ORDER = ("none", "strain", "minor_fall", "major")
#: cancer: "never" -> "past"/"current" (the spec orders nothing between past and current).
CANCER_HISTORY = ("past", "current")

#: Spec §4 invariant 3 (v3): any cauda answer yes/unsure gives emergency or ambulance ...
CAUDA_QUESTIONS = ("saddle_numbness", "bladder_bowel", "sexual_dysfunction")
#: ... and any cannot_stand answer yes/unsure gives ambulance, whatever else is answered.
AMBULANCE_QUESTIONS = ("cannot_stand",)


def may_apply(question_id: str, answers: Answers) -> bool:
    """Whether a question can apply given these (possibly partial) answers: spec §2 "when asked".

    False only when the answer it depends on is given and rules it out.
    """
    if question_id in PAIN_QUESTIONS:
        return not ("back_pain" in answers and answers["back_pain"] is not True)
    if question_id in CANCER_QUESTIONS:
        return not ("cancer" in answers and answers["cancer"] == "never")
    return True


def applicable(answers: Answers) -> dict[str, Any]:
    """The answers with those to questions that do not apply dropped (spec §2: they are ignored)."""
    return {qid: value for qid, value in answers.items() if may_apply(qid, answers)}


# --- Spec §4 shorthands ----------------------------------------------------------------------------


def yes(a: Answers, question_id: str) -> bool:
    """yes(x) = true or "unsure"."""
    return a.get(question_id) is True or a.get(question_id) == "unsure"


def pain(a: Answers) -> bool:
    """pain = back_pain is true."""
    return a.get("back_pain") is True


def feature(a: Answers, name: str) -> bool:
    """`name` is among pain_features (only when there is pain)."""
    return pain(a) and name in a.get("pain_features", ())


def severity_at_least(a: Answers, threshold: int) -> bool:
    """pain_severity >= threshold (only when there is pain)."""
    return pain(a) and a.get("pain_severity", -1) >= threshold


def neuro(a: Answers) -> bool:
    return (
        yes(a, "leg_weakness")
        or yes(a, "walking_difficulty")
        or yes(a, "saddle_numbness")
        or yes(a, "bladder_bowel")
        or yes(a, "sexual_dysfunction")
        or yes(a, "cannot_stand")
        or a["numbness"] != "none"
    )


def cauda(a: Answers) -> bool:
    return yes(a, "saddle_numbness") or yes(a, "bladder_bowel") or yes(a, "sexual_dysfunction")


def cancer_hx(a: Answers) -> bool:
    return a["cancer"] in {"past", "current"}


def fragility(a: Answers) -> bool:
    return a["age"] >= 70 or yes(a, "osteoporosis") or yes(a, "previous_fracture") or yes(a, "steroids")


def low_energy(a: Answers) -> bool:
    return pain(a) and (a["pain_onset"] == "sudden" or a["injury"] in {"strain", "minor_fall"})


def recent(a: Answers) -> bool:
    return pain(a) and a["pain_duration"] != "over_12_weeks"


def mets_feature(a: Answers) -> bool:
    return pain(a) and (
        bool({"neck", "upper_back"} & set(a["pain_location"]))
        or len(a["pain_features"]) > 0
        or a["pain_severity"] >= 7
    )


def neck_fall_65(a: Answers) -> bool:
    """Spec v2: age >= 65 and pain and pain_location has neck and injury in {minor_fall, major}."""
    return (
        a["age"] >= 65 and pain(a) and "neck" in a["pain_location"] and a["injury"] in {"minor_fall", "major"}
    )


# --- Spec §4 table ---------------------------------------------------------------------------------

Condition = Callable[[Answers], bool]

#: id -> (level, condition), in the order of the spec's table.
SPEC_RULES: dict[str, tuple[Level, Condition]] = {}


def rule(rule_id: str, level: Level) -> Callable[[Condition], Condition]:
    """Register a row of the spec §4 table."""

    def register(condition: Condition) -> Condition:
        SPEC_RULES[rule_id] = (level, condition)
        return condition

    return register


@rule("A1", Level.AMBULANCE)
def _a1(a: Answers) -> bool:
    return yes(a, "cannot_stand") and (yes(a, "leg_weakness") or a["injury"] == "major" or cancer_hx(a))


@rule("A2", Level.AMBULANCE)
def _a2(a: Answers) -> bool:
    return a["injury"] == "major" and pain(a) and (severity_at_least(a, 7) or neuro(a))


@rule("A3", Level.AMBULANCE)
def _a3(a: Answers) -> bool:
    """Spec v3: was E6 at the emergency level."""
    return yes(a, "cannot_stand")


@rule("E1", Level.EMERGENCY)
def _e1(a: Answers) -> bool:
    return cauda(a)


@rule("E2", Level.EMERGENCY)
def _e2(a: Answers) -> bool:
    return yes(a, "leg_weakness") or yes(a, "walking_difficulty") or a["numbness"] == "both_sides"


@rule("E3", Level.EMERGENCY)
def _e3(a: Answers) -> bool:
    return cancer_hx(a) and neuro(a)


@rule("E4", Level.EMERGENCY)
def _e4(a: Answers) -> bool:
    return yes(a, "fever") and neuro(a)


@rule("E5", Level.EMERGENCY)
def _e5(a: Answers) -> bool:
    return a["injury"] == "major" and pain(a)


@rule("E7", Level.EMERGENCY)
def _e7(a: Answers) -> bool:
    return neck_fall_65(a) and a["pain_duration"] == "under_1_week"


@rule("E8", Level.EMERGENCY)
def _e8(a: Answers) -> bool:
    """Spec v3: a new nerve symptom after a major injury, with or without pain."""
    return a["injury"] == "major" and neuro(a)


@rule("U1", Level.URGENT)
def _u1(a: Answers) -> bool:
    return cancer_hx(a) and pain(a) and (yes(a, "bone_metastases") or recent(a) or mets_feature(a))


@rule("U2", Level.URGENT)
def _u2(a: Answers) -> bool:
    return (
        low_energy(a)
        and recent(a)
        and fragility(a)
        and (severity_at_least(a, 6) or feature(a, "not_relieved"))
    )


@rule("U3", Level.URGENT)
def _u3(a: Answers) -> bool:
    return a["age"] >= 50 and pain(a) and yes(a, "weight_loss")


@rule("U4", Level.URGENT)
def _u4(a: Answers) -> bool:
    return yes(a, "fever") and pain(a)


@rule("U5", Level.URGENT)
def _u5(a: Answers) -> bool:
    return neck_fall_65(a) and recent(a)


@rule("S1", Level.SOON)
def _s1(a: Answers) -> bool:
    return cancer_hx(a) and pain(a)


@rule("S2", Level.SOON)
def _s2(a: Answers) -> bool:
    return low_energy(a) and recent(a) and (fragility(a) or a["age"] >= 50)


@rule("S3", Level.SOON)
def _s3(a: Answers) -> bool:
    return a["age"] >= 50 and pain(a) and (a["pain_duration"] == "4_to_12_weeks" or feature(a, "night_pain"))


@rule("S4", Level.SOON)
def _s4(a: Answers) -> bool:
    return yes(a, "height_loss") and pain(a)


@rule("S5", Level.SOON)
def _s5(a: Answers) -> bool:
    return a["numbness"] == "one_side"


@rule("S6", Level.SOON)
def _s6(a: Answers) -> bool:
    return pain(a) and a["pain_duration"] == "over_12_weeks" and feature(a, "worsening")


@rule("S7", Level.SOON)
def _s7(a: Answers) -> bool:
    return severity_at_least(a, 7) and feature(a, "not_relieved")


#: The ids of spec §4's rules, A1 .. S7 (E7 and U5 since spec v2; A3 and E8, not E6, since v3).
SPEC_IDS = frozenset(SPEC_RULES)


def spec_fired(answers: Answers) -> set[str]:
    """The ids of the spec §4 rules whose condition holds for a complete, valid answer set."""
    a = applicable(answers)
    return {rule_id for rule_id, (_, condition) in SPEC_RULES.items() if condition(a)}


def spec_level(answers: Answers) -> Level:
    """The level spec §4 gives: the highest level of the rules that fire, information when none does."""
    return max((SPEC_RULES[rule_id][0] for rule_id in spec_fired(answers)), default=Level.INFORMATION)
