"""Running an installation: `prepare` (schema and page texts) and `backup`."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from triage.cli.common import with_app


@click.command()
def prepare() -> None:
    """Make this installation ready to serve: compile the page texts, migrate the database.

    What a server refuses to start without; `make run` and `make serve` run it first.
    """
    from triage.ops.readiness import compile_catalogues

    click.echo(f"compiled the page texts: {', '.join(compile_catalogues())}")

    def migrate() -> str:
        from flask_migrate import upgrade

        from triage.ops.readiness import latest_migration

        upgrade()
        return f"the database is at the latest migration, {latest_migration()}"

    with_app(migrate, when_unavailable="check DATABASE_URL and that the database server is running")


@click.command()
@click.argument("destination", type=click.Path(dir_okay=False, writable=True))
def backup(destination: str) -> None:
    """Copy the embedded SQLite database to DESTINATION while it is in use (SQLite's online backup).

    On PostgreSQL use pg_dump instead (see the README's "Backups").
    """
    from flask import current_app

    from triage import create_app

    app = create_app()
    with app.app_context():
        uri = str(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if not uri.startswith("sqlite:///"):
        click.echo("error: the database is not SQLite; back it up with pg_dump (see the README)", err=True)
        sys.exit(2)
    source, target = Path(uri.removeprefix("sqlite:///")), Path(destination)
    if not source.exists():
        click.echo(f"error: there is no database at {source} yet", err=True)
        sys.exit(1)
    if target.exists():
        click.echo(f"error: {target} exists; give a new file name", err=True)
        sys.exit(1)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()
    target.chmod(0o600)  # it holds health data, as the database does
    click.echo(f"backed up {source} to {target}")
