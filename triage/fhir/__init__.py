"""FHIR R4 for other systems: the Questionnaire made from the answers contract, the levels as a
CodeSystem with a ConceptMap to Infermedica's triage levels, and a saved assessment as a Bundle.

Pure Python like the engine (no Flask, no database): it takes the loaded RuleSet and a stored
record as plain data and gives JSON-ready dicts; the API and the command line serve them.
"""

from __future__ import annotations

from .bundle import StoredAssessment, StoredCallback, assessment_bundle
from .common import FHIR_JSON, LEVELS_ID, LEVELS_TO_INFERMEDICA_ID
from .questionnaire import questionnaire
from .terminology import levels_code_system, levels_to_infermedica

__all__ = [
    "FHIR_JSON",
    "LEVELS_ID",
    "LEVELS_TO_INFERMEDICA_ID",
    "StoredAssessment",
    "StoredCallback",
    "assessment_bundle",
    "levels_code_system",
    "levels_to_infermedica",
    "questionnaire",
]
