"""Issue 31: the FHIR R4 REST interface under /api/v1/fhir/. `metadata` is a CapabilityStatement; the
public resources (triage/fhir/catalog.py) are read by id and version and searched by `url` and
`version` (searchset Bundles); the Questionnaire of an earlier rules version that saved records cite
stays readable; errors are OperationOutcomes (404, 405 with Allow, 406 for XML, 400 for an unknown
search parameter or a body that is not JSON); the public resources, and only they, may be read from any
origin, with an ETag and 304; records never. Every resource served parses with the R4B models of
fhir.resources and validates against the FHIR R4 JSON Schema."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.api import bearer, issue_key
from tests.support.cases import VIGNETTE
from tests.support.fhir import parse_r4b, schema_problems
from tests.support.records import save
from triage.api.fhir.conformance import practice_values_of
from triage.engine import DEFAULT_RULES_DIR, load_rules
from triage.extensions import rules
from triage.fhir.catalog import resources
from triage.storage import repository
from triage.storage.codes import Channel, KeyScope
from triage.web.headers import cross_origin

BASE = "/api/v1/fhir"
FHIR_JSON = "application/fhir+json"
RULES = load_rules()
VERSION = RULES.version.version
CANONICAL = "https://fhir.spine-triage.example"
QUESTIONNAIRE_URL = f"{CANONICAL}/Questionnaire/spine-triage"
LEVELS_URL = f"{CANONICAL}/CodeSystem/spine-triage-level"
SDC = "http://hl7.org/fhir/uv/sdc/OperationDefinition"
#: Every public resource the catalogue lists, as (type, id).
PUBLIC = [(r["resourceType"], r["id"]) for r in resources(RULES)]
ANSWERS = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
#: An earlier rules version: today's rules with another version and a reworded first question.
EARLIER = "2026.11.9"
EARLIER_LABEL = "An earlier wording of the leg weakness question?"


def get(client: FlaskClient, path: str, **headers: str) -> Any:
    return client.get(BASE + path, headers=headers)


def body(response: Any) -> dict[str, Any]:
    assert response.mimetype == FHIR_JSON, response.text
    loaded: dict[str, Any] = json.loads(response.text)
    return loaded


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource, after checking it is valid FHIR R4 (JSON Schema) and R4B (fhir.resources)."""
    assert schema_problems(resource) == []
    parse_r4b(resource)
    return resource


def outcome(response: Any, status: int) -> dict[str, Any]:
    """The OperationOutcome a response holds, checked to have `status` and one error issue."""
    assert response.status_code == status, response.text
    resource = valid(body(response))
    assert resource["resourceType"] == "OperationOutcome"
    assert [issue["severity"] for issue in resource["issue"]] == ["error"]
    return resource


# --- metadata ---------------------------------------------------------------------------------------


def test_metadata_is_a_capability_statement_of_what_is_served(client: FlaskClient) -> None:
    statement = body(get(client, "/metadata"))
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    # The R4 JSON Schema's list of FHIR versions ends at 4.0.0: 4.0.1 (R4's technical correction, the
    # one in use) came after it. Every other part of the statement is checked against it.
    valid({**statement, "fhirVersion": "4.0.0"})
    parse_r4b(statement)
    assert "json" in statement["format"] and not any("xml" in f for f in statement["format"])
    (rest,) = statement["rest"]
    assert rest["mode"] == "server"
    by_type = {entry["type"]: entry for entry in rest["resource"]}
    for resource_type, _id in PUBLIC:
        entry = by_type[resource_type]
        assert {i["code"] for i in entry["interaction"]} == {"read", "vread", "search-type"}
        assert {p["name"]: p["type"] for p in entry["searchParam"]} == {"url": "uri", "version": "token"}
    operations = {
        (entry["type"], op["name"]): op["definition"]
        for entry in rest["resource"]
        for op in entry.get("operation", [])
    }
    assert operations == {
        ("Questionnaire", "next-question"): f"{SDC}/Questionnaire-next-question",
        ("QuestionnaireResponse", "extract"): f"{SDC}/QuestionnaireResponse-extract",
    }


# --- read and vread ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("resource_type", "resource_id"), PUBLIC)
def test_each_public_resource_is_read_by_id_and_by_version(
    app: Flask, client: FlaskClient, resource_type: str, resource_id: str
) -> None:
    with app.test_request_context():  # the practice's values, as the server fills them in
        served = resources(RULES, values=practice_values_of)
    expected = next(r for r in served if (r["resourceType"], r["id"]) == (resource_type, resource_id))
    read = get(client, f"/{resource_type}/{resource_id}")
    assert read.status_code == 200
    assert valid(body(read)) == json.loads(json.dumps(expected))
    assert body(read)["meta"]["versionId"] == VERSION
    versioned = get(client, f"/{resource_type}/{resource_id}/_history/{VERSION}")
    assert versioned.status_code == 200
    assert body(versioned) == body(read)


def test_the_questionnaire_is_read_as_spine_triage(client: FlaskClient) -> None:
    questionnaire = body(get(client, "/Questionnaire/spine-triage"))
    assert (questionnaire["url"], questionnaire["version"]) == (QUESTIONNAIRE_URL, VERSION)


@pytest.mark.parametrize(
    ("path", "headers", "lang"),
    [
        ("?lang=el", {}, "el"),  # the app's own parameter, as the patient pages take it
        ("", {"Accept-Language": "el"}, "el"),
        ("?lang=xx", {}, "en"),
        ("", {"Accept-Language": "fr"}, "en"),
    ],
)
def test_a_language_may_be_asked_for(
    client: FlaskClient, path: str, headers: dict[str, str], lang: str
) -> None:
    response = get(client, f"/Questionnaire/spine-triage{path}", **headers)
    assert response.status_code == 200
    assert valid(body(response))["url"] == QUESTIONNAIRE_URL
    assert (body(response)["language"], response.headers["Content-Language"]) == (lang, lang)


@pytest.mark.parametrize(
    "path",
    [
        "/Questionnaire/no-such-questionnaire",
        "/CodeSystem/no-such-system",
        "/ValueSet/no-such-set",
        "/ConceptMap/no-such-map",
        "/Questionnaire/spine-triage/_history/1999.1.1",
        "/CodeSystem/spine-triage-level/_history/1999.1.1",
        "/Patient/1",
        "/assessments",
        "/no/such/path/here",
    ],
)
def test_what_is_not_there_is_a_404_operation_outcome(client: FlaskClient, path: str) -> None:
    outcome(get(client, path), 404)


def test_an_operation_outcome_speaks_the_accept_language(client: FlaskClient) -> None:
    greek = outcome(get(client, "/no/such/path/here", **{"Accept-Language": "el"}), 404)
    assert "διακομιστή FHIR" in greek["issue"][0]["diagnostics"]
    english = outcome(get(client, "/CodeSystem/nothing"), 404)
    assert english["issue"][0]["diagnostics"] == "There is no CodeSystem with the id nothing."


# --- search -----------------------------------------------------------------------------------------


def searchset(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    bundle = valid(body(response))
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "searchset")
    assert bundle["total"] == len(bundle.get("entry", []))
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        assert entry["search"] == {"mode": "match"}
        assert entry["fullUrl"] == f"http://localhost{BASE}/{resource['resourceType']}/{resource['id']}"
    return bundle


def found(bundle: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["resource"]["id"], e["resource"]["version"]) for e in bundle.get("entry", [])]


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        (f"url={QUESTIONNAIRE_URL}", [("spine-triage", VERSION)]),
        (f"url={QUESTIONNAIRE_URL}&version={VERSION}", [("spine-triage", VERSION)]),
        (f"url={QUESTIONNAIRE_URL}|{VERSION}", [("spine-triage", VERSION)]),
        (f"version={VERSION}", [("spine-triage", VERSION)]),
        (f"url={QUESTIONNAIRE_URL}&version=2020.1.0", []),
        (f"url={LEVELS_URL}", []),
    ],
)
def test_a_search_answers_a_searchset_bundle_of_the_matches(
    client: FlaskClient, query: str, matches: list[tuple[str, str]]
) -> None:
    assert found(searchset(get(client, f"/Questionnaire?{query}"))) == matches


@pytest.mark.parametrize(("resource_type", "resource_id"), PUBLIC)
def test_every_public_resource_is_found_by_its_url_and_version(
    client: FlaskClient, resource_type: str, resource_id: str
) -> None:
    url = next(
        r["url"] for r in resources(RULES) if (r["resourceType"], r["id"]) == (resource_type, resource_id)
    )
    bundle = searchset(get(client, f"/{resource_type}?url={url}&version={VERSION}"))
    assert found(bundle) == [(resource_id, VERSION)]
    assert bundle["link"][0]["relation"] == "self"


def test_a_search_of_a_type_with_none_served_is_an_empty_bundle(client: FlaskClient) -> None:
    bundle = searchset(get(client, "/ValueSet?url=https://example.org/none"))
    assert bundle["total"] == 0 and "entry" not in bundle


def test_the_questionnaire_address_without_parameters_still_answers_the_questionnaire(
    client: FlaskClient,
) -> None:
    assert body(get(client, "/Questionnaire")) == body(get(client, "/Questionnaire/spine-triage"))


def test_an_unknown_search_parameter_is_refused_unless_handling_is_lenient(client: FlaskClient) -> None:
    refused = outcome(get(client, "/CodeSystem?name=SpineTriageLevel"), 400)
    assert "name" in refused["issue"][0]["diagnostics"]
    outcome(get(client, "/Questionnaire?url:below=https://fhir.spine-triage.example"), 400)
    outcome(get(client, "/Questionnaire?_id=spine-triage"), 400)  # not read: read by id instead
    lenient = searchset(get(client, f"/CodeSystem?name=x&url={LEVELS_URL}", Prefer="handling=lenient"))
    assert found(lenient) == [("spine-triage-level", VERSION)]
    assert "name=" not in lenient["link"][0]["url"]


# --- earlier Questionnaires ---------------------------------------------------------------------------


@pytest.fixture
def earlier_rules(tmp_path: Path) -> Path:
    """Today's rules as an earlier version, with the first question worded otherwise."""
    folder = tmp_path / "rules-earlier"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    ruleset = folder / "ruleset.yaml"
    ruleset.write_text(
        ruleset.read_text(encoding="utf-8").replace(f'version: "{VERSION}"', f'version: "{EARLIER}"'),
        encoding="utf-8",
    )
    questions = folder / "questions.yaml"
    old = "Do you have new or worsening weakness in your legs or arms, or do your legs give way?"
    text = questions.read_text(encoding="utf-8")
    assert old in text
    questions.write_text(text.replace(old, EARLIER_LABEL), encoding="utf-8")
    return folder


def saved_under(app: Flask) -> str:
    """Save an assessment with the app's own rules, as its pages do; its reference."""
    with app.app_context():
        return repository.save_assessment(rules.current.assess(ANSWERS), Channel.ONLINE, "en")


def labels(items: list[dict[str, Any]]) -> set[str]:
    """The texts of every item, at any depth."""
    found = {item["text"] for item in items if "text" in item}
    for item in items:
        found |= labels(item.get("item", []))
    return found


def test_the_questionnaire_a_saved_response_cites_stays_readable_after_the_rules_change(
    make_app: Callable[..., Flask], app: Flask, earlier_rules: Path
) -> None:
    database = app.config["SQLALCHEMY_DATABASE_URI"]  # the same database, as after a deployment
    before = make_app(database, RULES_DIR=str(earlier_rules))
    reference = saved_under(before)
    after = make_app(database).test_client()
    key = issue_key(app, "ehr", KeyScope.READ)
    record = after.get(f"{BASE}/assessments/{reference}", headers=bearer(key)).get_json(force=True)
    (response,) = [
        e["resource"] for e in record["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    url, version = response["questionnaire"].split("|")
    assert (url, version) == (QUESTIONNAIRE_URL, EARLIER)

    earlier = get(after, f"/Questionnaire/spine-triage/_history/{EARLIER}")
    assert earlier.status_code == 200
    cited = valid(body(earlier))
    assert (cited["url"], cited["version"], cited["meta"]["versionId"]) == (url, EARLIER, EARLIER)
    assert EARLIER_LABEL in labels(cited["item"])
    assert EARLIER_LABEL not in labels(body(get(after, "/Questionnaire/spine-triage"))["item"])
    for query in (f"url={url}&version={EARLIER}", f"url={url}|{EARLIER}", f"version={EARLIER}"):
        assert searchset(get(after, f"/Questionnaire?{query}"))["entry"][0]["resource"] == cited
    assert found(searchset(get(after, f"/Questionnaire?url={url}"))) == [("spine-triage", VERSION)]


def test_a_record_carried_on_under_other_rules_keeps_their_questionnaire(
    make_app: Callable[..., Flask], app: Flask, earlier_rules: Path
) -> None:
    reference = save(app, ANSWERS)  # under today's rules
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], RULES_DIR=str(earlier_rules))
    with other.app_context():
        repository.update_assessment(reference, rules.current.assess(ANSWERS))
    cited = get(app.test_client(), f"/Questionnaire/spine-triage/_history/{EARLIER}")
    assert cited.status_code == 200
    assert EARLIER_LABEL in labels(body(cited)["item"])


def test_a_version_no_record_was_saved_under_is_not_there(client: FlaskClient, app: Flask) -> None:
    save(app, ANSWERS)
    outcome(get(client, f"/Questionnaire/spine-triage/_history/{EARLIER}"), 404)
    assert searchset(get(client, f"/Questionnaire?version={EARLIER}"))["total"] == 0


# --- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/metadata", "/Questionnaire/spine-triage", "/CodeSystem"])
def test_a_wrong_method_is_a_405_operation_outcome_with_allow(
    client: FlaskClient, method: str, path: str
) -> None:
    response = getattr(client, method)(BASE + path, json={"resourceType": "Questionnaire"})
    outcome(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET"}
    assert method.upper() not in response.headers["Allow"]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/metadata", {"Accept": "application/fhir+xml"}),
        ("/Questionnaire/spine-triage", {"Accept": "application/xml, text/xml"}),
    ],
)
def test_xml_is_refused_with_406(client: FlaskClient, path: str, headers: dict[str, str]) -> None:
    outcome(get(client, path, **headers), 406)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Accept": FHIR_JSON}, {"Accept": "application/json"}, {"Accept": "text/html,*/*;q=0.8"}],
)
def test_json_is_served_to_whoever_accepts_it(client: FlaskClient, headers: dict[str, str]) -> None:
    assert get(client, "/metadata", **headers).status_code == 200


@pytest.fixture
def echo_app(make_app: Callable[..., Flask], database: Path | str) -> Flask:
    """An app with one more FHIR operation, as another part of the interface adds one: it reads the
    posted resource (triage.api.fhir.responses.resource_body) and is marked cross_origin."""
    from triage.api.fhir.responses import resource_body
    from triage.web.outcomes import fhir_response

    app = make_app(database)

    @cross_origin()
    def echo() -> Any:
        return fhir_response(resource_body())

    app.add_url_rule(f"{BASE}/Parameters/$echo", "echo", echo, methods=["POST"])
    return app


@pytest.mark.parametrize("sent", ['{"resourceType": "Parameters",', "[1, 2]", '"text"', '{"no": "type"}'])
def test_a_body_that_is_not_a_json_resource_is_a_400_operation_outcome(echo_app: Flask, sent: str) -> None:
    response = echo_app.test_client().post(f"{BASE}/Parameters/$echo", data=sent, content_type=FHIR_JSON)
    outcome(response, 400)


def test_a_body_too_large_is_a_413_operation_outcome(echo_app: Flask) -> None:
    sent = {"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": "y" * 20_000}]}
    outcome(echo_app.test_client().post(f"{BASE}/Parameters/$echo", json=sent), 413)


def test_a_json_resource_is_read_and_a_body_of_another_type_refused(echo_app: Flask) -> None:
    client = echo_app.test_client()
    sent = {"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": "y"}]}
    assert body(client.post(f"{BASE}/Parameters/$echo", json=sent)) == sent
    outcome(client.post(f"{BASE}/Parameters/$echo", data="a=b", content_type="text/plain"), 415)


# --- CORS -------------------------------------------------------------------------------------------

PUBLIC_PATHS = [
    "/metadata",
    "/Questionnaire",
    "/Questionnaire/spine-triage",
    f"/Questionnaire/spine-triage/_history/{VERSION}",
    f"/CodeSystem?url={LEVELS_URL}",
    "/CodeSystem/spine-triage-level",
    "/ConceptMap/spine-triage-level-to-infermedica",
]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_the_public_resources_may_be_read_from_any_origin(client: FlaskClient, path: str) -> None:
    response = get(client, path, Origin="https://portal.example")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("path", PUBLIC_PATHS[:3])
def test_a_preflight_for_a_public_resource_is_answered(client: FlaskClient, path: str) -> None:
    response = client.options(
        BASE + path.split("?")[0],
        headers={
            "Origin": "https://portal.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept-language, if-none-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"accept-language", "if-none-match"} <= allowed


def test_an_operation_marked_cross_origin_takes_a_preflight_for_a_post_with_a_key(echo_app: Flask) -> None:
    client = echo_app.test_client()
    preflight = client.options(
        f"{BASE}/Parameters/$echo",
        headers={
            "Origin": "https://portal.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    posted = client.post(f"{BASE}/Parameters/$echo", json={"resourceType": "Parameters"})
    assert posted.headers["Access-Control-Allow-Origin"] == "*"
    assert posted.headers["Cache-Control"] == "no-store"  # not marked cacheable: never stored
    assert "ETag" not in posted.headers


def test_records_are_never_readable_from_another_origin(app: Flask, client: FlaskClient) -> None:
    reference = save(app, ANSWERS)
    key = issue_key(app, "ehr", KeyScope.READ)
    read = client.get(
        f"{BASE}/assessments/{reference}", headers={**bearer(key), "Origin": "https://portal.example"}
    )
    assert read.status_code == 200
    preflight = client.options(
        f"{BASE}/assessments/{reference}",
        headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "GET"},
    )
    for response in (read, preflight):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert read.headers["Cache-Control"] == "no-store"
    for path in ("/api/v1/questions", "/api/v1/openapi.json"):
        assert "Access-Control-Allow-Origin" not in client.get(path).headers


# --- caching ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_public_resource_has_an_etag_and_a_client_holding_it_gets_304(
    client: FlaskClient, path: str
) -> None:
    first = get(client, path)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    vary = {v.strip() for v in first.headers["Vary"].split(",")}
    assert {"Accept", "Accept-Language"} <= vary
    again = get(client, path, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert get(client, path, **{"If-None-Match": '"something-else"'}).status_code == 200


def test_the_etag_follows_the_content(client: FlaskClient) -> None:
    tags = {get(client, path).headers["ETag"] for path in PUBLIC_PATHS[2:]}
    assert len(tags) == len(PUBLIC_PATHS[2:]) - 1  # read and vread of the same version: the same bytes
    assert (
        get(client, "/Questionnaire/spine-triage").headers["ETag"]
        == get(client, "/Questionnaire").headers["ETag"]
    )


@pytest.mark.parametrize("path", ["/Questionnaire/nothing", "/CodeSystem?name=x", "/no/such/path/here"])
def test_an_error_is_never_stored(client: FlaskClient, path: str) -> None:
    response = get(client, path)
    assert response.status_code >= 400
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
