"""FHIR R4 on the command line: `fhir export REFERENCE` (an assessment's Bundle) and `fhir questionnaire`."""

from __future__ import annotations

import json
from typing import Any

import click

from triage.cli.common import load, rules_dir_option, with_app


def _json(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, indent=2)


@click.group()
def fhir() -> None:
    """FHIR R4 resources: a saved assessment's Bundle, and the Questionnaire."""


@fhir.command("export")
@click.argument("reference")
def export(reference: str) -> None:
    """Print the saved assessment REFERENCE as a FHIR Bundle, as the API gives it (audited)."""

    def bundle() -> str:
        from triage.extensions import rules
        from triage.fhir import assessment_bundle
        from triage.storage import repository
        from triage.storage.codes import Action
        from triage.web.templating import practice_details

        found = repository.find_assessment(reference)
        if found is None:
            raise LookupError(f"no record has the reference code {reference.strip()[:20]}")
        resource = assessment_bundle(found, rules.current, practice_details)
        repository.audit("cli", Action.FHIR_EXPORT, target=found.reference)
        return _json(resource)

    with_app(bundle)


@fhir.command("questionnaire")
@rules_dir_option
@click.option(
    "--lang", type=click.Choice(["en", "el"]), default="en", show_default=True, help="Its language."
)
def questionnaire(rules_dir: str | None, lang: str) -> None:
    """Print the FHIR Questionnaire generated from the rules' answers contract, as the API serves it
    (the urgent advice worded with the practice's details, as the server has them)."""
    from triage.fhir.catalog import questionnaire_of
    from triage.web.templating import practice_details

    ruleset = load(rules_dir, lang)
    with_app(lambda: _json(questionnaire_of(ruleset, lang, values=practice_details)))
