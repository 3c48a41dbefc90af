"""FHIR R4 for other systems: the Questionnaire made from the answers contract (with the urgent advice
of spec v3 §5a, in English or Greek), the code systems and value sets of its coded answers, the
levels, the rules and the call-back times, a ConceptMap from the levels to Infermedica's triage
levels, an assessment as a Bundle (saved, or just made from a QuestionnaireResponse by SDC
`$extract`), a QuestionnaireResponse read back into answers, and SDC `$next-question` (adaptive.py).

Pure Python like the engine (no Flask, no database): it takes the loaded RuleSet and a stored
record as plain data and gives JSON-ready dicts; the API and the command line serve them.
"""

from __future__ import annotations

from .adaptive import next_question
from .bundle import StoredAssessment, StoredCallback, assessment_bundle
from .catalog import resource, resources
from .common import FHIR_JSON, LEVELS_ID, LEVELS_TO_INFERMEDICA_ID, SERVED_LANGUAGES, Values
from .extract import extract_bundle
from .questionnaire import questionnaire
from .response import ItemProblem, NotAResponse, ResponseInvalid, answers_from_response
from .terminology import levels_code_system, levels_to_infermedica, rule_coding, rules_code_system

__all__ = [
    "FHIR_JSON",
    "LEVELS_ID",
    "LEVELS_TO_INFERMEDICA_ID",
    "SERVED_LANGUAGES",
    "ItemProblem",
    "NotAResponse",
    "ResponseInvalid",
    "StoredAssessment",
    "StoredCallback",
    "Values",
    "answers_from_response",
    "assessment_bundle",
    "extract_bundle",
    "levels_code_system",
    "levels_to_infermedica",
    "next_question",
    "questionnaire",
    "resource",
    "resources",
    "rule_coding",
    "rules_code_system",
]
