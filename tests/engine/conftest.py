"""Engine tests: plain Python, no Flask fixtures."""

from __future__ import annotations

import pytest

from triage.engine import RuleSet, load_rules


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The project's rule set, loaded once."""
    return load_rules()
