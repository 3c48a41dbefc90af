"""Keeping the saved data in bounds: `purge`."""

from __future__ import annotations

import click

from triage.cli.common import with_app


@click.command()
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

    with_app(delete_old, when_unavailable="nothing was deleted")
