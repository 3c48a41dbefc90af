"""Checking FHIR resources offline: the official FHIR R4 JSON Schema (vendored in tests/fhir/schema/),
the R4 models of fhirclient (SMART on FHIR's Python client), the R4B models of fhir.resources, and a
QuestionnaireResponse against its Questionnaire by FHIR's own rules.

The response check is written from the FHIR R4 specification of Questionnaire (enableWhen,
enableBehavior, required, repeats, answerOption, minValue/maxValue), not from triage/fhir: it reads
only the two resources.
"""

from __future__ import annotations

import functools
import gzip
import importlib
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fhirclient.models.fhirelementfactory import FHIRElementFactory
from jsonschema import validators
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator

from triage.engine import Outcome

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "fhir" / "schema"
SCHEMA_FILE = SCHEMA_DIR / "fhir.schema.json.gz"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
#: Each Questionnaire item type and the answer value[x] it takes.
VALUE_OF_TYPE = {"boolean": "valueBoolean", "integer": "valueInteger", "choice": "valueCoding"}


@functools.cache
def schema() -> dict[str, Any]:
    """The FHIR R4 JSON Schema (fhir.schema.json), read once."""
    loaded: dict[str, Any] = json.loads(gzip.decompress(SCHEMA_FILE.read_bytes()))
    return loaded


@functools.cache
def schema_validator() -> Validator:
    """A validator of the FHIR R4 JSON Schema (draft 6, as the file says), made once."""
    document = schema()
    return validators.validator_for(document)(document)


def schema_problems(resource: Mapping[str, Any]) -> list[str]:
    """What the FHIR R4 JSON Schema finds wrong with a resource: the most relevant error of each."""
    validator = schema_validator()
    errors = list(validator.iter_errors(resource))
    if not errors:
        return []
    best = best_match(errors)
    return [f"{'/'.join(map(str, best.absolute_path))}: {best.message[:300]}"]


def parse_r4b(resource: Mapping[str, Any]) -> Any:
    """The resource parsed by its fhir.resources R4B model (raises pydantic's ValidationError)."""
    name = str(resource["resourceType"])
    module = importlib.import_module(f"fhir.resources.R4B.{name.lower()}")
    return getattr(module, name).model_validate(dict(resource))


def parse_r4(resource: Mapping[str, Any]) -> Any:
    """The resource parsed strictly by its fhirclient R4 model, a Bundle's entries by theirs (raises
    fhirclient's FHIRValidationError for a wrong type, a missing required element or an unknown one)."""
    return FHIRElementFactory.instantiate(str(resource["resourceType"]), dict(resource))


# --- a QuestionnaireResponse against its Questionnaire ------------------------------------------


def _items(
    items: list[dict[str, Any]], parent: str | None = None
) -> Iterator[tuple[dict[str, Any], str | None]]:
    for item in items:
        yield item, parent
        yield from _items(item.get("item", []), item["linkId"])


def response_problems(questionnaire: Mapping[str, Any], response: Mapping[str, Any]) -> list[str]:
    """Everything in the response its Questionnaire does not allow, as 'linkId: what'.

    - the response names the Questionnaire (url|version) and every linkId exists, under the same parent;
    - answers are of the item's type, at most one unless it repeats, codes among its answer options,
      numbers within minValue/maxValue;
    - an item that is not enabled (enableWhen and enableBehavior, or its parent not enabled) has no
      answer; a required item that is enabled has one.
    """
    found: list[str] = []
    expected = f"{questionnaire['url']}|{questionnaire['version']}"
    if response.get("questionnaire") != expected:
        found.append(f"questionnaire: {response.get('questionnaire')!r} is not {expected!r}")
    defined = {item["linkId"]: (item, parent) for item, parent in _items(questionnaire["item"])}
    given = {item["linkId"]: (item, parent) for item, parent in _items(response.get("item", []))}
    answers = {link: item.get("answer", []) for link, (item, _) in given.items()}
    for link, (_item, parent) in given.items():
        if link not in defined:
            found.append(f"{link}: no such item in the Questionnaire")
            continue
        if defined[link][1] != parent:
            found.append(f"{link}: under {parent!r}, not {defined[link][1]!r}")
        found += [f"{link}: {problem}" for problem in _answer_problems(defined[link][0], answers[link])]
    for link, (item, _) in defined.items():
        enabled = _enabled(link, defined, answers)
        if not enabled and answers.get(link):
            found.append(f"{link}: answered, but not enabled")
        if enabled and item.get("required") and item["type"] != "group" and not answers.get(link):
            found.append(f"{link}: required and enabled, but not answered")
    return found


def is_enabled(questionnaire: Mapping[str, Any], response: Mapping[str, Any], link: str) -> bool:
    """Whether the item `link` of the Questionnaire is enabled by the response's answers."""
    defined = {item["linkId"]: (item, parent) for item, parent in _items(questionnaire["item"])}
    answers = {item["linkId"]: item.get("answer", []) for item, _ in _items(response.get("item", []))}
    return _enabled(link, defined, answers)


def _answer_problems(item: Mapping[str, Any], answers: list[dict[str, Any]]) -> list[str]:
    problems = []
    if len(answers) > 1 and not item.get("repeats"):
        problems.append(f"{len(answers)} answers, and it does not repeat")
    wanted = VALUE_OF_TYPE.get(item["type"])
    if wanted is None and answers:
        problems.append(f"an item of type {item['type']} takes no answer")
        return problems
    options = [option["valueCoding"] for option in item.get("answerOption", [])]
    bounds = {ext["url"]: ext["valueInteger"] for ext in item.get("extension", []) if "valueInteger" in ext}
    for answer in answers:
        if set(answer) - {"item"} != {wanted}:
            problems.append(f"answer {answer} is not a {wanted}")
        elif wanted == "valueCoding" and not any(_same_coding(answer[wanted], o) for o in options):
            problems.append(f"code {answer[wanted].get('code')!r} is not an answer option")
        elif wanted == "valueInteger" and not (
            bounds.get(MIN_VALUE, answer[wanted]) <= answer[wanted] <= bounds.get(MAX_VALUE, answer[wanted])
        ):
            problems.append(f"{answer[wanted]} is outside minValue/maxValue")
    return problems


def _same_coding(one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    return one.get("system") == other.get("system") and one.get("code") == other.get("code")


def _enabled(
    link: str, defined: Mapping[str, tuple[dict[str, Any], str | None]], answers: Mapping[str, list[Any]]
) -> bool:
    """Whether an item is enabled (R4): its parent is, and its enableWhen holds by its enableBehavior.

    The answers of an item that is not enabled do not count (FHIR removes them).
    """
    item, parent = defined[link]
    if parent is not None and not _enabled(parent, defined, answers):
        return False
    conditions = item.get("enableWhen", [])
    if not conditions:
        return True
    results = []
    for condition in conditions:
        asked = condition["question"]
        given = answers.get(asked, []) if asked in defined and _enabled(asked, defined, answers) else []
        results.append(_holds(condition, [_value(answer) for answer in given]))
    return all(results) if item.get("enableBehavior") == "all" else any(results)


def _value(answer: Mapping[str, Any]) -> Any:
    ((_name, value),) = [(k, v) for k, v in answer.items() if k.startswith("value")]
    return value


def _holds(condition: Mapping[str, Any], values: list[Any]) -> bool:
    """One enableWhen entry over the answers given to its question (R4 operator semantics)."""
    ((name, wanted),) = [(k, v) for k, v in condition.items() if k.startswith("answer")]
    operator = condition["operator"]
    if operator == "exists":
        return bool(values) == wanted
    if name == "answerCoding":
        equal = [_same_coding(value, wanted) for value in values]
    else:
        equal = [value == wanted for value in values]
    if operator == "=":
        return any(equal)
    if operator == "!=":
        return not any(equal)
    compare = {
        ">": lambda v: v > wanted,
        "<": lambda v: v < wanted,
        ">=": lambda v: v >= wanted,
        "<=": lambda v: v <= wanted,
    }
    return any(compare[operator](value) for value in values)


def practice_details_of(app: Any) -> Callable[[str], Mapping[str, object]]:
    """The app's practice details by language, as its FHIR endpoints fill the urgent advice with them."""
    from triage.web.templating import practice_details

    with app.app_context():
        details = {lang: practice_details(lang) for lang in ("en", "el")}
    return lambda lang: details[lang]


def element_at(resource: Mapping[str, Any], expression: str) -> Any:
    """The element a simple FHIRPath names, as an OperationOutcome's `expression` gives one:
    "QuestionnaireResponse.item[2].item[0]" (the resource type, then names with optional indexes)."""
    resource_type, *steps = expression.split(".")
    assert resource_type == resource["resourceType"], expression
    found: Any = resource
    for step in steps:
        name, _, index = step.partition("[")
        found = found[name]
        if index:
            found = found[int(index.rstrip("]"))]
    return found


#: When the records made by stored_assessment were saved.
SAVED_AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def stored_callback(time_window: str, *, name: str = "E", consent: bool = True) -> SimpleNamespace:
    """A call-back request as storage keeps it (triage.fhir's StoredCallback), with or without consent."""
    return SimpleNamespace(
        created_at=SAVED_AT,
        name=name,
        phone="+306912345678",
        time_window=time_window,
        consent_at=SAVED_AT if consent else None,
    )


def stored_assessment(outcome: Outcome, *callbacks: SimpleNamespace) -> SimpleNamespace:
    """A saved assessment of this outcome as storage keeps it (triage.fhir's StoredAssessment)."""
    return SimpleNamespace(
        reference="K7QX-3M9P",
        created_at=SAVED_AT,
        updated_at=None,
        level=outcome.level.value,
        status="new",
        fired_rules=[r.id for r in outcome.fired_rules],
        rules_version=outcome.rules_version.version,
        rules_hash=outcome.rules_version.content_hash,
        answers=outcome.answers.as_dict(),
        partial=False,
        callbacks=list(callbacks),
        override_level=None,
        override_reason=None,
        override_by=None,
        override_at=None,
    )
