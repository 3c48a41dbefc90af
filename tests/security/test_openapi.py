"""Finding 8 (attack tests): the API is described by an OpenAPI 3.1 document served at
/api/v1/openapi.json, and schemathesis throws generated requests at the in-process app (every
operation; at least 1,000 examples each under CI=true): no server error, and every response is one
the document describes (status, content type, body schema, headers)."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from tests.support.cases import vignettes
from triage.api.openapi import answers_schema, openapi_document
from triage.engine import load_rules

IN_CI = os.environ.get("CI", "").lower() == "true"
#: Examples per operation: the issue asks for at least 1,000 in CI; fewer keep a local run quick.
EXAMPLES = 1000 if IN_CI else 60
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served: dict[str, Any] = response.get_json()
    return served


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    served = document(client)
    assert served["openapi"].startswith("3.1")
    OPENAPI_31_VALIDATOR.validate(served)
    for name, schema in served["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert schema.get("type") == "object", name


def test_the_document_names_every_route_of_the_api(app: Flask, client: FlaskClient) -> None:
    described = {
        (path, method.upper()) for path, item in document(client)["paths"].items() for method in item
    }
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)  # Flask's <name> is OpenAPI's {name}
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or ()) - {"HEAD", "OPTIONS"}
    }
    assert described == routes


@pytest.mark.parametrize("case", vignettes(), ids=lambda case: case["id"])
def test_every_vignette_is_valid_by_the_answers_schema(case: dict[str, Any]) -> None:
    Draft202012Validator(answers_schema(load_rules())).validate(case["answers"])


def test_the_served_document_is_the_one_the_attack_test_uses(client: FlaskClient) -> None:
    assert document(client) == json.loads(json.dumps(openapi_document(load_rules())))


#: The document as the app serves it (the test above checks that), for schemathesis to attack the
#: in-process app with: requests go through the WSGI interface, never over a network.
schema = schemathesis.openapi.from_dict(openapi_document(load_rules()))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    database=None,
)
def test_generated_requests_get_no_server_error_and_match_the_document(
    app: Flask, case: schemathesis.Case
) -> None:
    case.call_and_validate(app=app, checks=CHECKS)
