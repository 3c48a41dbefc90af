"""API keys, kept by their hash: made, listed, looked up and revoked (triage/api/keys.py makes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from triage.extensions import db
from triage.storage.codes import KeyScope
from triage.storage.database import add_unique, read, transaction
from triage.storage.models import ApiKey


@dataclass(frozen=True)
class ActiveKey:
    """An unrevoked API key: its name and what it may do."""

    name: str
    scope: KeyScope


def create_api_key(name: str, key_hash: str, scope: KeyScope = KeyScope.SAVE) -> ApiKey:
    """Add an API key by its hash; raises ValueError when the name is taken."""
    key = ApiKey(name=name, key_hash=key_hash, created_at=datetime.now(UTC), scope=scope)
    add_unique(key, f"an API key named {name!r} exists (revoked keys keep their name)")
    return key


def api_keys() -> list[ApiKey]:
    """Every API key, revoked ones included, oldest first."""
    return read(lambda: list(db.session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))))


def active_api_key(key_hash: str) -> ActiveKey | None:
    """The unrevoked API key with this hash, if any."""
    query = select(ApiKey.name, ApiKey.scope).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    row = read(lambda: db.session.execute(query).first())
    return None if row is None else ActiveKey(row.name, KeyScope(row.scope))


def revoke_api_key(name: str) -> ApiKey:
    """Revoke the API key with this name (LookupError: there is none, or it is revoked already)."""
    key = read(lambda: db.session.scalars(select(ApiKey).where(ApiKey.name == name)).first())
    if key is None or key.revoked_at is not None:
        raise LookupError(f"no active API key {name!r}")
    with transaction():
        key.revoked_at = datetime.now(UTC)
    return key
