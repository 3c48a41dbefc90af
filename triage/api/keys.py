"""API keys: made at random, shown once, kept only as a SHA-256 hash, each with a scope.

A key is 32 random bytes, so a plain SHA-256 hash is enough to keep it: nobody can guess their
way back from the hash, and a slow password hash would only slow every API request down. A key
saves assessments and reads back only the ones it saved; one made with the read scope reads every
record (the practice's electronic record).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from triage.storage import repository
from triage.storage.codes import Action, KeyScope
from triage.storage.models import Assessment

#: Every key starts with this, so one found in a log or a repository is recognised for what it is.
PREFIX = "st_"


class KeyRefused(Exception):
    """An Authorization header that names no active key: malformed, unknown or revoked."""


@dataclass(frozen=True)
class Caller:
    """Who sent an API request: the name and scope of its key, or None without one."""

    key_name: str | None
    scope: KeyScope = KeyScope.SAVE

    def may_read(self, record: Assessment) -> bool:
        """Whether this caller's key may read the record: one it saved, or any with the read scope."""
        if self.key_name is None:
            return False
        return self.scope is KeyScope.READ or record.api_key == self.key_name


def key_hash(key: str) -> str:
    """The SHA-256 hash a key is kept as."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue(name: str, scope: KeyScope = KeyScope.SAVE) -> str:
    """Make a new key named `name` with this scope and return it; only its hash is stored
    (ValueError: name taken)."""
    if not name or len(name) > 50 or not name.isprintable():
        raise ValueError("the key's name must be 1 to 50 printable characters")
    key = PREFIX + secrets.token_urlsafe(32)
    repository.create_api_key(name, key_hash(key), scope)
    repository.audit("cli", Action.CREATE_API_KEY, target=name, detail=f"scope {scope}")
    return key


def sent_key(authorization: str | None) -> str | None:
    """The key an Authorization header sends (None: no header), not yet checked against the keys
    issued. Raises KeyRefused for a header that is not "Bearer KEY"."""
    if not authorization:
        return None
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise KeyRefused
    return key.strip()


def caller(authorization: str | None) -> Caller:
    """Who the Authorization header says is calling: no header is an anonymous caller.

    Raises KeyRefused for a header that names no active key, and StorageUnavailable when the keys
    cannot be read.
    """
    key = sent_key(authorization)
    if key is None:
        return Caller(None)
    found = repository.active_api_key(key_hash(key))
    if found is None:
        raise KeyRefused
    return Caller(found.name, found.scope)
