"""SDC `$extract`: an assessment just made from a QuestionnaireResponse, as the Bundle an export gives
(triage/fhir/bundle.py), saved (with its reference code) or not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from triage.engine import Outcome, RuleSet
from triage.storage.codes import Status

from .bundle import StoredCallback, assessment_bundle
from .common import Values


@dataclass(frozen=True)
class JustAssessed:
    """An outcome with what a saved record adds: the reference code (None: not saved) and the time."""

    outcome: Outcome
    reference: str | None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime | None = None
    status: str = Status.NEW
    callbacks: Sequence[StoredCallback] = ()
    override_level: str | None = None
    override_reason: str | None = None
    override_by: str | None = None
    override_at: datetime | None = None

    @property
    def level(self) -> str:
        return self.outcome.level.value

    @property
    def fired_rules(self) -> Sequence[str]:
        return [rule.id for rule in self.outcome.fired_rules]

    @property
    def rules_version(self) -> str:
        return self.outcome.rules_version.version

    @property
    def rules_hash(self) -> str:
        return self.outcome.rules_version.content_hash

    @property
    def answers(self) -> Mapping[str, Any]:
        return self.outcome.answers.as_dict()

    @property
    def partial(self) -> bool:
        return self.outcome.partial


def extract_bundle(
    outcome: Outcome, ruleset: RuleSet, values: Values | None = None, reference: str | None = None
) -> dict[str, Any]:
    """The Bundle of an assessment just made; `reference`: its reference code once saved."""
    return assessment_bundle(JustAssessed(outcome, reference), ruleset, values)
