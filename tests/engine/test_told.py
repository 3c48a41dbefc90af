""" "You told us" says what the person said (clinical spec §3a v3, issue 30 finding 9): "or you are
not sure" only where the answer was "not sure"; each answer that made a rule fire is named, not only
the first; the same fact is not told twice on one page; several facts are a short list."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from triage.engine import RuleSet

from .conftest import MANY, Engine
from .strategies import complete_answers
from .test_invariants import BASELINE, pain
from .test_reasons import told

NOT_SURE = {"en": "not sure", "el": "σίγουρ"}


def shown(rules: RuleSet, answers: dict[str, Any], lang: str = "en") -> list[str]:
    outcome = rules.assess(answers)
    return [text.get(lang) for text in (*outcome.decisive_reasons, *outcome.also_told_reasons)]


def test_a_yes_to_leg_weakness_is_not_called_not_sure(rules: RuleSet) -> None:
    """Before: "You told us you have new weakness in your legs or arms … (or you are not sure)"."""
    for lang, words in NOT_SURE.items():
        texts = shown(rules, {**BASELINE, "leg_weakness": True}, lang)
        assert texts and not any(words in text for text in texts), texts


def test_not_sure_is_quoted_as_not_sure(rules: RuleSet) -> None:
    texts = shown(rules, {**BASELINE, "leg_weakness": "unsure"})
    assert any("not sure if you have new weakness" in text for text in texts), texts
    greek = shown(rules, {**BASELINE, "leg_weakness": "unsure"}, "el")
    assert any("δεν είστε σίγουροι αν έχετε καινούρια αδυναμία" in text for text in greek), greek


def test_difficulty_walking_is_named_beside_weakness(rules: RuleSet) -> None:
    """Before: a "yes" to difficulty walking was never mentioned once weakness was."""
    (reason, *_) = shown(rules, {**BASELINE, "leg_weakness": True, "walking_difficulty": True})
    assert reason.startswith("You told us:\n- "), reason
    assert "weakness in your legs" in reason and "difficulty walking" in reason, reason


def test_osteoporosis_is_named_at_74(rules: RuleSet) -> None:
    """Before: at 70 or over, a "yes" to osteoporosis was never mentioned."""
    answers = {
        **BASELINE,
        "age": 74,
        "osteoporosis": True,
        "injury": "strain",
        **pain(duration="1_to_4_weeks"),
    }
    text = "\n".join(shown(rules, answers))
    assert "70 or over" in text and "osteoporosis" in text, text


def test_one_fact_is_a_sentence_several_a_list(rules: RuleSet) -> None:
    (one, *_) = shown(rules, {**BASELINE, "saddle_numbness": True})
    assert one == "You told us you have new numbness between your legs or around your bottom.", one
    (several, *_) = shown(rules, {**BASELINE, "saddle_numbness": True, "bladder_bowel": "unsure"}, "el")
    assert several.startswith("Μας είπατε:\n- ") and several.count("\n- ") == 2, several


def test_a_fact_two_rules_share_is_told_once(rules: RuleSet) -> None:
    """Cancer with tingling in one leg: E3 (cancer and a nerve symptom) tells the tingling, so S5
    (tingling alone) adds nothing to the page."""
    answers = {**BASELINE, "cancer": "past", "bone_metastases": False, "numbness": "one_side"}
    texts = shown(rules, answers)
    assert sum("one leg or one arm" in text for text in texts) == 1, texts


@MANY
@given(data=st.data())
def test_not_sure_is_said_only_where_an_answer_was_not_sure(engine: Engine, data: st.DataObject) -> None:
    rules = engine.rules
    answers = data.draw(complete_answers(rules.contract), label="answers")
    unsure = [q for q, value in answers.items() if value == "unsure"]
    for lang, words in NOT_SURE.items():
        for text in shown(rules, answers, lang):
            for fact in told(text):
                assert unsure or words not in fact, f"{fact!r} with no answer 'not sure'"
