"""The safety case's own words (rules/safety_case.yaml): scope, intended use, users, which spec
requirement each rule encodes, and the starting points of the open issues."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from triage.engine.files import FileReader, RuleFileError, RulesInvalid
from triage.engine.ruleset import RuleSet
from triage.safety import schemas

SAFETY_CASE = "safety_case.yaml"


@dataclass(frozen=True)
class Requirement:
    """A requirement of the clinical spec and the rules that encode it."""

    section: str
    requirement: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class SafetyCase:
    """What safety_case.yaml says."""

    title: str
    spec: str  # "name, version N (date)"
    scope: str
    intended_use: tuple[str, ...]
    not_intended_for: tuple[str, ...]
    users: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    open_issues: tuple[str, ...]


def load_case(directory: Path | str, rules: RuleSet) -> SafetyCase:
    """Read and validate safety_case.yaml, its rule ids checked; raises RulesInvalid naming each problem."""
    reader = FileReader(Path(directory))
    data = reader._read(SAFETY_CASE, schemas.SAFETY_CASE)
    reader._stop_if_errors()
    known = {rule.id for rule in rules.rules}
    requirements = tuple(
        Requirement(raw["section"], raw["requirement"], tuple(raw["rules"])) for raw in data["requirements"]
    )
    errors = [
        RuleFileError(
            f"{Path(directory).name}/{SAFETY_CASE}",
            f"requirement {r.requirement[:30]!r}",
            f"rule {i} is not a rule of the rule set",
        )
        for r in requirements
        for i in r.rules
        if i not in known
    ]
    if errors:
        raise RulesInvalid(errors)
    spec = data["spec"]
    return SafetyCase(
        title=data["title"],
        spec=f"{spec['name']}, version {spec['version']} ({spec['date']})",
        scope=data["scope"],
        intended_use=tuple(data["intended_use"]),
        not_intended_for=tuple(data["not_intended_for"]),
        users=tuple(data["users"]),
        requirements=requirements,
        open_issues=tuple(data.get("open_issues", ())),
    )
