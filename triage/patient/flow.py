"""The questionnaire's pages and routing, derived from the contract (no web code).

A page is a section's questions that are asked under the same condition: "Your pain" asks
whether there is pain; "Your pain (details)" only when there is. The emergency screen is the
first page, so its answers can end the questionnaire early.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.engine import RuleSet
from triage.engine.conditions import Condition
from triage.engine.contract import Contract, Question, Section


@dataclass(frozen=True)
class Page:
    """One question page."""

    id: str
    section: Section
    step: int  # the section's place, counting from 1
    questions: tuple[Question, ...]
    asked_when: Condition | None = field(default=None, compare=False)

    @property
    def question_ids(self) -> tuple[str, ...]:
        """The ids of the questions on this page."""
        return tuple(q.id for q in self.questions)

    def applies(self, facts: Mapping[str, Any]) -> bool:
        """Whether the page is asked, given the facts so far."""
        return self.asked_when is None or self.asked_when.evaluate(facts) is True


@dataclass(frozen=True)
class Questionnaire:
    """The pages in order, and where a person with some answers goes next."""

    rules: RuleSet
    pages: tuple[Page, ...]

    @classmethod
    def of(cls, rules: RuleSet) -> Questionnaire:
        """Group the contract's questions into pages."""
        return cls(rules, tuple(_pages(rules.contract)))

    @property
    def steps(self) -> int:
        """How many steps (sections) there are."""
        return len(self.rules.contract.sections)

    def page(self, page_id: str) -> Page | None:
        """The page with this id, if there is one."""
        return next((p for p in self.pages if p.id == page_id), None)

    def asked(self, answers: Mapping[str, Any]) -> list[Page]:
        """The pages asked for these answers, in order."""
        facts = self.rules.read(answers, partial=True).facts
        return [page for page in self.pages if page.applies(facts)]

    def next_page(self, answers: Mapping[str, Any]) -> Page | None:
        """The first page asked that still lacks a required answer; None when all are answered."""
        for page in self.asked(answers):
            if any(q.required and q.id not in answers for q in page.questions):
                return page
        return None

    def previous(self, page: Page, answers: Mapping[str, Any]) -> Page | None:
        """The page asked before this one, for the back link."""
        asked = self.asked(answers)
        earlier = [p for p in self.pages[: self.pages.index(page)] if p in asked]
        return earlier[-1] if earlier else None


def _pages(contract: Contract) -> list[Page]:
    pages = []
    for step, section in enumerate(contract.sections, start=1):
        questions = [contract[qid] for qid in section.question_ids]
        groups: dict[str, list[Question]] = {}
        conditions: dict[str, Condition | None] = {}
        for question in questions:
            key = repr(question.asked_when.as_data()) if question.asked_when else ""
            groups.setdefault(key, []).append(question)
            conditions[key] = question.asked_when
        for number, (key, grouped) in enumerate(groups.items()):
            page_id = section.id if number == 0 and not key else f"{section.id}-details"
            if number > 1:
                page_id += f"-{number}"
            pages.append(Page(page_id.replace("_", "-"), section, step, tuple(grouped), conditions[key]))
    return pages
