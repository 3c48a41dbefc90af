"""Clinical vignettes (tests/cases/vignettes.yaml) through the engine: level, reasons, safety net."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cases import vignettes
from triage.engine import Level, Outcome, RuleSet

RULESET_FILE = Path(__file__).resolve().parents[2] / "rules" / "ruleset.yaml"
VIGNETTES = vignettes()
BY_ID = pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])

#: What the application fills placeholders from (its configuration), for rendering in tests.
CONFIG = {
    "emergency_number": "112",
    "ambulance_number": "166",
    "practice_name": "The Spine Practice",
    "practice_phone": "+30 210 000 0000",
    "practice_email": "practice@example.org",
    "opening_hours": "Monday to Friday, 9:00 to 17:00",
}
#: The emergency-screen warning signs the safety net must name, whatever the level (spec §3, §5).
SAFETY_NET_SIGNS = ("numbness", "bladder", "weakness", "stand")


def _assess(rules: RuleSet, case: dict[str, Any]) -> Outcome:
    return rules.assess(case["answers"])


def test_vignette_ids_are_unique() -> None:
    ids = [case["id"] for case in VIGNETTES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_vignettes_cover_every_level() -> None:
    """So 'every outcome, at any level' below is really exercised at each level."""
    assert {Level(case["expected_level"]) for case in VIGNETTES} == set(Level)


@BY_ID
def test_vignette_gives_its_expected_level(rules: RuleSet, case: dict[str, Any]) -> None:
    outcome = _assess(rules, case)
    fired = [(rule.id, rule.level.value) for rule in outcome.fired_rules]
    assert outcome.level == Level(case["expected_level"]), f"{case['story']} fired {fired}"


#: Spec v2's vignettes of neck pain after a fall at 65 or over: which of E7 and U5 fire.
NECK_FALL = {"neck-fall-77-days": {"E7", "U5"}, "neck-fall-68-weeks": {"U5"}, "neck-strain-70": set()}


@pytest.mark.parametrize(("case_id", "expected"), NECK_FALL.items())
def test_neck_pain_after_a_fall_at_65_or_over_fires_e7_within_a_week_and_u5_within_12_weeks(
    rules: RuleSet, case_id: str, expected: set[str]
) -> None:
    case = next(case for case in VIGNETTES if case["id"] == case_id)
    fired = {rule.id for rule in _assess(rules, case).fired_rules}
    assert fired & {"E7", "U5"} == expected


@BY_ID
def test_outcome_lists_a_reason_for_every_rule_that_holds(rules: RuleSet, case: dict[str, Any]) -> None:
    outcome = _assess(rules, case)
    facts = rules.read(case["answers"]).facts
    holding = {rule.id: rule for rule in rules.rules if rule.condition.evaluate(facts) is True}
    assert [rule.id for rule in outcome.fired_rules] == sorted(
        holding, key=lambda rule_id: (-holding[rule_id].level.rank, rule_id)
    )
    for fired in outcome.fired_rules:
        assert fired.reason == holding[fired.id].reason_for(rules.read(case["answers"]).said)
        for lang in rules.languages:
            assert fired.reason.get(lang).strip(), f"{fired.id} has no {lang} reason"
        assert fired.guidance == holding[fired.id].guidance


@BY_ID
def test_outcome_shows_the_guidance_of_its_decisive_rules_and_never_of_a_lower_one(
    rules: RuleSet, case: dict[str, Any]
) -> None:
    """Spec §3a: guidance at the outcome's level only, with the level's own advice."""
    outcome = _assess(rules, case)
    decisive = [rule for rule in outcome.fired_rules if rule.level == outcome.level]
    assert outcome.decisive_rules == tuple(decisive)
    assert outcome.other_rules == tuple(rule for rule in outcome.fired_rules if rule.level < outcome.level)
    own = [rule.guidance for rule in decisive if rule.guidance is not None]
    assert list(outcome.guidance) == list(dict.fromkeys([*own, *rules.levels[outcome.level].guidance]))
    shown = [text.get(lang) for text in outcome.guidance for lang in rules.languages]
    for rule in outcome.other_rules:
        if rule.guidance is not None:
            leaked = [text for text in shown for lang in rules.languages if rule.guidance.get(lang) in text]
            assert not leaked, f"{rule.id} ({rule.level.value}) guidance shown at {outcome.level.value}"


@BY_ID
def test_outcome_level_is_the_most_urgent_fired_rule(rules: RuleSet, case: dict[str, Any]) -> None:
    outcome = _assess(rules, case)
    expected = max((rule.level for rule in outcome.fired_rules), default=Level.INFORMATION)
    assert outcome.level == expected
    assert outcome.advice.level == outcome.level


@BY_ID
def test_outcome_has_a_safety_net_with_warning_signs(rules: RuleSet, case: dict[str, Any]) -> None:
    net = _assess(rules, case).safety_net
    intro = net.intro.render("en", CONFIG)
    signs = [sign.render("en", CONFIG) for sign in net.warning_signs]
    assert CONFIG["emergency_number"] in intro
    assert signs and all(sign.strip() for sign in signs)
    missing = [word for word in SAFETY_NET_SIGNS if not any(word in sign.lower() for sign in signs)]
    assert not missing, f"the warning signs never mention {missing}"
    assert net.expect.render("en", CONFIG).strip(), "the safety net says nothing about what to expect"


@BY_ID
def test_outcome_says_it_is_not_a_diagnosis(rules: RuleSet, case: dict[str, Any]) -> None:
    statement = _assess(rules, case).not_a_diagnosis
    for lang in rules.languages:
        assert statement.get(lang).strip()
    assert "not a diagnosis" in statement.render("en", CONFIG).lower()


@BY_ID
def test_outcome_gives_a_concrete_action_for_its_level(rules: RuleSet, case: dict[str, Any]) -> None:
    """Concrete: it names a number to call or a time limit, and every placeholder is filled."""
    outcome = _assess(rules, case)
    action = outcome.advice.action.render("en", CONFIG)
    assert outcome.advice.action == rules.levels[outcome.level].action
    assert "{" not in action and "}" not in action, action
    assert re.search(r"\d", action), f"no number or time limit in {action!r}"
    assert outcome.advice.label.get("en").strip()


@BY_ID
def test_outcome_names_the_rules_version_and_content_hash(rules: RuleSet, case: dict[str, Any]) -> None:
    declared = yaml.safe_load(RULESET_FILE.read_text(encoding="utf-8"))["version"]
    version = _assess(rules, case).rules_version
    assert version.version == declared
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", version.content_hash), version.content_hash
    assert version.as_dict() == {"version": declared, "hash": version.content_hash}
