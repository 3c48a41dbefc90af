"""Phone mode speaks as the practice (clinical spec §3a): a script per level, never "call the practice"."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.engine import Level, RuleSet, Text, load_rules

from .conftest import MANY, Engine
from .strategies import complete_answers
from .test_vignettes import CONFIG

#: Sending the caller to the practice, which the receptionist is: in English and in Greek.
CALLS_THE_PRACTICE = [
    r"\b(?:call|phone|ring|contact|e-?mail|telephone|write to)\w*\s+(?:the\s+|our\s+|your\s+)?"
    r"(?:practice|surgery|clinic|office|surgeon)\b",
    r"\b(?:call|phone|ring|contact)\w*\s+\{practice_name\}",
    r"(?:τηλεφων|καλ[εέ]σ|επικοινων|στείλ)\w*[^.;·]*\bιατρεί",
]
CALLS = [
    "Tell the caller to call the practice tomorrow.",
    "They should phone the surgery on Monday.",
    "Ask them to contact our clinic.",
    "Tell them to ring the surgeon's office.",
    "Tell them to email the practice.",
    "Tell the caller to call {practice_name} today.",
    "Πείτε του να τηλεφωνήσει στο ιατρείο αύριο.",
    "Να επικοινωνήσει με το ιατρείο.",
    "Καλέστε το ιατρείο.",
]
NOT_CALLS = [
    "Tell the caller to call back if the pain is not better in 4 weeks.",
    "Arrange for the surgeon's team to call the caller back today.",
    "Tell them to call {emergency_number} now.",
    "Κανονίστε να τηλεφωνήσει σήμερα η ομάδα του χειρουργού στο άτομο που καλεί.",
    "Πείτε του να ξανατηλεφωνήσει αν ο πόνος δεν έχει βελτιωθεί.",
]


def calls_the_practice(text: str) -> bool:
    """Whether a text tells the caller to get in touch with the practice."""
    return any(re.search(pattern, text, re.IGNORECASE) for pattern in CALLS_THE_PRACTICE)


@pytest.mark.parametrize("sentence", CALLS)
def test_the_checker_catches_a_script_that_sends_the_caller_to_the_practice(sentence: str) -> None:
    assert calls_the_practice(sentence)


@pytest.mark.parametrize("sentence", NOT_CALLS)
def test_the_checker_lets_call_backs_and_the_emergency_number_through(sentence: str) -> None:
    assert not calls_the_practice(sentence)


def phone_texts(rules: RuleSet) -> list[tuple[str, Text]]:
    """Every text the receptionist reads out: each level's script."""
    return [(f"level {level.value}", advice.phone_script) for level, advice in rules.levels.items()]


PHONE_TEXTS = [
    pytest.param(text, lang, id=f"{where} [{lang}]")
    for where, text in phone_texts(load_rules())
    for lang in sorted(text.languages)
]


@pytest.mark.parametrize(("text", "lang"), PHONE_TEXTS)
def test_a_phone_script_never_sends_the_caller_to_the_practice(text: Text, lang: str) -> None:
    rendered = text.render(lang, CONFIG)
    assert CONFIG["practice_phone"] not in rendered
    assert CONFIG["practice_email"] not in rendered
    assert not calls_the_practice(text.get(lang)) and not calls_the_practice(rendered), rendered


@pytest.mark.parametrize(("text", "lang"), PHONE_TEXTS)
def test_a_phone_script_speaks_to_the_receptionist_about_the_caller(text: Text, lang: str) -> None:
    """Third person, read aloud: instructions to the receptionist, never "you" to the caller."""
    words = text.get(lang)
    if lang == "en":
        assert words.split()[0] in {"Tell", "Arrange", "Book", "Read"}, words
        assert not re.search(r"\b(?:you|your)\b", words, re.IGNORECASE), words
    else:
        assert "άτομο που καλεί" in words, words


#: What spec §3a says each level's script tells the caller, in each language.
SCRIPT_SAYS = {
    Level.AMBULANCE: {
        "en": [
            "hang up",
            "call {emergency_number} now",
            "for them yourself",
            "not to move",
            "keep their phone free",
        ],
        "el": [
            "να κλείσει το τηλέφωνο",
            "{emergency_number}",
            "για λογαριασμό του",
            "να μην κινηθεί",
            "ελεύθερο",
        ],
    },
    Level.EMERGENCY: {
        "en": ["nearest hospital emergency department now", "not to drive", "cannot get there safely"],
        "el": [
            "ΤΕΠ",
            "πλησιέστερου νοσοκομείου",
            "να μην οδηγήσει",
            "με ασφάλεια, να καλέσει το {emergency_number}",
        ],
    },
    Level.URGENT: {
        "en": ["call the caller back today", "when to expect the call", "Outside opening hours", "on duty"],
        "el": ["σήμερα η ομάδα του χειρουργού", "πότε να περιμένει", "Εκτός ωραρίου", "εφημερεύον"],
    },
    Level.SOON: {
        "en": ["appointment", "during this call", "1 to 2 weeks"],
        "el": ["ραντεβού", "σε αυτή την κλήση", "1 έως 2 εβδομάδες"],
    },
    Level.INFORMATION: {
        "en": ["self-care advice", "call back", "not better in 4 weeks", "warning signs"],
        "el": ["αυτοφροντίδας", "να ξανατηλεφωνήσει", "4 εβδομάδες", "προειδοποιητικά σημάδια"],
    },
}


@pytest.mark.parametrize(
    ("level", "lang"), [(level, lang) for level in SCRIPT_SAYS for lang in SCRIPT_SAYS[level]]
)
def test_each_levels_phone_script_says_what_the_spec_says(rules: RuleSet, level: Level, lang: str) -> None:
    script = rules.levels[level].phone_script.get(lang)
    missing = [words for words in SCRIPT_SAYS[level][lang] if words not in script]
    assert not missing, script


@pytest.mark.parametrize("answer", [True, "unsure"])
def test_the_caller_who_cannot_stand_is_told_to_call_for_an_ambulance_not_to_travel(
    rules: RuleSet, answer: object
) -> None:
    """Spec v3, A3: the first screen's answer alone gives the ambulance script."""
    outcome = rules.assess_partial({"cannot_stand": answer})
    assert outcome.level == Level.AMBULANCE
    script = outcome.phone_script.get("en")
    assert "call {emergency_number} now" in script and "not to try to travel" in script
    assert "να μην προσπαθήσει να πάει μόνο του" in outcome.phone_script.get("el")


@MANY
@given(data=st.data())
def test_the_phone_script_is_always_the_levels(engine: Engine, data: st.DataObject) -> None:
    rules = engine.rules
    outcome = rules.assess(data.draw(complete_answers(rules.contract), label="answers"))
    assert outcome.phone_script == rules.levels[outcome.level].phone_script
    if outcome.level >= Level.EMERGENCY:
        assert all("{emergency_number}" in outcome.phone_script.get(lang) for lang in rules.languages)
