"""Engine tests: plain Python, no Flask fixtures."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from triage.engine import RuleSet, load_rules


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The project's rule set, loaded once."""
    return load_rules()


settings.register_profile(
    "spine-invariants",
    derandomize=True,  # the same examples on every run: CI never flakes
    deadline=None,
    database=None,
    max_examples=1000,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile("spine-invariants")
MANY = settings(PROFILE, max_examples=2000)
SOME = settings(PROFILE, max_examples=600)


class Engine:
    """The rule set under test, with a short repr.

    Hypothesis prints every argument of a failing example; a RuleSet's full repr (about 45 kB) makes it
    warn, and pytest's filterwarnings=error turns that warning into a FlakyStrategyDefinition error that
    hides the counterexample. So the property tests take this instead of the `rules` fixture.
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def __repr__(self) -> str:
        return f"<rules {self.rules.version}>"


@pytest.fixture(scope="session")
def engine(rules: RuleSet) -> Engine:
    return Engine(rules)
