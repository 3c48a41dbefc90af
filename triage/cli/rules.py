"""Assessing answers and checking the rule files: `assess`, `rules check`, `rules table`."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

import click

from triage.cli.common import INVALID_INPUT, load, rules_dir_option
from triage.config import from_environment, practice_values
from triage.engine import AnswersInvalid
from triage.engine.check import DEFAULT_SAMPLES, DEFAULT_SEED, check_rules
from triage.engine.export import outcome_as_dict
from triage.engine.table import rules_table


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
    outcomes: list[Any] = []
    problems: list[str] = []
    for index, answers in enumerate(batch):
        try:
            outcomes.append(rules.assess(answers))
        except AnswersInvalid as exc:
            where = f"[{index}] " if isinstance(data, list) else ""
            problems += [f"{where}{field}: {message}" for field, message in exc.messages(lang).items()]
    if problems:
        click.echo("\n".join(problems), err=True)
        sys.exit(INVALID_INPUT)
    values = practice_values(from_environment(), lang)
    results = [outcome_as_dict(outcome, lang, values) for outcome in outcomes]
    click.echo(json.dumps(results if isinstance(data, list) else results[0], ensure_ascii=False, indent=2))


@click.group()
def rules() -> None:
    """Check the rule files or list them for review."""


@rules.command()
@click.option(
    "--samples",
    default=DEFAULT_SAMPLES,
    show_default=True,
    type=click.IntRange(min=1),
    help="Answer sets to search.",
)
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Seed of the search.")
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
    report = check_rules(ruleset, samples=samples, seed=seed)
    for number, (invariant, lines) in enumerate(report.method.items(), start=1):
        broken = [v for v in report.violations if v.invariant == invariant]
        click.echo(f"{number}. {invariant}: {'VIOLATED' if broken else 'ok'}")
        for line in lines:
            click.echo(f"   - {line}")
    click.echo(f"searched {report.samples:,} answer sets (seed {seed}) in {report.seconds:.1f} s")
    if not report.ok:
        click.echo(f"\n{len(report.violations)} violation(s):", err=True)
        for violation in report.violations:
            click.echo(str(violation), err=True)
        sys.exit(1)
    click.echo("all invariants hold")


@rules.command()
@click.option("--lang", default="en", show_default=True, help="Language of the reasons.")
@rules_dir_option
def table(lang: str, rules_dir: str | None) -> None:
    """Print every rule as a Markdown table for clinical review."""
    click.echo(rules_table(load(rules_dir, lang), lang), nl=False)
