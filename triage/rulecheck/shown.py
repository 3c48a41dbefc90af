"""`rules check` of what the person is shown (clinical spec §3a): guidance and reasons.

Guidance only at the outcome's level, proved from the engine's structure, then confirmed on every
answer set the search walks:

- by construction, `Outcome.guidance` is built from the decisive rules (those at the outcome's
  level) and the level's own advice in levels.yaml, nothing else;
- so a lower rule's guidance could only be shown if the same text were also the guidance of a rule
  at that level or of the level itself: every level is checked against every rule below it;
- on each sampled outcome, no shown text is the guidance of a fired rule below its level, and the
  guidance of every decisive rule is shown.

Reasons in the person's own terms: on every sampled outcome, each fired rule's reason is worded by a
case (and term phrases) that certainly holds, never by the general wording; every specific wording is
used somewhere in the search; and a rule left out of "you also told us" as repeating a more urgent
one (`repeats`) fires wherever that rule does, so leaving it out hides nothing it adds.
"""

from __future__ import annotations

from triage.engine.conditions import Facts
from triage.engine.model import Level, Outcome
from triage.engine.ruleset import RuleSet
from triage.engine.wording import Cases

from .report import Violation

GUIDANCE = "guidance at the outcome's level"


class GuidanceCheck:
    """No guidance of a rule below the outcome's level is ever shown."""

    def __init__(self, rules: RuleSet, violations: list[Violation]) -> None:
        self.rules = rules
        self.violations = violations  # where violations are reported (the report's list)
        self.outcomes = 0
        self.with_lower_rules = 0

    def prove(self) -> list[str]:
        """Check the structure: no text a level can show is a lower rule's guidance."""
        rules = self.rules
        for level in Level:
            shown = {r.guidance for r in rules.rules if r.level == level and r.guidance is not None}
            shown |= set(rules.levels[level].guidance)
            for rule in rules.rules:
                if rule.level < level and rule.guidance in shown:
                    self.violations.append(
                        Violation(
                            GUIDANCE,
                            f"rule {rule.id}'s guidance ({rule.level.value}) is also a text shown at "
                            f"{level.value}, so it can be shown above its own level",
                        )
                    )
        with_guidance = sum(1 for rule in rules.rules if rule.guidance is not None)
        return [
            "by construction: an outcome shows the guidance of its decisive rules (those at its level) "
            "and its level's own advice (levels.yaml), nothing else; no rule's guidance is shown "
            "regardless of level",
            f"no text a level can show is the guidance of a rule below it: {len(Level)} levels checked "
            f"against the guidance of {with_guidance} rules",
        ]

    def observe(self, outcome: Outcome) -> None:
        """Confirm on one outcome: shown guidance is the decisive rules' and the level's only."""
        self.outcomes += 1
        self.with_lower_rules += bool(outcome.other_rules)
        shown = set(outcome.guidance)
        leaked = [r.id for r in outcome.other_rules if r.guidance is not None and r.guidance in shown]
        missing = [r.id for r in outcome.decisive_rules if r.guidance is not None and r.guidance not in shown]
        if leaked:
            self.violations.append(
                Violation(
                    GUIDANCE,
                    f"a {outcome.level.value} outcome shows the guidance of {', '.join(leaked)}, "
                    "below its level",
                    outcome.answers.as_dict(),
                )
            )
        if missing:
            self.violations.append(
                Violation(
                    GUIDANCE,
                    f"a {outcome.level.value} outcome leaves out the guidance of {', '.join(missing)}",
                    outcome.answers.as_dict(),
                )
            )

    def lines(self) -> list[str]:
        """How it was confirmed on the search."""
        return [
            f"confirmed on {self.outcomes:,} answer sets ({self.with_lower_rules:,} with rules below the "
            "outcome's level): no guidance shown from a rule below the level, every decisive rule's shown"
        ]


REASONS = "reasons in the person's terms"


class ReasonCheck:
    """Every fired rule's reason names what the answers say; `repeats` leave out only true repeats."""

    def __init__(self, rules: RuleSet, violations: list[Violation]) -> None:
        self.rules = rules
        self.violations = violations
        self.by_id = {rule.id: rule for rule in rules.rules}
        self.lists = {cases.owner: cases for cases in _case_lists(rules)}
        self.seen: dict[str, set[int]] = {owner: set() for owner in self.lists}
        self.outcomes = 0
        self.reasons = 0

    def prove(self) -> list[str]:
        """What the rule files say: which reasons are worded by case, and which rules repeat others."""
        by_case = [rule.id for rule in self.rules.rules if rule.wording.cases.by_case]
        phrased = [t.name for t in self.rules.terms if t.phrases is not None]
        specific = sum(len(cases.cases) - 1 for cases in self.lists.values())
        repeats = [f"{r.id} after {', '.join(r.repeats)}" for r in self.rules.rules if r.repeats]
        return [
            f"worded by case: the reasons of {len(by_case)} rules ({', '.join(by_case)}) and the phrases of "
            f"{len(phrased)} terms ({', '.join(phrased)}), {specific} specific wordings, each checked at "
            "load like a condition (known questions, fitting operators, every language)",
            "left out of 'you also told us' where a more urgent rule that fired already says it: "
            + ("; ".join(repeats) or "none"),
        ]

    def observe(self, outcome: Outcome, facts: Facts) -> None:
        """Confirm on one outcome: no general wording was needed, and every `repeats` holds."""
        self.outcomes += 1
        fired = {rule.id for rule in outcome.fired_rules}
        for rule_id in sorted(fired):
            rule = self.by_id[rule_id]
            wording = rule.wording.wording(facts)
            self.reasons += 1
            for cases, index in wording.choices:
                if cases.by_case:
                    self.seen[cases.owner].add(index)
            if wording.general_parts:
                self.violations.append(
                    Violation(
                        REASONS,
                        f"rule {rule_id} fell back to its general wording "
                        f"({', '.join(wording.general_parts)}): no case names what these answers say",
                        outcome.answers.as_dict(),
                    )
                )
        for rule in self.rules.rules:
            for other in rule.repeats:
                if other in fired and rule.id not in fired:
                    self.violations.append(
                        Violation(
                            REASONS,
                            f"rule {other} fired without rule {rule.id}, whose reason is left out as "
                            f"repeating {other}'s: {rule.id} says something {other} does not",
                            outcome.answers.as_dict(),
                        )
                    )

    def lines(self) -> list[str]:
        """How it was confirmed on the search; reports wordings the search never used."""
        used = sum(len(self.seen[owner] - {len(cases.cases) - 1}) for owner, cases in self.lists.items())
        specific = sum(len(cases.cases) - 1 for cases in self.lists.values())
        for owner, cases in self.lists.items():
            for index, case in enumerate(cases.cases[:-1]):
                if index not in self.seen[owner] and case.condition is not None:
                    self.violations.append(
                        Violation(
                            REASONS,
                            f"{owner}[{index}] (when {case.condition.describe()}) was never used in "
                            f"{self.outcomes:,} answer sets",
                        )
                    )
        return [
            f"confirmed on {self.outcomes:,} answer sets ({self.reasons:,} fired rules): every reason named "
            f"what the answers say, no general wording needed; {used} of {specific} specific wordings used",
            "every rule left out as a repeat fired wherever the rule it repeats did",
        ]


def _case_lists(rules: RuleSet) -> list[Cases]:
    """The lists of cases the rules' reasons use, each once: their own and their terms' phrases."""
    found: dict[str, Cases] = {}
    for rule in rules.rules:
        for cases in (rule.wording.cases, *rule.wording.phrases.values()):
            if cases.by_case:
                found.setdefault(cases.owner, cases)
    return list(found.values())
