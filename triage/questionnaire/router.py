"""The questionnaire's pages and routing, derived from the contract; no web code.

A page is a section's questions that are asked under the same condition: "Your pain" asks
whether there is pain; "More about your pain" asks the rest only when there is. The emergency screen is the
first page, so its answers can end the questionnaire early. Every channel runs these pages and
this routing; a voice (variants.py) only decides the wording and how many pages one screen shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from triage.engine import AnswersInvalid, Level, RuleSet, Text
from triage.engine.conditions import Condition
from triage.engine.contract import Contract, Question, Section

#: At most this many answer sets have their pages kept (a few hundred bytes each).
_KEPT = 4096


@dataclass(frozen=True)
class Page:
    """One page of questions asked together, under one condition."""

    id: str
    section: Section
    step: int  # the section's place, counting from 1
    questions: tuple[Question, ...]
    asked_when: Condition | None = field(default=None, compare=False)

    @property
    def title(self) -> Text:
        """The page's title: its section's, or for a page asked under a condition the section's
        `details_title` (where the section has one)."""
        if self.asked_when is not None and self.section.details_title is not None:
            return self.section.details_title
        return self.section.title

    @property
    def question_ids(self) -> tuple[str, ...]:
        """The ids of the questions on this page."""
        return tuple(q.id for q in self.questions)

    def applies(self, facts: Mapping[str, Any]) -> bool:
        """Whether the page is asked, given the facts so far (unknown counts as not yet)."""
        return self.asked_when is None or self.asked_when.evaluate(facts) is True


@dataclass(frozen=True)
class Route:
    """Where a person goes once a screen is saved: the early exit, a page, or the end (None)."""

    early_exit: bool = False
    page: Page | None = None


@dataclass(frozen=True)
class Submission:
    """What a posted screen gives: the answers accepted, one message per problem, and the early exit."""

    answers: dict[str, Any]
    errors: dict[str, str]
    early_exit: bool
    question_ids: tuple[str, ...]  # every question of the screen: their old answers are replaced


@dataclass(frozen=True)
class Questionnaire:
    """The pages in order, and where a person with some answers goes next."""

    rules: RuleSet
    pages: tuple[Page, ...]
    #: The pages asked, by answer set: a request asks for them a few times over, and each time the
    #: answers would be read (and validated) again. Bounded: cleared when it grows past _KEPT.
    _asked: dict[tuple[tuple[str, Any], ...], tuple[Page, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, rules: RuleSet) -> Questionnaire:
        """Group the contract's questions into pages."""
        return cls(rules, tuple(_pages(rules.contract)))

    @property
    def steps(self) -> int:
        """How many steps (sections) there are."""
        return len(self.rules.contract.sections)

    @property
    def emergency_screen(self) -> Page:
        """The warning-sign page, always asked first."""
        return self.pages[0]

    def page(self, page_id: str) -> Page | None:
        """The page with this id, if there is one."""
        return next((p for p in self.pages if p.id == page_id), None)

    def asked(self, answers: Mapping[str, Any]) -> list[Page]:
        """The pages asked for these (valid) answers, in order."""
        key = tuple(sorted((qid, tuple(v) if isinstance(v, list) else v) for qid, v in answers.items()))
        try:
            found = self._asked.get(key)
        except TypeError:  # a value that cannot be a key (never a valid answer): not kept
            key, found = (), None
        if found is None:
            facts = self.rules.read(answers, partial=True).facts
            found = tuple(page for page in self.pages if page.applies(facts))
            if key:
                if len(self._asked) >= _KEPT:
                    self._asked.clear()
                self._asked[key] = found
        return list(found)

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

    def following(self, page: Page) -> tuple[Page, ...]:
        """This page and every page after it, in order."""
        return self.pages[self.pages.index(page) :]

    def needs_emergency_now(self, answers: Mapping[str, Any], advised: Level | None = None) -> bool:
        """Whether the answers so far already need emergency care, however the rest is answered.

        `advised`: the level of emergency advice already given; only a more urgent one is news.
        """
        level = self.rules.assess_partial(answers).level
        return level >= Level.EMERGENCY and (advised is None or level > advised)

    def problems(
        self,
        page: Page,
        answers: Mapping[str, Any],
        lang: str,
        voice: str | None = None,
        practice: Mapping[str, object] | None = None,
    ) -> dict[str, str]:
        """The engine's messages for this page's questions (other pages were checked when sent), in
        the words of `voice` (the person answering's by default; "phone": the receptionist's), filled
        with the practice's details (`practice`, as AnswersInvalid.messages takes them)."""
        try:
            self.rules.read(answers, partial=True, require=page.question_ids)
        except AnswersInvalid as exc:
            return {k: v for k, v in exc.messages(lang, voice, practice).items() if k in page.question_ids}
        return {}

    def submit(
        self,
        screen: Sequence[Page],
        given: Mapping[str, Any],
        posted: Mapping[str, Any],
        lang: str,
        advised: Level | None = None,
        voice: str | None = None,
        practice: Mapping[str, object] | None = None,
    ) -> Submission:
        """Check a screen of pages: each page that applies, given what comes before it, is checked.
        Messages are in `lang`, filled with the practice's details (`practice`).

        A page whose condition depends on an answer on the same screen (pain details after "pain
        now?") is checked only when that answer makes it apply; otherwise what was typed is dropped.
        """
        screen_ids = tuple(qid for page in screen for qid in page.question_ids)
        accepted = {k: v for k, v in given.items() if k not in screen_ids}
        errors: dict[str, str] = {}
        for page in screen:
            if not page.applies(self.rules.read(accepted, partial=True).facts):
                continue
            typed = {qid: posted[qid] for qid in page.question_ids if qid in posted}
            page_errors = self.problems(page, {**accepted, **typed}, lang, voice, practice)
            errors |= page_errors
            accepted |= {k: v for k, v in typed.items() if k not in page_errors}
        early = self.emergency_screen in screen and self.needs_emergency_now(accepted, advised)
        answers = {k: v for k, v in accepted.items() if k in screen_ids}
        return Submission(answers, errors, early, screen_ids)

    def after(
        self, screen: Sequence[Page], answers: Mapping[str, Any], advised: Level | None = None
    ) -> Route:
        """Where to go once a screen is saved: the emergency advice first, whatever else is left."""
        if self.emergency_screen in screen and self.needs_emergency_now(answers, advised):
            return Route(early_exit=True)
        return Route(page=self.next_page(answers))


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
