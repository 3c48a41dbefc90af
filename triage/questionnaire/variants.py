"""Voices: the same questions worded for the person answering, or for a receptionist asking them.

Like the ONS eQ runner's variants, a voice changes only wording and layout, never routing: the
patient sees one page at a time in the second person; the receptionist sees the warning signs
on a screen of their own (they can end the call early), then every other page on one screen,
each question in its `phone:` wording from rules/questions.yaml, or the patient's wording after
"Ask:" where it has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from triage.engine import Text
from triage.engine.contract import Question
from triage.questionnaire.router import Page, Questionnaire


class Voice(StrEnum):
    """Who the questions are worded for."""

    PATIENT = "patient"
    PHONE = "phone"

    @property
    def together(self) -> bool:
        """Whether the pages after the warning signs share one screen (a live call needs speed)."""
        return self is Voice.PHONE

    def screen(self, flow: Questionnaire, page: Page, *, advised: bool = False) -> tuple[Page, ...]:
        """The pages shown together, starting at `page`.

        The warning signs share a screen of their own, so that their answers can end the
        questionnaire early, unless that advice was given already (then any left unanswered lead
        the next screen).
        """
        if not self.together:
            return (page,)
        if page in flow.warning_signs and not advised:
            return tuple(p for p in flow.following(page) if p in flow.warning_signs)
        return flow.following(page)

    def wording(self, question: Question) -> Wording:
        """The question as this voice asks it."""
        own = question.variants.get(self.value) if self is not Voice.PATIENT else None
        if own is not None:
            return Wording(own["label"], own.get("hint"), prompted=False)
        return Wording(question.wording["label"], question.wording.get("hint"), prompted=self is Voice.PHONE)


@dataclass(frozen=True)
class Wording:
    """A question's label and hint in one voice; `prompted`: shown after "Ask:"."""

    label: Text
    hint: Text | None
    prompted: bool


def screen_questions(screen: Sequence[Page]) -> list[Question]:
    """Every question of a screen, in order."""
    return [question for page in screen for question in page.questions]
