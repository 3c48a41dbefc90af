"""One questionnaire runner for every channel: pages, routing, the early exit, and form fields.

router.py holds the pages and where answers lead (no web code); variants.py the voices (patient,
phone) that word the same questions; fields.py the forms that carry answers to and from pages.
"""

from triage.questionnaire.router import Page, Questionnaire, Route, Submission
from triage.questionnaire.variants import Voice, Wording

__all__ = ["Page", "Questionnaire", "Route", "Submission", "Voice", "Wording"]
