"""What `rules check` reports: how each invariant was checked, the counts, and any violation."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.engine.model import Level


@dataclass(frozen=True)
class Violation:
    """An answer set that breaks an invariant (or, for a dead rule, the lack of one)."""

    invariant: str
    message: str
    answers: Mapping[str, Any] | None = None
    moved_to: Mapping[str, Any] | None = None

    def __str__(self) -> str:
        text = f"[{self.invariant}] {self.message}"
        if self.answers is not None:
            text += f"\n    answers: {json.dumps(self.answers, sort_keys=True)}"
        if self.moved_to is not None:
            text += f"\n    moved to: {json.dumps(self.moved_to, sort_keys=True)}"
        return text


@dataclass
class CheckReport:
    """What was checked, how, with what counts, and any violation."""

    method: dict[str, list[str]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    samples: int = 0
    moves: int = 0
    levels: Counter[Level] = field(default_factory=Counter)
    fired: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    stopped_early: bool = False

    @property
    def ok(self) -> bool:
        """True when no invariant is broken."""
        return not self.violations
