"""Patient-facing wording (spec §1, §5): never a diagnosis, imperative at red levels, reasons restate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import MappingProxyType

import pytest

from tests.support.wording import FORBIDDEN, diagnostic_claims
from triage.engine import Level, RuleSet, Text, load_rules


def patient_texts(rules: RuleSet) -> Iterator[tuple[str, Text]]:
    """Every patient-facing text of the rule set, named by where it is."""
    contract = rules.contract
    for section in contract.sections:
        yield f"section {section.id} title", section.title
        if section.details_title is not None:
            yield f"section {section.id} details_title", section.details_title
    for question in contract.questions:
        for key, text in question.wording.items():
            yield f"question {question.id} {key}", text
        for value, text in question.options.items():
            yield f"question {question.id} option {value}", text
        for code, text in question.errors.items():
            yield f"question {question.id} error {code}", text
    for code, text in contract.messages.items():
        yield f"message {code}", text
    for term in rules.terms:
        yield f"term {term.name} description", term.description
        for number, case in enumerate(term.phrases.cases if term.phrases else (), 1):
            yield f"term {term.name} phrase {number}", case.text
    for rule in rules.rules:
        yield f"rule {rule.id} reason in general", rule.reason
        for place, text in rule.wording.texts():
            yield f"rule {rule.id} reason {place}", text
        if rule.guidance is not None:
            yield f"rule {rule.id} guidance", rule.guidance
    for level, advice in rules.levels.items():
        yield f"level {level.value} label", advice.label
        yield f"level {level.value} action", advice.action
        yield f"level {level.value} expect", advice.expect
        yield f"level {level.value} phone script", advice.phone_script
        for number, text in enumerate(advice.guidance, 1):
            yield f"level {level.value} guidance {number}", text
    intro, warning_signs = rules.safety_net
    yield "safety net intro", intro
    for number, text in enumerate(warning_signs, 1):
        yield f"safety net warning sign {number}", text
    yield "not a diagnosis", rules.not_a_diagnosis


TEXTS = [
    pytest.param(text.get(lang), id=f"{where} [{lang}]")
    for where, text in patient_texts(load_rules())
    for lang in sorted(text.languages)
]


# --- the checker itself, so the wording test can fail ------------------------------------------

CLAIMS = [
    ("You have a fracture in your spine.", "you have a condition"),
    ("We think you have an infection.", "you have a condition"),
    ("You have cancer.", "you have a condition"),
    ("It looks like you have a tumour.", "you have a condition"),
    ("You have a tumor.", "you have a condition"),
    ("You have metastases in the spine.", "you have a condition"),
    ("You have metastatic disease.", "you have a condition"),
    ("You have osteoporosis.", "you have a condition"),
    ("You have cauda equina syndrome.", "you have a condition"),
    ("You have a compression fracture.", "you have a condition"),
    ("You have broken a bone in your back.", "you have a condition"),
    ("You do not have a fracture.", "you do not have"),
    ("You don't have cancer.", "you do not have"),
    ("You don’t have anything serious.", "you do not have"),
    ("Diagnosis: osteoporotic fracture.", "diagnosis"),
    ("We diagnosed a sprain.", "diagnosis"),
    ("It is not serious.", "it is not serious"),
    ("This is not serious, rest at home.", "it is not serious"),
    ("There is nothing to worry about.", "nothing to worry"),
    ("There is no need to worry.", "no need to worry"),
    ("You are fine.", "you are fine"),
    ("Your pain is caused by a fracture.", "is caused by"),
    ("Έχετε κάταγμα στη σπονδυλική στήλη.", "έχετε πάθηση"),
    ("Μάλλον έχετε οστεοπόρωση.", "έχετε πάθηση"),
    ("Δεν έχετε κάταγμα.", "δεν έχετε"),
    ("Διάγνωση: οστεοπορωτικό κάταγμα.", "διάγνωση"),
    ("Αυτό δεν είναι σοβαρό.", "δεν είναι σοβαρό"),
    ("Μην ανησυχείτε, είναι απλή ενόχληση.", "μην ανησυχείτε"),
    ("Ο πόνος οφείλεται σε κάταγμα.", "οφείλεται σε"),
]
NOT_CLAIMS = [
    "Back pain after a minor fall at your age can be caused by a compression fracture.",
    "This is not a diagnosis.",
    "It does not give a diagnosis.",
    "You told us you have had cancer.",
    "You told us you have cancer and new nerve symptoms.",
    "Has a doctor told you that you have osteoporosis (thin bones)?",
    "Pain that has lasted a long time should be looked at again by a doctor.",
    "Αυτό δεν είναι διάγνωση.",
    "Μας είπατε ότι έχετε καρκίνο.",
    "Σας έχει πει γιατρός ότι έχετε οστεοπόρωση;",
    "Ο πόνος μπορεί να οφείλεται σε συμπιεστικό κάταγμα.",
]


@pytest.mark.parametrize(("sentence", "claim"), CLAIMS)
def test_checker_catches_each_forbidden_claim(sentence: str, claim: str) -> None:
    assert claim in diagnostic_claims(sentence)


def test_every_forbidden_pattern_has_an_example() -> None:
    assert {claim for _, claim in CLAIMS} == set(FORBIDDEN)


@pytest.mark.parametrize("sentence", NOT_CLAIMS)
def test_checker_lets_allowed_wording_through(sentence: str) -> None:
    assert diagnostic_claims(sentence) == []


# --- the rule set's texts ------------------------------------------------------------------------


def test_every_kind_of_patient_text_is_checked(rules: RuleSet) -> None:
    kinds = {where.split()[0] for where, _ in patient_texts(rules)}
    assert kinds == {"section", "question", "message", "term", "rule", "level", "safety", "not"}


@pytest.mark.parametrize("text", TEXTS)
def test_no_patient_text_makes_a_diagnostic_claim(text: str) -> None:
    assert diagnostic_claims(text) == [], text


@pytest.mark.parametrize("level", [Level.AMBULANCE, Level.EMERGENCY])
def test_red_level_action_is_an_imperative_to_call_the_emergency_number_now(
    rules: RuleSet, level: Level
) -> None:
    action = rules.levels[level].action.get("en")
    first_word = action.split()[0]
    assert first_word in {"Call", "Go", "Dial", "Phone"}, f"not an imperative: {action!r}"
    assert not re.search(r"\b(?:may|might|could|consider|perhaps|wish)\b", action, re.IGNORECASE), action
    assert "{emergency_number}" in action
    assert re.search(r"\bnow\b", action), action


def test_the_ambulance_action_says_not_to_travel_on_your_own(rules: RuleSet) -> None:
    """Spec §4 (v3), A3: the person who cannot stand is told to call the emergency number, not to travel."""
    action = rules.levels[Level.AMBULANCE].action
    assert "ambulance" in action.get("en") and "travel on your own" in action.get("en")
    assert "ασθενοφόρο" in action.get("el") and "μόνοι σας στο νοσοκομείο" in action.get("el")


def test_urgent_action_says_contact_the_practice_today_with_its_phone(rules: RuleSet) -> None:
    action = rules.levels[Level.URGENT].action.get("en")
    assert re.search(r"\btoday\b", action), action
    assert "{practice_phone}" in action


#: How a reason starts in each language: it restates what the person told us.
TOLD_US = {"en": "You told us", "el": "Μας είπατε"}


@pytest.mark.parametrize("rule_id", [rule.id for rule in load_rules().rules])
def test_rule_reason_restates_what_the_person_told_us(rules: RuleSet, rule_id: str) -> None:
    rule = rules.rule(rule_id)
    told = rule.wording.told_us
    cases = [(place, told.compose((text,)) if told else text) for place, text in rule.wording.texts()]
    for place, text in [("in general", rule.reason), *cases]:
        for lang, start in TOLD_US.items():
            assert text.get(lang).startswith(start), f"{rule_id} reason {place} [{lang}]: {text.get(lang)!r}"


def test_numbness_on_both_sides_covers_both_arms_or_an_arm_and_a_leg(rules: RuleSet) -> None:
    """Spec v2 §2: `both_sides` is both legs, both arms, or an arm and a leg; its wording says so."""
    texts = [rules.contract["numbness"].options["both_sides"], rules.rule("E2").reason]
    for text in texts:
        assert all(part in text.get("en") for part in ("both legs", "both arms", "an arm and a leg")), text
        assert all(part in text.get("el") for part in ("δύο πόδια", "δύο χέρια", "ένα χέρι και ένα πόδι")), (
            text
        )


def test_texts_equal_in_every_language_are_one_text_however_they_were_made() -> None:
    """Reasons and guidance are listed once each (dict keys): equal texts hash alike."""
    first = Text.of({"en": "You told us", "el": "Μας είπατε"})
    second = Text(MappingProxyType({"el": "Μας είπατε", "en": "You told us"}))
    other = Text.of({"en": "You told us", "el": "Μας είπες"})
    assert first == second and hash(first) == hash(second)
    assert first != other
    assert list(dict.fromkeys([first, other, second])) == [first, other]
    assert "_hash" not in repr(first)


def test_filled_texts_fill_each_text_once_in_their_language_with_the_values_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from triage.engine.export import FilledTexts

    values = {"practice_phone": "210 000 0000"}
    greek = FilledTexts("el", values)
    values["practice_phone"] = "changed after"  # the values are the ones given, kept
    call = Text.of({"en": "Call {practice_phone} today.", "el": "Καλέστε στο {practice_phone} σήμερα."})
    rendered: list[str] = []
    render = Text.render

    def counted(text: Text, lang: str, fill: object) -> str:
        rendered.append(lang)
        return render(text, lang, fill)  # type: ignore[arg-type]

    monkeypatch.setattr(Text, "render", counted)
    assert [greek(call) for _ in range(3)] == ["Καλέστε στο 210 000 0000 σήμερα."] * 3
    assert FilledTexts("en", values)(call) == "Call changed after today."
    assert rendered == ["el", "en"]  # once for each, however often it is said
