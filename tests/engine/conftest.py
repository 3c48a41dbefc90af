"""Engine tests: plain Python, no Flask fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from triage.engine import RuleSet, load_rules

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The project's rule set, loaded once."""
    return load_rules()


def vignettes() -> list[dict]:
    """The clinical vignettes (tests/cases/vignettes.yaml), each with id, story, expected_level, answers."""
    data = yaml.safe_load((CASES_DIR / "vignettes.yaml").read_text(encoding="utf-8"))
    return data["cases"]
