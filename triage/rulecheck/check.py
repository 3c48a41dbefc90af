"""`rules check`: prove or search the invariants of clinical spec §4 for every possible answer set.

The answer space has billions of sets, so each invariant is checked the cheapest sound way:

1. single level: by construction (an Outcome holds one Level, the most urgent fired rule's), and
   confirmed on every sampled answer set.
2. monotone: proved per rule from its structure. A rule whose every test of an ordered question is
   upward-closed in that question's concern order (downward-closed under an odd number of `not`s),
   and that tests the questions such a move makes applicable only positively, cannot stop firing
   when an answer moves up; if no rule can stop firing, the level cannot fall. Rules the proof does
   not cover are searched: every sampled answer set is moved up one question at a time.
3. floor: proved by three-valued evaluation. Each floor answer alone, everything else unanswered,
   must already reach its floor's level (a cauda sign emergency, being unable to stand ambulance):
   Kleene's logic makes that true for every completion.
4. no dead rule, every level reachable: witnessed by the search.

Beyond §4, what the person is shown (spec §3a) is checked in shown.py: guidance only at the
outcome's level, proved from the engine's structure and confirmed on every sampled outcome; and
reasons in the person's own terms, confirmed on every sampled outcome.

The search draws answer sets from a seeded generator that favours boundaries: for numbers, the
limits and both sides of every value a rule compares them with.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from triage.engine.conditions import (
    UNKNOWN,
    All,
    Condition,
    Equals,
    In,
    Term,
    Yes,
    fields_of,
    term_names,
)
from triage.engine.model import Level, Rule
from triage.engine.ruleset import RuleSet

from .report import CheckReport, Violation
from .sampling import AnswerSampler
from .shown import GUIDANCE, REASONS, GuidanceCheck, ReasonCheck

DEFAULT_SAMPLES = 200_000
DEFAULT_SEED = 20261124
#: How many sampled answer sets are moved up, question by question, when the proof covers every rule.
SPOT_CHECKS = 20_000
#: The invariants of clinical spec §4, in its order (the last two are its fourth), then §3a's.
INVARIANTS = ("single level", "monotone", "floor", "no dead rule", "every level reachable", GUIDANCE, REASONS)
#: The search stops once this many violations are found: the rule set is broken either way.
MAX_VIOLATIONS = 20


def check_rules(rules: RuleSet, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> CheckReport:
    """Check every invariant of the rule set; see the module docstring for how."""
    started = time.perf_counter()
    report = CheckReport()
    to_search = _prove_monotone(rules, report)
    _prove_floor(rules, report)
    _check_terms_used(rules, report)
    guidance, reasons = GuidanceCheck(rules, report.violations), ReasonCheck(rules, report.violations)
    report.method[GUIDANCE] = guidance.prove()
    report.method[REASONS] = reasons.prove()
    sampler = AnswerSampler(rules, seed)
    _search(rules, sampler, samples, to_search, report, (guidance, reasons))
    if not report.stopped_early:
        report.method[GUIDANCE] += guidance.lines()
        report.method[REASONS] += reasons.lines()
    report.method = {name: report.method[name] for name in INVARIANTS if name in report.method}
    report.seconds = time.perf_counter() - started
    return report


# --- 2. monotonicity, structurally ---------------------------------------------------------------


def monotone_problems(
    condition: Condition, orders: Mapping[str, Sequence[Any]], gated: Mapping[str, str]
) -> list[str]:
    """Why a condition's structure does not prove it monotone; empty when it does."""
    problems = []
    for atom, positive in condition.atoms():
        if atom.field in orders:
            passes = [atom.test(value) for value in orders[atom.field]]
            upward = all(b for a, b in itertools.pairwise(passes) if a)
            downward = all(a for a, b in itertools.pairwise(passes) if b)
            if not (upward if positive else downward):
                problems.append(f"{atom.describe()} can stop holding when `{atom.field}` moves up")
        if atom.field in gated and not positive:
            problems.append(
                f"{atom.describe()} is negated, and `{atom.field}` is asked only once "
                f"`{gated[atom.field]}` moves up"
            )
    return problems


def _gated_by_ordered(rules: RuleSet, orders: Mapping[str, Sequence[Any]]) -> dict[str, str]:
    """Questions asked only when an ordered question's answer allows: question -> that question."""
    gated = {}
    for question in rules.contract.questions:
        if question.asked_when is not None:
            for name in sorted(fields_of(question.asked_when) & set(orders)):
                gated[question.id] = name
    return gated


def _prove_monotone(rules: RuleSet, report: CheckReport) -> set[str]:
    """Prove what can be proved; return the ordered questions the search must move."""
    orders = rules.contract.ordered_fields()
    gated = _gated_by_ordered(rules, orders)
    method = report.method["monotone"] = [f"{len(orders)} ordered questions: {', '.join(orders)}"]
    to_search: set[str] = set()
    for question in rules.contract.questions:
        if question.asked_when is not None and monotone_problems(question.asked_when, orders, {}):
            method.append(
                f"question {question.id} can stop being asked when an answer moves up; "
                "every ordered question searched"
            )
            to_search |= set(orders)
    by_construction, by_dominance = 0, []
    for rule in rules.rules:
        problems = monotone_problems(rule.condition, orders, gated)
        if not problems:
            by_construction += 1
            continue
        moved = {f for f in fields_of(rule.condition) if f in orders} | {
            gated[f] for f in fields_of(rule.condition) if f in gated
        }
        takeovers = [
            _takeover(rules, rule, name, _harmful_moves(rule, name, orders[name], gated))
            for name in sorted(moved)
        ]
        if all(takeovers):
            by_dominance.append(
                f"{rule.id} ({'; '.join(t for t in takeovers if not t.startswith('no move'))})"
            )
            continue
        method.extend(f"not proved for {rule.id}: {problem}; searched instead" for problem in problems)
        to_search |= moved
    method.insert(
        1,
        f"by construction for {by_construction} of {len(rules.rules)} rules: no test of an "
        "ordered question can stop holding as its answer moves up",
    )
    if by_dominance:
        method.insert(
            2,
            "by dominance for the others: where a move can stop them firing, a rule at least "
            "as urgent then certainly fires (three-valued evaluation): " + ", ".join(by_dominance),
        )
    return to_search


def _harmful_moves(rule: Rule, name: str, order: Sequence[Any], gated: Mapping[str, str]) -> list[Any]:
    """The values `name` can move up to that could stop the rule firing (judged test by test)."""
    if any(not positive and gated.get(atom.field) == name for atom, positive in rule.condition.atoms()):
        return list(order[1:])  # the move makes a negated question applicable: assume the worst
    tests = [(atom, positive) for atom, positive in rule.condition.atoms() if atom.field == name]
    return [
        to
        for i, to in enumerate(order)
        if any(
            atom.test(before) != atom.test(to) and atom.test(before if positive else to)
            for before in order[:i]
            for atom, positive in tests
        )
    ]


def _takeover(rules: RuleSet, rule: Rule, name: str, destinations: Sequence[Any]) -> str:
    """Show that after `name` moves up from any answer set where `rule` fires, the level stays.

    The facts every firing of the rule implies are kept, `name` takes each value a move could
    stop the rule at, and every other answer is unknown. Where the rules that certainly fire then
    reach the rule's level, they do so for every completion. Returns how, or "" when not shown.
    """
    facts = {q.id: UNKNOWN for q in rules.contract.questions} | implied_facts(rule.condition)
    takers = []
    for value in destinations:
        fired = [r for r in rules.fired({**facts, name: value}) if r.level >= rule.level]
        if not fired:
            return ""
        takers.append(f"`{name}` = {value} → {fired[0].id}")
    return "; ".join(takers) or f"no move of `{name}` stops it"


def implied_facts(condition: Condition) -> dict[str, Any]:
    """The answers every firing of a condition pins down (its conjunctive tests of one value)."""
    if isinstance(condition, All):
        implied: dict[str, Any] = {}
        for part in condition.parts:
            implied |= implied_facts(part)
        return implied
    if isinstance(condition, Term):
        return implied_facts(condition.condition)
    if isinstance(condition, Yes):
        return {condition.field: True}
    if isinstance(condition, Equals):
        return {condition.field: condition.value}
    if isinstance(condition, In) and len(condition.values) == 1:
        return {condition.field: next(iter(condition.values))}
    return {}


# --- 3. the floor, by three-valued evaluation ---------------------------------------------------


def _prove_floor(rules: RuleSet, report: CheckReport) -> None:
    lines = ["proved for every completion by three-valued evaluation:"]
    for floor in rules.floors:
        for name in floor.questions:
            for answer in (True, "unsure"):
                outcome = rules.assess_partial({name: answer})
                fired = ", ".join(r.id for r in outcome.fired_rules if r.level >= floor.level)
                if outcome.level < floor.level:
                    report.violations.append(
                        Violation(
                            "floor",
                            f"{name}={answer!r} alone gives only {outcome.level.value}, "
                            f"not at least {floor.level.value}",
                            {name: answer},
                        )
                    )
                else:
                    lines.append(
                        f"{name}={json.dumps(answer)} alone → {outcome.level.value} "
                        f"(at least {floor.level.value}: {fired})"
                    )
    report.method["floor"] = lines


def _check_terms_used(rules: RuleSet, report: CheckReport) -> None:
    used = {name for rule in rules.rules for name in term_names(rule.condition)}
    named = {name for rule in rules.rules for name in (*rule.wording.phrases, *rule.wording.told_terms)}
    for term in rules.terms:
        if term.name not in used:
            report.violations.append(Violation("no dead rule", f"term {term.name!r} is used by no rule"))
        if term.phrases is not None and term.name not in named:
            report.violations.append(
                Violation("no dead rule", f"the phrases of term {term.name!r} are named by no rule's reason")
            )


# --- the search ---------------------------------------------------------------------------------


def _search(
    rules: RuleSet,
    sampler: AnswerSampler,
    samples: int,
    searched: set[str],
    report: CheckReport,
    shown: tuple[GuidanceCheck, ReasonCheck],
) -> None:
    spot_checks = 0 if searched else SPOT_CHECKS
    for index in range(samples):
        raw = sampler.sample()
        reading = rules.read(raw)
        outcome = rules.outcome(reading)
        fired, level = outcome.fired_rules, outcome.level
        shown[0].observe(outcome)
        shown[1].observe(outcome, reading.said)
        report.levels[level] += 1
        report.fired.update(rule.id for rule in fired)
        if level != max((rule.level for rule in fired), default=Level.INFORMATION):
            report.violations.append(Violation("single level", "level is not the highest fired rule's"))
        for floor in rules.floors:
            if any(reading.facts.get(q) is True for q in floor.questions) and level < floor.level:
                message = f"gives {level.value}, not at least {floor.level.value}"
                report.violations.append(Violation("floor", message, reading.answers.as_dict()))
        fields = searched if index >= spot_checks else set(sampler.orders)
        for name in sorted(fields & set(reading.answers)):
            report.moves += _check_move(rules, sampler, raw, name, level, reading.answers.as_dict(), report)
        report.samples += 1
        if len(report.violations) > MAX_VIOLATIONS:
            report.stopped_early = True
            break
    _report_search(
        rules, report, samples=report.samples, spot_checks=min(spot_checks, report.samples), searched=searched
    )


def _check_move(
    rules: RuleSet,
    sampler: AnswerSampler,
    raw: Mapping[str, Any],
    name: str,
    level: Level,
    answers: Mapping[str, Any],
    report: CheckReport,
) -> int:
    moved = sampler.moved_up(raw, name)
    if moved is None:
        return 0
    reading = rules.read(moved)
    moved_level = rules.level_of(reading.facts)
    if moved_level < level:
        report.violations.append(
            Violation(
                "monotone",
                f"moving `{name}` up lowers the level from {level.value} to {moved_level.value}",
                answers,
                reading.answers.as_dict(),
            )
        )
    return 1


def _report_search(
    rules: RuleSet, report: CheckReport, samples: int, spot_checks: int, searched: set[str]
) -> None:
    report.method["single level"] = [
        "by construction: an outcome holds one level, the most urgent fired rule's",
        f"confirmed on {samples:,} answer sets",
    ]
    report.method["monotone"].append(
        f"moved up, one ordered question at a time: {report.moves:,} neighbouring answer sets "
        + (
            f"(spot check of the proof on the first {spot_checks:,} answer sets)"
            if spot_checks
            else f"(searching {', '.join(sorted(searched))})"
        )
    )
    if report.stopped_early:
        note = f"not judged: the search stopped after {samples:,} answer sets at {MAX_VIOLATIONS} violations"
        report.method["no dead rule"] = [note]
        report.method["every level reachable"] = [note]
        return
    for rule in rules.rules:
        if report.fired[rule.id] == 0:
            report.violations.append(
                Violation("no dead rule", f"rule {rule.id} did not fire in {samples:,} answer sets")
            )
    for level in Level:
        if report.levels[level] == 0:
            report.violations.append(Violation("every level reachable", f"no answer set gave {level.value}"))
    report.method["no dead rule"] = [
        f"{sum(1 for r in rules.rules if report.fired[r.id])} of {len(rules.rules)} rules seen firing",
    ]
    report.method["every level reachable"] = [
        ", ".join(f"{level.value} {report.levels[level]:,}" for level in sorted(Level, reverse=True))
    ]
