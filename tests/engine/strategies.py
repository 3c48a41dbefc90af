"""Hypothesis strategies for valid answer sets over the whole domain, built from the answers contract.

Every value comes from `rules.contract` (kinds, values, limits, min_items, required, asked_when,
concern_order), so the strategies follow the contract rather than a copy of it:

- `answer_values(question)`: any valid answer to one question ("unsure" included for yes_no).
- `complete_answers(contract)`: a complete answer set. Conditional questions are answered only when
  they apply, optional ones are sometimes left out. Some sets are "quiet" (every answer with an
  order of concern at its least concerning value but for a few) or "calm" (nothing of concern on
  the emergency screen), so that the low levels (information, soon, urgent) are as well covered
  as the emergencies.
- `answers_with_ignored(contract)`: a complete answer set plus valid answers to questions that do
  not apply, which the engine must ignore.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from triage.engine.contract import Contract, Question


def answer_values(question: Question) -> st.SearchStrategy[Any]:
    """Any valid answer to `question`, from the contract."""
    kind = question.kind
    if kind == "integer":
        return st.integers(question.minimum, question.maximum)
    if kind in ("boolean", "yes_no"):  # no first, so that failing examples shrink towards no
        return st.sampled_from(sorted(kind.fixed_values, key=lambda value: value is not False))
    if kind == "choice":
        return st.sampled_from(question.values)
    if kind == "multi_choice":
        return st.lists(
            st.sampled_from(question.values),
            unique=True,
            min_size=question.min_items,
            max_size=len(question.values),
        )
    raise AssertionError(f"unknown question kind {kind!r} for {question.id}")


def least_concerning(question: Question) -> Any | None:
    """The least concerning answer of a question with an order of concern (None for the others).

    yes_no questions are ordered no < yes/unsure; integers ordered "ascending" are left out, so that
    the quiet answer sets still spread over the whole range of, say, pain severity.
    """
    if question.kind == "yes_no":
        return False
    if question.kind == "choice" and question.concern_order:
        return question.concern_order[0]
    return None


def _applies(question: Question, facts: Mapping[str, Any]) -> bool:
    return question.asked_when is None or question.asked_when.evaluate(facts) is True


#: How an answer set is drawn: anything at all; quiet (only a few answers raised above their least
#: concerning value); calm (nothing of concern on the emergency screen, few other answers raised).
#: Quiet and calm sets cover the information, soon and urgent levels, which uniform answers rarely reach.
MODES = ("quiet", "calm", "uniform")  # simplest first: failing examples shrink towards quiet


@st.composite
def _answer_sets(draw: st.DrawFn, contract: Contract) -> tuple[dict[str, Any], list[Question]]:
    """A complete valid answer set, and the questions that do not apply to it."""
    ordered = [q.id for q in contract.questions if least_concerning(q) is not None]
    mode = draw(st.sampled_from(MODES))
    if mode == "quiet":  # everything unconcerning but for a few answers
        raised = draw(st.sets(st.sampled_from(ordered), max_size=3))
    elif mode == "calm":  # no warning sign on the emergency screen, each other answer raised 1 time in 4
        screen = set(contract.emergency_screen.question_ids)
        one_in_four = st.sampled_from((False, False, False, True))
        raised = {q for q in ordered if q not in screen and draw(one_in_four)}
    else:
        raised = set(ordered)
    answers: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    not_applying: list[Question] = []
    for question in contract.questions:  # in order: asked_when only looks at earlier answers
        if not _applies(question, facts):
            not_applying.append(question)
            continue
        if not question.required and not draw(st.booleans()):
            continue
        if question.id in ordered and question.id not in raised:
            value = least_concerning(question)
        else:
            value = draw(answer_values(question))
        answers[question.id] = value
        facts[question.id] = question.fact(value)
    return answers, not_applying


def complete_answers(contract: Contract) -> st.SearchStrategy[dict[str, Any]]:
    """A complete, valid answer set over the whole domain."""
    return _answer_sets(contract).map(lambda pair: pair[0])


@st.composite
def answers_with_ignored(draw: st.DrawFn, contract: Contract) -> tuple[dict[str, Any], dict[str, Any]]:
    """A complete valid answer set, and a non-empty set of valid answers to questions that do not apply."""
    answers, not_applying = draw(_answer_sets(contract).filter(lambda pair: bool(pair[1])))
    chosen = draw(st.lists(st.sampled_from(not_applying), unique=True, min_size=1))
    ignored = {question.id: draw(answer_values(question)) for question in chosen}
    return answers, ignored


def fill_new_questions(draw: st.DrawFn, contract: Contract, answers: Mapping[str, Any]) -> dict[str, Any]:
    """`answers` with the questions that now apply but are unanswered filled in (optional ones sometimes).

    Used after a change (for example cancer never -> past) makes more questions apply.
    """
    filled = dict(answers)
    facts: dict[str, Any] = {}
    for question in contract.questions:
        if not _applies(question, facts):
            filled.pop(question.id, None)
            continue
        if question.id not in filled and (question.required or draw(st.booleans())):
            filled[question.id] = draw(answer_values(question))
        if question.id in filled:
            facts[question.id] = question.fact(filled[question.id])
    return filled
