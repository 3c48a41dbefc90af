"""Is this app ready to serve? The database's schema, the compiled page-text catalogues, the rules;
and, under gunicorn, processes that count the rate limits as documented.

Used three ways: at start-up by a server (run.py refuses to serve an unprepared installation, with
the one command that fixes it; deploy/gunicorn.conf.py refuses several processes that would each
count their own limits), by `GET /readyz`, and by `python -m triage prepare`, which does what
the checks ask for. The checks import neither Alembic nor Babel's compiler: the latest migration is
read from the migration files' own `revision` lines, the database's from its alembic_version table.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from triage import PROJECT_ROOT

log = logging.getLogger(__name__)
MIGRATIONS = PROJECT_ROOT / "migrations" / "versions"
CATALOGUES = PROJECT_ROOT / "triage" / "translations"
#: The one problem that never stops a server from starting (patients still get their guidance).
UNREACHABLE = "the database is unreachable"
#: What an administrator runs to fix whatever these checks find (make run / make serve run it too).
FIX = "python -m triage prepare"
_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*["\']?([\w-]+|None)["\']?', re.MULTILINE)


@dataclass(frozen=True)
class Readiness:
    """What the checks found: each problem in words (empty when ready) and whether the database answered."""

    problems: tuple[str, ...]
    database_reachable: bool

    @property
    def ready(self) -> bool:
        return not self.problems


def latest_migration(folder: Path = MIGRATIONS) -> str:
    """The head revision: the one migration no other migration revises."""
    revisions, revised = set(), set()
    for path in folder.glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            revised.add(found.get("down_revision"))
    heads = sorted(revisions - revised)
    if len(heads) != 1:
        raise RuntimeError(f"the migrations in {folder} have {len(heads)} heads, not one: {heads}")
    return str(heads[0])


def database_revision() -> str | None:
    """The migration the database is at (None: never migrated); OperationalError when unreachable."""
    from triage.extensions import db

    with db.engine.connect() as connection:
        try:
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        except (OperationalError, ProgrammingError) as exc:  # no such table: never migrated
            if _unreachable(exc):
                raise
            return None
    return str(row[0]) if row else None


def _unreachable(exc: SQLAlchemyError) -> bool:
    message = str(exc).lower()
    return "no such table" not in message and "does not exist" not in message


def catalogue_problems(languages: tuple[str, ...], folder: Path = CATALOGUES) -> list[str]:
    """A problem for each language whose compiled catalogue is missing or older than its source."""
    problems = []
    for lang in languages:
        source = folder / lang / "LC_MESSAGES" / "messages.po"
        compiled = source.with_suffix(".mo")
        if not source.exists():
            problems.append(f"no page-text catalogue for {lang!r} ({source})")
        elif not compiled.exists():
            problems.append(f"the {lang!r} page texts are not compiled ({compiled} is missing)")
        elif compiled.stat().st_mtime < source.stat().st_mtime:
            problems.append(f"the compiled {lang!r} page texts are older than {source.name}")
    return problems


def compile_catalogues(folder: Path = CATALOGUES) -> list[str]:
    """Compile every catalogue (messages.po → messages.mo); the languages compiled."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    done = []
    for source in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        lang = source.parts[-3]
        with source.open("rb") as file:
            catalogue = read_po(file, locale=lang)
        with source.with_suffix(".mo").open("wb") as file:
            write_mo(file, catalogue)
        done.append(lang)
    return done


def check() -> Readiness:
    """Every check, for the app handling this request or command (inside its context)."""
    from triage.extensions import rules

    problems = catalogue_problems(rules.current.languages)
    reachable = True
    try:
        current, latest = database_revision(), latest_migration()
    except SQLAlchemyError:
        reachable = False
        problems.append(UNREACHABLE)
    else:
        if current != latest:
            at = f"at migration {current}" if current else "not set up"
            problems.append(f"the database schema is {at}, the latest migration is {latest}")
    return Readiness(tuple(problems), reachable)


def refuse_to_serve_if_unprepared(app: Flask) -> None:
    """Stop a server from starting on an installation that is not prepared, saying how to fix it.

    An unreachable database does not stop it: patients still get their guidance (nothing is saved
    until it is back), and /readyz says what is wrong.
    """
    from triage.extensions import db

    with app.app_context():
        found = check()
        db.engine.dispose()  # no connection made here is inherited by forked workers
    blocking = [problem for problem in found.problems if problem != UNREACHABLE]
    if not found.database_reachable:
        log.error("The database is unreachable: serving guidance without saving; /readyz reports it")
    if blocking:
        raise SystemExit(
            "Spine Triage will not serve until this installation is prepared:\n"
            + "".join(f"  - {problem}\n" for problem in blocking)
            + f"Fix: run `{FIX}` (make run and make serve run it for you), then start again."
        )


def counted_per_process(store: str) -> bool:
    """Whether a rate-limit store (RATELIMIT_STORAGE_URI) counts in each process's own memory."""
    return store.partition("://")[0] == "memory"


def announce_processes(app: Flask, workers: int, threads: int) -> None:
    """Say at start-up how many processes and threads serve, and where the rate limits are counted;
    stop a server whose processes would each count their own (memory://), saying how to fix it.

    With the limits in each process's memory, every process would allow each limit again: two
    processes, ten wrong passwords for a username before "Too many" instead of five.
    """
    serving = f"{workers} worker{'s' * (workers != 1)} × {threads} thread{'s' * (threads != 1)}"
    if "limiter" not in app.extensions:  # an app without rate limits (the benchmarks' baseline)
        log.info("%s: no rate limits in this app", serving)
        return
    store = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not counted_per_process(store):  # the scheme only: the address may hold a password
        log.info("%s: rate limits counted in the shared store (%s://)", serving, store.partition("://")[0])
        return
    if workers > 1:
        raise SystemExit(
            f"Spine Triage will not serve with {workers} worker processes while the rate limits are "
            "counted in each process's memory (RATELIMIT_STORAGE_URI=memory://): each process would "
            "allow every limit again, wrong passwords included.\n"
            "Fix: serve with one process and threads (WEB_CONCURRENCY=1, GUNICORN_THREADS=8), or give "
            "the processes a shared store (RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0)."
        )
    log.info("%s: rate limits counted in this process's memory (RATELIMIT_STORAGE_URI=memory://)", serving)
