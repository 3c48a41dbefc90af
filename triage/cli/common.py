"""What every command shares: loading the rules, the rules-folder option, running inside the app."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from triage.engine import RuleSet, RulesInvalid, load_rules

INVALID_INPUT = 2


def load(rules_dir: str | None, lang: str = "en") -> RuleSet:
    """The rule set (exit 1 when it cannot be loaded), checked to have texts in `lang` (else exit 2)."""
    try:
        ruleset = load_rules(rules_dir) if rules_dir else load_rules()
    except RulesInvalid as exc:
        click.echo(f"The rules cannot be loaded:\n{exc}", err=True)
        sys.exit(1)
    if lang not in ruleset.languages:
        click.echo(f"error: no texts in {lang!r}; use one of {', '.join(ruleset.languages)}", err=True)
        sys.exit(INVALID_INPUT)
    return ruleset


rules_dir_option = click.option(
    "--rules-dir", type=click.Path(file_okay=False), envvar="RULES_DIR", help="Folder of rule files."
)


def with_app(
    action: Callable[[], str],
    when_unavailable: str = "prepare it with `python -m triage prepare` (make run does)",
) -> None:
    """Run an action inside the app (for its database); exit 1 with the reason on failure."""
    from triage import create_app
    from triage.storage.repository import StorageUnavailable

    with create_app().app_context():
        try:
            click.echo(action())
        except (ValueError, LookupError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except StorageUnavailable as exc:
            click.echo(
                f"error: the database is unavailable or not set up ({exc}); {when_unavailable}", err=True
            )
            sys.exit(1)


def vignettes_option(purpose: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--vignettes FILE (as `vignettes_file`): the clinical vignettes (tests/cases/vignettes.yaml)."""
    from triage.safety.vignettes import DEFAULT_VIGNETTES

    return click.option(
        "--vignettes",
        "vignettes_file",
        type=click.Path(dir_okay=False),
        default=str(DEFAULT_VIGNETTES),
        show_default=True,
        help=purpose,
    )


def search_options(samples_help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--samples N and --seed S: the search for answer sets that break an invariant (rules check)."""
    from triage.rulecheck.check import DEFAULT_SAMPLES, DEFAULT_SEED

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        seed = click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Seed of the search.")
        samples = click.option(
            "--samples",
            default=DEFAULT_SAMPLES,
            show_default=True,
            type=click.IntRange(min=1),
            help=samples_help,
        )
        return samples(seed(command))

    return decorate
