"""SDC `$next-question`: the questionnaire as an adaptive form, run by the same runner as the patient
pages (triage/questionnaire: pages, routing, the early exit), so a portal needs no logic of its own.

The answer is the QuestionnaireResponse sent, its answers kept (those of questions that apply), with
a contained Questionnaire (SDC adaptive: `questionnaire` is `#adaptive`, `derivedFrom` the served
Questionnaire) holding the items asked so far: every page asked up to the next one to answer,
worded as the served Questionnaire words them.

- While a page is left, the status is `in-progress` and that page's items are the last ones.
- As soon as the answers so far need emergency care, however the rest is answered (the runner's
  early exit: a warning sign answered yes or "not sure"), the urgent advice comes first, before any
  question: a display item with the level (its `code`), the action and the emergency number. The
  person may carry on (spec §3a): the next page follows it, and the advice stays at the top of every
  later answer. The served Questionnaire's own groups that are no question (its urgent advice for
  forms without a server, spec §5a) are left out: the server's advice takes their place.
- Once every page asked is answered, the status is `completed`; the first item is the outcome (the
  level and the action) and the RiskAssessment (triage/fhir/risk.py) is contained, its `basis` the
  response. Nothing is saved: `$extract` assesses and saves a completed response.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from triage.engine import Outcome, RuleSet
from triage.questionnaire import Questionnaire

from .advice import advice_display
from .common import PRIMARY_LANGUAGE, Values
from .extract import JustAssessed
from .questionnaire import canonical, questionnaire, response_items
from .risk import risk_assessment
from .terminology import level_coding

ADAPTIVE_ID = "adaptive"
ASSESSMENT_ID = "assessment"
URGENT_ADVICE = "advice-now"  # not the Questionnaire's own "urgent-advice" group of §5a
OUTCOME = "outcome"
#: What a response sent to $next-question may keep of its own (its answers are read, not copied).
KEPT = ("id", "identifier", "basedOn", "partOf", "subject", "encounter", "author", "source", "language")
#: The subject of a RiskAssessment contained in a response: the person answering, not identified.
ANONYMOUS = {"display": "The person answering (not identified)"}


def next_question(
    ruleset: RuleSet,
    flow: Questionnaire,
    sent: Mapping[str, Any],
    answers: Mapping[str, Any],
    values: Values | None = None,
) -> dict[str, Any]:
    """The response `sent` with the next items to answer; `answers`: its answers, already read from it
    and valid so far (ruleset.read(answers, partial=True) raised no problem)."""
    given = ruleset.read(dict(answers), partial=True).answers.as_dict()
    following = flow.next_page(given)
    asked = flow.asked(given)
    answered_pages = [n for n, page in enumerate(asked) if set(page.question_ids) & given.keys()]
    last = max(asked.index(following) if following else len(asked) - 1, *answered_pages, 0)
    shown = [qid for page in asked[: last + 1] for qid in page.question_ids]
    first: list[dict[str, Any]] = []
    contained: list[dict[str, Any]] = []
    if following is None:
        outcome = ruleset.assess(given)
        first.append(_advice(OUTCOME, ruleset, outcome, values))
        contained.append(_risk(ruleset, outcome, values))
    elif flow.needs_emergency_now(given):
        first.append(_advice(URGENT_ADVICE, ruleset, ruleset.assess_partial(given), values))
    response: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    response.update((name, sent[name]) for name in KEPT if name in sent)
    response.update(
        {
            "contained": [_adaptive(ruleset, shown, first, values), *contained],
            "questionnaire": f"#{ADAPTIVE_ID}",
            "status": "in-progress" if following else "completed",
            "authored": datetime.now(UTC).isoformat(),
            "item": response_items(ruleset, given),
        }
    )
    return response


def _adaptive(
    ruleset: RuleSet, shown: Iterable[str], first: list[dict[str, Any]], values: Values | None
) -> dict[str, Any]:
    """The served Questionnaire with only the items asked so far, after the advice items `first`."""
    served = questionnaire(ruleset, values=values)
    keep = set(shown)
    groups = []
    for group in served["item"]:
        items = [item for item in group.get("item", []) if _kept(item, keep)]
        if any(item["linkId"] in keep for item in items):
            groups.append({**group, "item": items})
    adaptive = {
        "resourceType": "Questionnaire",
        "id": ADAPTIVE_ID,
        "derivedFrom": [canonical(ruleset)],
        "status": "active",
        "subjectType": served.get("subjectType", ["Patient"]),
        "item": [*first, *groups],
    }
    for name in ("language", "version", "title"):
        if name in served:
            adaptive[name] = served[name]
    return adaptive


def _kept(item: Mapping[str, Any], shown: set[str]) -> bool:
    """A question asked so far, or an item that is no question (a display item) whose enableWhen
    looks only at questions asked so far."""
    if item["linkId"] in shown:
        return True
    if item.get("type") != "display":
        return False
    return all(condition.get("question") in shown for condition in item.get("enableWhen", []))


def _advice(link: str, ruleset: RuleSet, outcome: Outcome, values: Values | None) -> dict[str, Any]:
    """The level's advice as the Questionnaire's urgent advice words it, with the level coded."""
    item = advice_display(ruleset, outcome.level, PRIMARY_LANGUAGE, values, link)
    return {**item, "code": [level_coding(ruleset, outcome.level)]}


def _risk(ruleset: RuleSet, outcome: Outcome, values: Values | None) -> dict[str, Any]:
    risk = risk_assessment(
        JustAssessed(outcome, None), ruleset, values, identifier=[], subject=ANONYMOUS, response="#"
    )
    return {"resourceType": risk.pop("resourceType"), "id": ASSESSMENT_ID, **risk}
