"""Fixtures for the patient's pages: one app for the whole session, and a Journey that answers the
real pages one by one, as a person would (tests/support/journeys.py).

`client`, `csrf_app` and `csrf_client` are tests/conftest.py's.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import apps
from tests.support.database import migrated_template
from tests.support.journeys import Journey


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The test app (CSRF checks off), made once: nothing a test does changes it, and each test has
    its own client (session)."""
    return apps.make_app(tmp_path_factory.mktemp("instance"), migrated_template())


@pytest.fixture
def journey(client: FlaskClient) -> Journey:
    """A journey with a fresh client."""
    return Journey(client)
