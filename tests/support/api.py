"""API keys for the tests: issued as `python -m triage api-keys create` issues them, and a test
client that sends one with every request (the API saves only what comes with a key)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from triage.api import keys
from triage.storage.codes import KeyScope

#: The name of the key the tests' clients send.
TEST_CLIENT = "test-client"


def issue_key(app: Flask, name: str = TEST_CLIENT, scope: KeyScope = KeyScope.SAVE) -> str:
    """A new API key in the app's database (by default one that reads back only what it saved)."""
    with app.app_context():
        return keys.issue(name, scope)


def bearer(key: str) -> dict[str, str]:
    """The header that sends an API key."""
    return {"Authorization": f"Bearer {key}"}


def send_api_key(app: Flask, client: FlaskClient, name: str = TEST_CLIENT) -> str:
    """Make the client send a new API key with every request from now on; the key."""
    key = issue_key(app, name)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return key
