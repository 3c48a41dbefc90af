"""The command line: `python -m triage assess | rules check | rules table`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click

from triage.config import from_environment, practice_values
from triage.engine import AnswersInvalid, RuleSet, RulesInvalid, load_rules
from triage.engine.check import DEFAULT_SAMPLES, DEFAULT_SEED, check_rules
from triage.engine.export import outcome_as_dict
from triage.engine.table import rules_table
from triage.storage.codes import Action, Role

INVALID_INPUT = 2


def _rules(rules_dir: str | None, lang: str = "en") -> RuleSet:
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


@click.group()
def main() -> None:
    """Spine Triage: urgency-graded guidance for back and neck pain. Never a diagnosis."""


@main.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--lang", default="en", show_default=True, help="Language of the texts.")
@rules_dir_option
def assess(file: TextIO, lang: str, rules_dir: str | None) -> None:
    """Assess answers read as JSON from FILE (or standard input, "-").

    An object gives one outcome; an array gives an array of outcomes in the same order.
    Invalid answers: exit status 2 and one message per question on standard error.
    """
    rules = _rules(rules_dir, lang)
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


@main.group()
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
    ruleset = _rules(rules_dir)
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
    click.echo(rules_table(_rules(rules_dir, lang), lang), nl=False)


@main.command()
@click.option("--days", type=click.IntRange(min=1), help="Keep this many days (default: RETENTION_DAYS, 90).")
def purge(days: int | None) -> None:
    """Delete saved assessments and call-back requests older than the retention period."""

    def delete_old() -> str:
        from datetime import timedelta

        from flask import current_app

        from triage.storage import repository

        keep = days or int(current_app.config["RETENTION_DAYS"])
        purged = repository.purge(timedelta(days=keep))
        return (
            f"deleted {purged.assessments} assessments and {purged.callbacks} call-back requests "
            f"older than {keep} days"
        )

    _with_app(delete_old, when_unavailable="nothing was deleted")


@main.group()
def users() -> None:
    """Manage staff accounts (reception, clinician, admin)."""


def _password(from_stdin: bool) -> str:
    """A new password: one line of standard input, or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _with_app(
    action: Callable[[], str],
    when_unavailable: str = "prepare it with `flask --app triage db upgrade` (make run does)",
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


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", "display_name", required=True, help="The name shown in the staff area.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Add a staff account."""
    password = _password(password_stdin)

    def create() -> str:
        from triage.staff import accounts

        accounts.create(username, display_name, role, password)
        return f"created {role} account {username}"

    _with_app(create)


@users.command("disable")
@click.argument("username")
def disable_user(username: str) -> None:
    """Stop an account from logging in (its open sessions end too)."""

    def disable() -> str:
        from triage.storage import repository

        user = repository.find_user(username)
        if user is None:
            raise LookupError(f"no account {username!r}")
        repository.update_user(user, active=False)
        repository.end_sessions(user)
        repository.audit("cli", Action.DISABLE_USER, target=username)
        return f"disabled {username}"

    _with_app(disable)


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(username: str, password_stdin: bool) -> None:
    """Give an account a new password (and unlock it); its open sessions end."""
    password = _password(password_stdin)

    def change() -> str:
        from triage.staff import accounts
        from triage.storage import repository

        user = repository.find_user(username)
        if user is None:
            raise LookupError(f"no account {username!r}")
        accounts.check_strength(password)
        repository.update_user(
            user, password_hash=accounts.hash_password(password), failed_logins=0, locked_until=None
        )
        repository.end_sessions(user)  # a session begun with the old password ends
        repository.audit("cli", Action.SET_PASSWORD, target=username)
        return f"set a new password for {username}"

    _with_app(change)


@users.command("reset-mfa")
@click.argument("username")
def reset_mfa(username: str) -> None:
    """Forget an account's authenticator app and recovery codes (it sets them up at its next login)."""

    def reset() -> str:
        from triage.staff import mfa
        from triage.storage import repository

        user = repository.find_user(username)
        if user is None:
            raise LookupError(f"no account {username!r}")
        mfa.reset(user)
        repository.audit("cli", Action.MFA_RESET, target=username)
        return f"reset MFA for {username}: it sets up an authenticator app at its next login"

    _with_app(reset)


@main.group("api-keys")
def api_keys() -> None:
    """Manage the keys that let clients of the JSON API save assessments."""


@api_keys.command("create")
@click.argument("name")
def create_api_key(name: str) -> None:
    """Make a key named NAME; prints it once, as the last line (only its hash is kept)."""

    def create() -> str:
        from triage.api import keys

        key = keys.issue(name)
        return f"created API key {name}; keep it secret, it is not shown again:\n{key}"

    _with_app(create)


@api_keys.command("list")
def list_api_keys() -> None:
    """Every key's name, when it was made, and whether it is revoked (never the key)."""

    def listing() -> str:
        from triage.storage import repository

        lines = [
            f"{key.name}\tcreated {key.created_at:%Y-%m-%d %H:%M}\t"
            + (f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active")
            for key in repository.api_keys()
        ]
        return "\n".join(lines) or "no API keys"

    _with_app(listing)


@api_keys.command("revoke")
@click.argument("name")
def revoke_api_key(name: str) -> None:
    """Revoke the key named NAME: requests with it are refused from now on."""

    def revoke() -> str:
        from triage.storage import repository

        repository.revoke_api_key(name)
        repository.audit("cli", Action.REVOKE_API_KEY, target=name)
        return f"revoked API key {name}"

    _with_app(revoke)


@main.group()
def translations() -> None:
    """Maintain the page-text catalogues (see `make translations-update`)."""


@translations.command("fill-english")
def fill_english() -> None:
    """The English catalogue says every page text as written: copy each msgid into its msgstr."""
    from babel.messages.pofile import read_po, write_po

    path = Path(__file__).parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalogue = read_po(file, locale="en")
    for message in catalogue:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with path.open("wb") as file:
        write_po(file, catalogue, omit_header=False, sort_output=True, no_location=True)
    click.echo(f"filled {len(catalogue)} English messages")
