"""Fixtures for the attack tests: apps whose database holds one account per role (the staff tests'
accounts, tests/support/staff.py), with passwords hashed at argon2id's lowest cost.

Helpers: tests/support/staff.py (accounts, logging in), tests/support/records.py (what is stored),
tests/support/journeys.py (the patient's pages and phone calls through the real pages).
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def fast_security_hashing(fast_hashing: None) -> None:
    """The fast hasher for every test here, whether it makes an app or not."""


@pytest.fixture
def database(staff_database: Path) -> Path:
    """The apps here get a copy of the database holding the three accounts."""
    return staff_database
