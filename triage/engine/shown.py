"""`rules check` of what the person is shown (clinical spec §3a): guidance only at the outcome's level.

Proved from the engine's structure, then confirmed on every answer set the search walks:

- by construction, `Outcome.guidance` is built from the decisive rules (those at the outcome's
  level) and the level's own advice in levels.yaml, nothing else;
- so a lower rule's guidance could only be shown if the same text were also the guidance of a rule
  at that level or of the level itself: every level is checked against every rule below it;
- on each sampled outcome, no shown text is the guidance of a fired rule below its level, and the
  guidance of every decisive rule is shown.
"""

from __future__ import annotations

from .model import Level, Outcome
from .report import Violation
from .ruleset import RuleSet

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
