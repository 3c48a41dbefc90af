"""The clinical safety case: `safety report`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage import PROJECT_ROOT
from triage.cli.common import INVALID_INPUT, load, rules_dir_option, search_options, vignettes_option
from triage.engine import DEFAULT_RULES_DIR, RulesInvalid
from triage.rulecheck.check import INVARIANTS
from triage.safety.case import load_case
from triage.safety.channels import channels
from triage.safety.hazards import checked_hazards
from triage.safety.report import agreements, run_check, safety_report, write
from triage.safety.testindex import index_tests
from triage.safety.vignettes import VignettesInvalid, load_vignettes


@click.group()
def safety() -> None:
    """The clinical safety case: hazards, controls, evidence."""


@safety.command()
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write it to this file (else print it)."
)
@vignettes_option("The vignettes to drive through the engine and both channels.")
@search_options("Answer sets rules check searches.")
@rules_dir_option
def report(output: Path | None, vignettes_file: str, samples: int, seed: int, rules_dir: str | None) -> None:
    """Write the safety case as Markdown: scope, hazards, invariants, vignettes, traceability.

    Exit status 1 (after writing it) when an invariant is violated or a vignette disagrees.
    """
    directory = Path(rules_dir) if rules_dir else DEFAULT_RULES_DIR
    ruleset = load(rules_dir)
    tests = index_tests()
    try:
        log = checked_hazards(directory, ruleset, INVARIANTS, tests)
        case = load_case(directory, ruleset)
    except RulesInvalid as exc:
        click.echo(f"The safety case cannot be made:\n{exc}", err=True)
        sys.exit(1)
    try:
        vignettes = load_vignettes(vignettes_file)
    except VignettesInvalid as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(INVALID_INPUT)
    checked = run_check(ruleset, samples, seed)
    with channels(directory, ruleset) as drive:
        found = agreements(ruleset, vignettes, drive)
    shown_file = Path(vignettes_file).resolve()
    if shown_file.is_relative_to(PROJECT_ROOT):
        shown_file = shown_file.relative_to(PROJECT_ROOT)
    text = safety_report(ruleset, case, log, checked, found, tests, seed=seed, vignettes_file=str(shown_file))
    agreeing = sum(1 for a in found if a.agrees)
    summary = (
        f"{len(log.hazards)} hazards; invariants {'hold' if checked.ok else 'VIOLATED'}; "
        f"{agreeing} of {len(found)} vignettes agree in the engine, the pages and phone mode"
    )
    if output is None:
        click.echo(text, nl=False)
    else:
        write(text, output)
        click.echo(f"wrote {output}: {summary}")
    if not checked.ok or agreeing < len(found):
        click.echo(f"the safety case shows problems: {summary}", err=True)
        sys.exit(1)
