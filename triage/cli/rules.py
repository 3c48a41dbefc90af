"""Assessing answers and checking the rule files: `assess`, `rules check`, `rules table`, `rules diff`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from triage.cli.common import INVALID_INPUT, load, rules_dir_option, search_options, vignettes_option
from triage.config import from_environment, practice_values
from triage.engine import DEFAULT_RULES_DIR, AnswersInvalid, RuleFileError, RuleSet, RulesInvalid
from triage.engine.export import FilledTexts, outcome_as_dict
from triage.rulecheck.check import INVARIANTS, check_rules
from triage.rulecheck.table import rules_table
from triage.safety.diff import (
    BANK_SAMPLES,
    BANK_SEED,
    DiffUnavailable,
    diff_rules,
    diff_text,
    load_any,
    rules_folder,
)
from triage.safety.hazards import checked_hazards
from triage.safety.testindex import index_tests
from triage.safety.vignettes import VignettesInvalid, load_vignettes
from triage.web.phones import with_readable_numbers


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--lang", default="en", show_default=True, help="Language of the texts.")
@rules_dir_option
def assess(file: TextIO, lang: str, rules_dir: str | None) -> None:
    """Assess answers read as JSON from FILE (or standard input, "-").

    An object gives one outcome; an array gives an array of outcomes in the same order.
    Invalid answers: exit status 2 and one message per question on standard error.
    """
    rules = load(rules_dir, lang)
    try:
        data = json.load(file)
    except UnicodeDecodeError:
        click.echo("error: the input is not UTF-8 text", err=True)
        sys.exit(INVALID_INPUT)
    except (ValueError, RecursionError) as exc:  # ValueError includes JSONDecodeError
        click.echo(f"error: the input is not valid JSON ({exc})", err=True)
        sys.exit(INVALID_INPUT)
    batch = data if isinstance(data, list) else [data]
    practice = with_readable_numbers(practice_values(from_environment(), lang))  # as the pages show them
    outcomes: list[Any] = []
    problems: list[str] = []
    for index, answers in enumerate(batch):
        try:
            outcomes.append(rules.assess(answers))
        except AnswersInvalid as exc:
            where = f"[{index}] " if isinstance(data, list) else ""
            told = exc.messages(lang, practice=practice)
            problems += [f"{where}{field}: {message}" for field, message in told.items()]
    if problems:
        click.echo("\n".join(problems), err=True)
        sys.exit(INVALID_INPUT)
    say = FilledTexts(lang, practice)
    results = [outcome_as_dict(outcome, say) for outcome in outcomes]
    click.echo(json.dumps(results if isinstance(data, list) else results[0], ensure_ascii=False, indent=2))


@click.group()
def rules() -> None:
    """Check the rule files or list them for review."""


@rules.command()
@search_options("Answer sets to search.")
@rules_dir_option
def check(samples: int, seed: int, rules_dir: str | None) -> None:
    """Validate every rule file and check the invariants of the clinical spec (§4)."""
    ruleset = load(rules_dir)
    contract = ruleset.contract
    click.echo(f"{ruleset.name} {ruleset.version}")
    click.echo(
        f"loaded: {len(ruleset.rules)} rules, {len(ruleset.terms)} terms, {len(contract.questions)} "
        f"questions; every text in {', '.join(ruleset.languages)}"
    )
    hazard_problems = _hazard_problems(Path(rules_dir) if rules_dir else DEFAULT_RULES_DIR, ruleset)
    report = check_rules(ruleset, samples=samples, seed=seed)
    for number, (invariant, lines) in enumerate(report.method.items(), start=1):
        broken = [v for v in report.violations if v.invariant == invariant]
        click.echo(f"{number}. {invariant}: {'VIOLATED' if broken else 'ok'}")
        for line in lines:
            click.echo(f"   - {line}")
    click.echo(f"searched {report.samples:,} answer sets (seed {seed}) in {report.seconds:.1f} s")
    if hazard_problems:
        click.echo(f"\nThe hazard log is not valid ({len(hazard_problems)} problem(s)):", err=True)
        click.echo("\n".join(map(str, hazard_problems)), err=True)
    if not report.ok:
        click.echo(f"\n{len(report.violations)} violation(s):", err=True)
        for violation in report.violations:
            click.echo(str(violation), err=True)
    if hazard_problems or not report.ok:
        sys.exit(1)
    click.echo("all invariants hold")


def _hazard_problems(directory: Path, ruleset: RuleSet) -> list[RuleFileError]:
    """Check the hazard log against the rule set, the invariants and the tests; say how it went."""
    try:
        log = checked_hazards(directory, ruleset, INVARIANTS, index_tests())
    except RulesInvalid as exc:
        click.echo(f"hazard log: BROKEN, {len(exc.errors)} problem(s) (below)")
        return list(exc.errors)
    controls = sum(
        len(h.controls.rules) + len(h.controls.invariants) + len(h.controls.tests) for h in log.hazards
    )
    click.echo(
        f"hazard log: ok, {len(log.hazards)} hazards; the {controls} rules, invariants and tests named exist"
    )
    return []


@rules.command()
@click.option("--lang", default="en", show_default=True, help="Language of the reasons.")
@rules_dir_option
def table(lang: str, rules_dir: str | None) -> None:
    """Print every rule as a Markdown table for clinical review."""
    click.echo(rules_table(load(rules_dir, lang), lang), nl=False)


@rules.command()
@click.argument("old")
@click.argument("new", default=str(DEFAULT_RULES_DIR))
@click.option(
    "--allow-lower",
    metavar="REASON",
    help="Accept outcomes that went down, for this reason (recorded in the printout).",
)
@vignettes_option("The vignettes at the head of the bank.")
@click.option(
    "--samples",
    default=BANK_SAMPLES,
    show_default=True,
    type=click.IntRange(min=BANK_SAMPLES),
    help="Sampled answer sets in the bank.",
)
@click.option("--seed", default=BANK_SEED, show_default=True, help="Seed of the bank.")
def diff(old: str, new: str, allow_lower: str | None, vignettes_file: str, samples: int, seed: int) -> None:
    """Compare the outcomes of two rule sets over a fixed bank of answer sets.

    OLD and NEW are rules folders or git revisions (their rules/); NEW defaults to the project's
    rules. Exit status 1 when any outcome went down, unless --allow-lower gives the reason; 2 when
    the two cannot be compared.
    """
    try:
        vignettes = [(f"vignette {v.id}", v.answers) for v in load_vignettes(vignettes_file)]
        with rules_folder(new) as (new_dir, _), rules_folder(old) as (old_dir, _):
            notes: list[str] = []
            new_rules = load_any(new_dir, "NEW", notes)
            old_rules = load_any(old_dir, "OLD", notes)
        result = diff_rules(old_rules, new_rules, vignettes, samples=samples, seed=seed)
    except (DiffUnavailable, VignettesInvalid) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(INVALID_INPUT)
    result.notes[:0] = notes
    click.echo(diff_text(result), nl=False)
    if result.down and allow_lower:
        click.echo(f"\n{result.down:,} outcomes went down, allowed: {allow_lower}")
    elif result.down:
        click.echo(
            f"\n{result.down:,} outcomes went down; a rule change must never lower a level the spec gives. "
            'If this lowering is intended and reviewed, run again with --allow-lower "reason".',
            err=True,
        )
        sys.exit(1)
