"""When a question is asked: its `asked_when` as FHIR `enableWhen`, or as FHIRPath where it cannot be.

How a condition maps (the engine's three-valued logic agrees with FHIR's on every case below: a
question that is not asked, or not answered, fails every positive test and passes every negated one):

1. Terms are replaced by their conditions, and every `not` is pushed down to a single test
   (De Morgan), so the condition is `all`/`any` of tests, possibly nested.
2. Each test becomes one or more `enableWhen` entries:
   - `equals {q: v}`: `q = v`; for a yes/no question true is `q = yes` or `q = unsure` (any),
     false is `q = no`;
   - `yes_or_unsure: q`: `q = yes`, `q = unsure` (any); a true/false question: `q = true`;
   - `in {q: [v, w]}`: `q = v`, `q = w` (any);
   - `contains {q: v}`: `q = v` (true when any answer of the list question is v);
   - `at_least {q: n}` / `at_most {q: n}`: `q >= n` / `q <= n`;
   - `not` of one of these: the opposite operators (`!=`, `<`, `>`) joined by all; a negated
     bound also passes when unanswered: `q < n` or `q exists false` (any).
3. The entries of every test are joined in one list, with `enableBehavior` `all` for an `all`
   condition and `any` for an `any` one (none for a single entry). This works while each test's
   own joining is the condition's, or the test has a single entry.
4. A condition that cannot be one such list (an `all` inside an `any`, or an `in` of two values
   under an `all`) keeps its full meaning as an SDC `enableWhenExpression` in FHIRPath
   (http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression), which
   form fillers that implement SDC (LHC-Forms, Smart Forms) evaluate; other readers show the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from triage.engine import RuleSet
from triage.engine.conditions import (
    All,
    AnyOf,
    AtLeast,
    AtMost,
    Atom,
    Condition,
    Contains,
    Equals,
    In,
    Not,
    Term,
    Yes,
)
from triage.engine.contract import UNSURE, Kind, Question

from .common import answer_code, answer_system, is_coded

ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)
_OPPOSITE = {"=": "!=", "!=": "=", ">=": "<", "<=": ">"}


@dataclass(frozen=True)
class Test:
    """One test of an answer, after `not` was pushed down to it."""

    atom: Atom
    negated: bool = False


@dataclass(frozen=True)
class Junction:
    """All or any of several parts, each a Test or a Junction."""

    every: bool  # True: all, False: any
    parts: tuple[Test | Junction, ...]


def normal_form(condition: Condition, negated: bool = False) -> Test | Junction:
    """The condition with terms expanded, `not` pushed down to tests, and like junctions merged."""
    if isinstance(condition, Term):
        return normal_form(condition.condition, negated)
    if isinstance(condition, Not):
        return normal_form(condition.part, not negated)
    if isinstance(condition, All | AnyOf):
        every = isinstance(condition, All) != negated
        parts: list[Test | Junction] = []
        for part in condition.parts:
            form = normal_form(part, negated)
            if isinstance(form, Junction) and form.every == every:
                parts.extend(form.parts)
            else:
                parts.append(form)
        return parts[0] if len(parts) == 1 else Junction(every, tuple(parts))
    if isinstance(condition, Atom):
        return Test(condition, negated)
    raise TypeError(f"not a condition: {condition!r}")


def enable_elements(ruleset: RuleSet, condition: Condition) -> dict[str, Any]:
    """The elements of a Questionnaire item that say when it is enabled (see the module's docstring)."""
    form = normal_form(condition)
    tests = form.parts if isinstance(form, Junction) else (form,)
    every = form.every if isinstance(form, Junction) else None
    entries: list[dict[str, Any]] = []
    for test in tests:
        if isinstance(test, Junction):
            return _as_expression(ruleset, form)
        joined_by_all, own = _entries(ruleset.contract[test.atom.field], test)
        if len(own) > 1:
            if every is None:
                every = joined_by_all
            elif every != joined_by_all:
                return _as_expression(ruleset, form)
        entries.extend(own)
    elements: dict[str, Any] = {"enableWhen": entries}
    if len(entries) > 1:
        elements["enableBehavior"] = "all" if every else "any"
    return elements


def _entries(question: Question, test: Test) -> tuple[bool, list[dict[str, Any]]]:
    """A test's enableWhen entries, and whether they are joined by all (else any)."""
    atom, link = test.atom, test.atom.field
    if isinstance(atom, AtLeast | AtMost):
        operator = ">=" if isinstance(atom, AtLeast) else "<="
        bound = {"question": link, "operator": operator, "answerInteger": atom.bound}
        if not test.negated:
            return True, [bound]
        unanswered = {"question": link, "operator": "exists", "answerBoolean": False}
        return False, [{**bound, "operator": _OPPOSITE[operator]}, unanswered]
    operator = "!=" if test.negated else "="
    entries = [
        {"question": link, "operator": operator, **answer_element(question, v)}
        for v in _values(question, atom)
    ]
    return test.negated, entries


def _values(question: Question, atom: Atom) -> list[Any]:
    """The answers, as given, for which a (positive) test holds."""
    if isinstance(atom, Yes):
        wanted: list[Any] = [True]
    elif isinstance(atom, Equals | Contains):
        wanted = [atom.value]
    elif isinstance(atom, In):
        wanted = list(atom.order)
    else:
        raise TypeError(f"no enableWhen for {atom!r}")
    if question.kind is Kind.YES_NO:  # a fact of true is the answer yes or "unsure"
        return [value for fact in wanted for value in ((True, UNSURE) if fact else (False,))]
    return wanted


def answer_element(question: Question, value: Any) -> dict[str, Any]:
    """The answer[x] of an enableWhen entry that tests for this answer value."""
    if is_coded(question):
        return {"answerCoding": {"system": answer_system(question), "code": answer_code(question, value)}}
    if question.kind is Kind.INTEGER:
        return {"answerInteger": value}
    return {"answerBoolean": value}


def _as_expression(ruleset: RuleSet, form: Test | Junction) -> dict[str, Any]:
    return {
        "extension": [
            {
                "url": ENABLE_WHEN_EXPRESSION,
                "valueExpression": {"language": "text/fhirpath", "expression": fhirpath(ruleset, form)},
            }
        ]
    }


def fhirpath(ruleset: RuleSet, form: Test | Junction) -> str:
    """The condition as a FHIRPath expression over the QuestionnaireResponse being filled in."""
    if isinstance(form, Junction):
        joined = (" and " if form.every else " or ").join(f"({fhirpath(ruleset, p)})" for p in form.parts)
        return joined
    question = ruleset.contract[form.atom.field]
    answers = f"%resource.repeat(item).where(linkId = '{question.id}').answer.value"
    atom = form.atom
    if isinstance(atom, AtLeast | AtMost):
        sign = ">=" if isinstance(atom, AtLeast) else "<="
        test = f"{answers}.where($this {sign} {atom.bound}).exists()"
    else:
        matches = " or ".join(_fhirpath_match(question, value) for value in _values(question, atom))
        test = f"{answers}.where({matches}).exists()"
    return f"{test}.not()" if form.negated else test


def _fhirpath_match(question: Question, value: Any) -> str:
    if is_coded(question):
        return f"code = '{answer_code(question, value)}'"
    return f"$this = {str(value).lower()}"
