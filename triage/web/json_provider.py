"""JSON: the app's answers through Flask's own provider, set for the contract; a JSON column's text.

Flask's provider sorts keys and escapes every letter past ASCII by default. The answers keep the
contract's order of keys (level, label, action, ...) and are UTF-8, so a Greek answer is readable
as it is sent. Dates, dataclasses, decimals and UUIDs are written by Flask's `default`; a request's
JSON is read by the standard library, integers of any size exact.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, keys kept in their order, UTF-8 (indented in debug mode, as Flask's)."""

    sort_keys = False  # the contract's order
    ensure_ascii = False  # Greek as UTF-8 letters, not \\u escapes


def json_text(value: Any) -> str:
    """A JSON column's text (the answers, the rules that fired): compact UTF-8, keys in their order.
    What orjson refuses (an integer past 64 bits, a key that is not text) is written by the
    standard library, as SQLAlchemy would have."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value)
