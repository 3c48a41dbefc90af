"""Logouts the database could not record when they happened, recorded as soon as it is back.

A logout ends every copy of the session by moving the account's session version on, in the
database. While the database is down that cannot be done: the logout is then kept in a file of the
server's instance folder (the account's id and username and the session's version, nothing else:
the username names the logout in the audit trail), a copy of that session is refused here
meanwhile, and the first staff request after the database is back records it (moves the version on
where it has not moved since, and audits it). Recording is idempotent, so several processes sharing
the folder may try the same one.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask import current_app

from triage.storage import repository
from triage.storage.codes import Action
from triage.storage.repository import StorageUnavailable

log = logging.getLogger(__name__)
_FILE = "pending-logouts.jsonl"
_LATE = "recorded when the database was back"


def _path() -> Path:
    return Path(current_app.instance_path) / _FILE


def _any() -> bool:
    """Whether any logout waits to be recorded (the file is emptied, never removed: a process
    waiting for it must not write to a file that is gone)."""
    try:
        return _path().stat().st_size > 0
    except FileNotFoundError:
        return False


@contextmanager
def _locked(mode: str) -> Iterator[IO[str]]:
    """The file, opened in `mode` and held by this process alone (other processes wait)."""
    descriptor = os.open(_path(), os.O_RDWR | os.O_CREAT, 0o600)
    with open(descriptor, mode, encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield file
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def remember(user_id: int, version: int, username: str) -> None:
    """Keep a logout the database could not record, to record when it is back."""
    with _locked("a") as file:
        file.write(json.dumps({"id": user_id, "version": version, "username": username}) + "\n")
    log.warning("Logout kept to record later: the database is unavailable")


def _read(file: IO[str]) -> list[dict[str, object]]:
    file.seek(0)
    return [json.loads(line) for line in file if line.strip()]


def is_pending(user_id: int, version: object) -> bool:
    """Whether a session of this account and version was logged out and not yet recorded."""
    if not _any():
        return False
    with _locked("r+") as file:
        return any(entry["id"] == user_id and entry["version"] == version for entry in _read(file))


def record_pending() -> None:
    """Record the logouts kept while the database was down, if any; those it still cannot record
    stay for the next try."""
    if not _any():
        return
    with _locked("r+") as file:
        entries, left = _read(file), []
        for entry in entries:
            try:
                if repository.end_session_version(int(str(entry["id"])), int(str(entry["version"]))):
                    repository.audit(str(entry["username"]), Action.LOGOUT, detail=_LATE)
            except StorageUnavailable:
                left.append(entry)
        file.seek(0)
        file.truncate()
        file.writelines(json.dumps(entry) + "\n" for entry in left)
