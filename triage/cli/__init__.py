"""The command line, `python -m triage …`: one module a group of commands, registered here."""

from __future__ import annotations

import click

from triage.cli import accounts, alerts, data, fhir, ops, rules, safety, translations


@click.group()
def main() -> None:
    """Spine Triage: urgency-graded guidance for back and neck pain. Never a diagnosis."""


main.add_command(rules.assess)
main.add_command(rules.rules)
main.add_command(accounts.users)
main.add_command(accounts.api_keys)
main.add_command(data.purge)
main.add_command(translations.translations)
main.add_command(ops.prepare)
main.add_command(ops.backup)
main.add_command(fhir.fhir)
main.add_command(alerts.alerts)
main.add_command(safety.safety)
