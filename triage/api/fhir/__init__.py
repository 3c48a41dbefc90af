"""FHIR R4 under /api/v1/fhir/, in application/fhir+json; errors are OperationOutcomes.

- responses.py: the format (JSON only: 406 otherwise), caching of public resources (OperationOutcomes:
  triage/web/outcomes.py)
- capability.py: `metadata`, the CapabilityStatement
- conformance.py: read, vread and search of the public resources of triage/fhir/catalog.py
- records.py: a saved assessment as a Bundle (an API key or a staff session)

A route other software calls from a web page is marked with triage.web.headers.cross_origin.
"""

from triage.api.fhir import capability, conformance, records, responses
from triage.web.outcomes import fhir_response, operation_outcome

__all__ = ["capability", "conformance", "fhir_response", "operation_outcome", "records", "responses"]
