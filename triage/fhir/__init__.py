"""FHIR R4 for other systems: the Questionnaire made from the answers contract, the levels as a
CodeSystem with a ConceptMap to Infermedica's triage levels, an assessment as a Bundle (saved, or
just made from a QuestionnaireResponse by SDC `$extract`), and SDC `$next-question` (adaptive.py).

Pure Python like the engine (no Flask, no database): it takes the loaded RuleSet and a stored
record as plain data and gives JSON-ready dicts; the API and the command line serve them.
"""

from __future__ import annotations

from .adaptive import next_question
from .bundle import StoredAssessment, StoredCallback, assessment_bundle
from .common import FHIR_JSON, LEVELS_ID, LEVELS_TO_INFERMEDICA_ID
from .extract import extract_bundle
from .questionnaire import questionnaire
from .response import NotAResponse, answers_from_response
from .terminology import levels_code_system, levels_to_infermedica

__all__ = [
    "FHIR_JSON",
    "LEVELS_ID",
    "LEVELS_TO_INFERMEDICA_ID",
    "NotAResponse",
    "StoredAssessment",
    "StoredCallback",
    "answers_from_response",
    "assessment_bundle",
    "extract_bundle",
    "levels_code_system",
    "levels_to_infermedica",
    "next_question",
    "questionnaire",
]
