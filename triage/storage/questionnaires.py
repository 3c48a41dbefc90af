"""The FHIR Questionnaire of every rules version the app has saved a record under, in each language:
written after the first record of a version is saved (once per app), so that every version a saved
response cites can be read (GET /api/v1/fhir/Questionnaire/spine-triage/_history/<version>).

Keeping it never undoes or fails the save it follows: if the database fails then, the failure is
logged as every other is, and the next save tries again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from triage.engine import RulesVersion
from triage.extensions import db, rules
from triage.fhir.catalog import questionnaire_of
from triage.storage.database import StorageUnavailable, read, transaction
from triage.storage.models import ServedQuestionnaire
from triage.web.templating import practice_details

#: Where an app remembers the rules versions whose Questionnaires it has stored.
KEPT = "triage_served_questionnaires"


def keep_served_questionnaire(version: RulesVersion) -> None:
    """Store the Questionnaire of the app's rules in each of their languages, once per app, if
    `version` is theirs; an older copy of the same version is replaced (the Questionnaire is made
    from the rules by this code, which may describe them better than a previous release did)."""
    ruleset = rules.current
    kept: set[RulesVersion] = current_app.extensions.setdefault(KEPT, set())
    if version != ruleset.version or version in kept:
        return
    try:
        for lang in sorted(ruleset.languages):
            _keep(version, lang, questionnaire_of(ruleset, lang, values=practice_details))
    except StorageUnavailable:  # logged where it failed; the record it follows is saved
        return
    kept.add(version)


def _keep(version: RulesVersion, language: str, resource: dict[str, Any]) -> None:
    row = read(lambda: db.session.get(ServedQuestionnaire, (version.version, language)))
    if row is not None and row.resource == resource and row.rules_hash == version.content_hash:
        return
    try:
        with transaction():
            if row is None:
                row = ServedQuestionnaire(version=version.version, language=language)
                db.session.add(row)
            row.rules_hash = version.content_hash
            row.resource = resource
            row.stored_at = datetime.now(UTC)
    except StorageUnavailable as exc:
        if not isinstance(exc.__cause__, IntegrityError):  # not: another process stored it first
            raise


def served_questionnaire(version: str, language: str) -> dict[str, Any] | None:
    """The Questionnaire stored for this rules version in `language`, if any."""
    row = read(lambda: db.session.get(ServedQuestionnaire, (version, language)))
    return None if row is None else dict(row.resource)
