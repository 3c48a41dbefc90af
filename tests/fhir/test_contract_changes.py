"""Issue 15: the Questionnaire is generated, never hand-written. Questions added to a copy of
rules/questions.yaml appear in it, with their type, answers, condition and Greek, with no code change;
and triage/fhir, like the engine, imports no web framework or database layer."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import Any

import yaml

from tests.engine.test_purity import imported_modules, is_framework
from tests.support.fhir import parse_r4b, schema_problems
from triage.engine import DEFAULT_RULES_DIR, load_rules
from triage.fhir import questionnaire

FHIR_PACKAGE = Path(__file__).resolve().parents[2] / "triage" / "fhir"
NIGHT_SWEATS = {
    "id": "night_sweats",
    "section": "general",
    "type": "yes_no",
    "asked_when": {"yes_or_unsure": "fever"},
    "wording": {
        "label": {"en": "Do you wake up soaked in sweat?", "el": "Ξυπνάτε μούσκεμα στον ιδρώτα;"},
        "summary": {"en": "Night sweats", "el": "Νυχτερινές εφιδρώσεις"},
    },
}
WALKING_AID = {
    "id": "walking_aid",
    "section": "about_you",
    "type": "choice",
    "values": ["none", "stick", "frame"],
    "required": False,
    "asked_when": {"all": [{"at_least": {"age": 65}}, {"equals": {"back_pain": True}}]},
    "wording": {
        "label": {"en": "Do you use a walking aid?", "el": "Χρησιμοποιείτε βοήθημα για το περπάτημα;"},
        "summary": {"en": "Walking aid", "el": "Βοήθημα βάδισης"},
        "options": {
            "none": {"en": "No", "el": "Όχι"},
            "stick": {"en": "A stick", "el": "Μπαστούνι"},
            "frame": {"en": "A frame", "el": "Περπατούρα"},
        },
    },
}


def with_questions(tmp_path: Path, *added: dict[str, Any]) -> Path:
    """A copy of rules/ whose questions.yaml also has these questions."""
    copy = Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))
    path = copy / "questions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["questions"].extend(added)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def items_of(resource: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {item["linkId"]: (group["linkId"], item) for group in resource["item"] for item in group["item"]}


def test_questions_added_to_the_contract_appear_in_the_questionnaire(tmp_path: Path) -> None:
    before = items_of(questionnaire(load_rules()))
    resource = questionnaire(load_rules(with_questions(tmp_path, NIGHT_SWEATS, WALKING_AID)))
    after = items_of(resource)
    assert set(after) - set(before) == {"night_sweats", "walking_aid"}
    group, sweats = after["night_sweats"]
    assert group == "section-general" and sweats["type"] == "choice" and sweats["required"] is True
    assert [o["valueCoding"]["code"] for o in sweats["answerOption"]] == ["yes", "no", "unsure"]
    assert sweats["enableBehavior"] == "any"
    assert [(e["question"], e["answerCoding"]["code"]) for e in sweats["enableWhen"]] == [
        ("fever", "yes"),
        ("fever", "unsure"),
    ]
    greek = sweats["_text"]["extension"][0]["extension"][1]["valueString"]
    assert greek == NIGHT_SWEATS["wording"]["label"]["el"]
    group, aid = after["walking_aid"]
    assert group == "section-about_you" and aid["required"] is False
    assert [o["valueCoding"]["code"] for o in aid["answerOption"]] == WALKING_AID["values"]
    assert aid["enableBehavior"] == "all"
    assert {(e["question"], e["operator"]) for e in aid["enableWhen"]} == {("age", ">="), ("back_pain", "=")}
    assert schema_problems(resource) == []
    parse_r4b(resource)


def test_the_fhir_package_imports_no_web_framework_or_database() -> None:
    modules = sorted(FHIR_PACKAGE.glob("*.py"))
    assert modules
    for path in modules:
        imported = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        assert [name for name in imported if is_framework(name)] == [], path.name
        from_the_app = {name for name in imported if name.startswith("triage.")}
        assert from_the_app <= {
            "triage.engine",
            "triage.engine.conditions",
            "triage.engine.contract",
            "triage.questionnaire",  # the pages and routing: pure Python too
            "triage.storage.codes",
        }, path.name
