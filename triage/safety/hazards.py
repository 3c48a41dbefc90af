"""The hazard log (rules/hazards.yaml): each hazard, its risk on a 5×5 matrix, and its controls.

Loaded apart from the rule set (load_hazards), with its own JSON Schema, and checked against what
it names (check_controls): every rule id must be a rule of the rule set, every invariant one that
`rules check` proves, every test one that exists in tests/ (found by reading the test files, see
testindex.py). `rules check` runs both and fails, naming the hazard and the control, on any problem.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.engine.files import FileReader, RuleFileError, RulesInvalid
from triage.engine.loader import DEFAULT_RULES_DIR
from triage.engine.ruleset import RuleSet
from triage.safety import schemas

HAZARDS = "hazards.yaml"
#: Residual risk scores at or above this are unacceptable (DCB0129's "unacceptable" band).
UNACCEPTABLE = 4


@dataclass(frozen=True)
class Point:
    """One point of a scale: its score, name and meaning."""

    score: int
    name: str
    meaning: str


@dataclass(frozen=True)
class Risk:
    """Severity and likelihood scores, and the risk the matrix gives them."""

    severity: int
    likelihood: int
    risk: int


@dataclass(frozen=True)
class Controls:
    """What controls a hazard: rules, invariants, named tests, design features."""

    rules: tuple[str, ...]
    invariants: tuple[str, ...]
    tests: tuple[str, ...]
    design: tuple[str, ...]


@dataclass(frozen=True)
class Hazard:
    """One hazard of the log."""

    id: str
    title: str
    description: str
    cause: str
    harm: str
    initial: Risk
    controls: Controls
    residual: Risk
    residual_note: str = ""


@dataclass(frozen=True)
class HazardLog:
    """The scales, the matrix and every hazard."""

    source: str  # the file, as errors name it: rules/hazards.yaml
    standard: str
    severity: tuple[Point, ...]
    likelihood: tuple[Point, ...]
    risk: tuple[Point, ...]
    matrix: tuple[tuple[int, ...], ...]  # [likelihood - 1][severity - 1]
    hazards: tuple[Hazard, ...]

    def rating(self, risk: Risk) -> Point:
        """The named risk band of a risk."""
        return self.risk[risk.risk - 1]


def load_hazards(directory: Path | str = DEFAULT_RULES_DIR) -> HazardLog:
    """Read and validate the hazard log of a rules folder; raises RulesInvalid naming each problem."""
    return _HazardReader(Path(directory)).load()


class _HazardReader(FileReader):
    def load(self) -> HazardLog:
        data = self._read(HAZARDS, schemas.HAZARDS)
        self._stop_if_errors()
        scales = data["scales"]
        points = {name: self._scale(scales[name], name) for name in ("severity", "likelihood", "risk")}
        matrix = tuple(tuple(row) for row in scales["matrix"])
        hazards = [self._hazard(raw, matrix) for raw in data["hazards"]]
        ids = [h.id for h in hazards]
        for repeated in sorted({i for i in ids if ids.count(i) > 1}):
            self._error(HAZARDS, f"hazard {repeated}", "the same id is used twice")
        self._stop_if_errors()
        return HazardLog(
            f"{self.directory.name}/{HAZARDS}",
            data["standard"],
            points["severity"],
            points["likelihood"],
            points["risk"],
            matrix,
            tuple(hazards),
        )

    def _scale(self, raw: list[dict[str, Any]], name: str) -> tuple[Point, ...]:
        points = tuple(Point(p["score"], p["name"], p["meaning"]) for p in raw)
        if [p.score for p in points] != [1, 2, 3, 4, 5]:
            self._error(HAZARDS, f"scales.{name}", "the scores must be 1 to 5, in order")
        return points

    def _hazard(self, raw: dict[str, Any], matrix: tuple[tuple[int, ...], ...]) -> Hazard:
        where = f"hazard {raw['id']}"
        initial, residual = Risk(**raw["initial"]), Risk(**raw["residual"])
        for name, risk in (("initial", initial), ("residual", residual)):
            expected = matrix[risk.likelihood - 1][risk.severity - 1]
            if risk.risk != expected:
                self._error(
                    HAZARDS,
                    where,
                    f"{name}: severity {risk.severity} and likelihood {risk.likelihood} give risk "
                    f"{expected} on the matrix, not {risk.risk}",
                )
        if residual.risk > initial.risk:
            self._error(HAZARDS, where, "the residual risk is above the initial risk")
        if residual.risk >= UNACCEPTABLE:
            self._error(HAZARDS, where, f"the residual risk {residual.risk} is unacceptable")
        controls = raw["controls"]
        return Hazard(
            id=raw["id"],
            title=raw["title"],
            description=raw["description"],
            cause=raw["cause"],
            harm=raw["harm"],
            initial=initial,
            controls=Controls(
                tuple(controls.get("rules", ())),
                tuple(controls.get("invariants", ())),
                tuple(controls["tests"]),
                tuple(controls["design"]),
            ),
            residual=residual,
            residual_note=raw.get("residual_note", ""),
        )


def check_controls(
    log: HazardLog, rules: RuleSet, invariants: Collection[str], tests: Collection[str] | Mapping[str, Any]
) -> list[RuleFileError]:
    """Every control naming a rule, an invariant or a test that does not exist, as an error."""
    path = log.source
    rule_ids = {rule.id for rule in rules.rules}
    errors = []
    for hazard in log.hazards:
        where = f"hazard {hazard.id}"
        errors += [
            RuleFileError(path, where, f"control: rule {rule_id} is not a rule of the rule set")
            for rule_id in hazard.controls.rules
            if rule_id not in rule_ids
        ]
        errors += [
            RuleFileError(
                path,
                where,
                f"control: invariant {name!r} is not one that rules check proves "
                f"({', '.join(repr(i) for i in invariants)})",
            )
            for name in hazard.controls.invariants
            if name not in invariants
        ]
        errors += [
            RuleFileError(path, where, f"control: test {node_id} does not exist")
            for node_id in hazard.controls.tests
            if node_id not in tests
        ]
    return errors


def checked_hazards(
    directory: Path | str, rules: RuleSet, invariants: Collection[str], tests: Collection[str]
) -> HazardLog:
    """The hazard log, loaded and every control found; raises RulesInvalid naming each problem."""
    log = load_hazards(directory)
    errors = check_controls(log, rules, invariants, tests)
    if errors:
        raise RulesInvalid(errors)
    return log


__all__ = [
    "HAZARDS",
    "Controls",
    "Hazard",
    "HazardLog",
    "Risk",
    "check_controls",
    "checked_hazards",
    "load_hazards",
]
