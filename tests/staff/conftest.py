"""Fixtures for the staff area: apps whose database holds one account per role, the accounts, and a
saved record. Helpers: tests/support/staff.py (accounts, logging in), tests/support/records.py
(what is stored) and tests/support/journeys.py (phone calls through the real pages).

Every staff test hashes passwords at argon2id's lowest cost (tests/support/staff.py says why).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.support.cases import VIGNETTE
from tests.support.records import save
from tests.support.staff import ADMIN, CLINICIAN, RECEPTION, Staff


@pytest.fixture(autouse=True)
def fast_staff_hashing(fast_hashing: None) -> None:
    """The fast hasher for every test here, whether it makes an app or not."""


@pytest.fixture
def database(staff_database: Path) -> Path:
    """The staff tests' apps get a copy of the database holding the three accounts."""
    return staff_database


@pytest.fixture
def reception() -> Staff:
    return RECEPTION


@pytest.fixture
def clinician() -> Staff:
    return CLINICIAN


@pytest.fixture
def admin() -> Staff:
    return ADMIN


@pytest.fixture
def reference(app: Flask) -> str:
    """The reference of a saved online assessment (an urgent one)."""
    return save(app, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"])
