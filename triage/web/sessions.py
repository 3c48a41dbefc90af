"""The session cookie, encrypted: a person's answers (and a staff login) are unreadable on the client.

Flask's own cookie is signed, not encrypted: anyone holding it can read the answers inside
(base64 and zlib). Here the same cookie is sealed with Fernet (AES-128-CBC with HMAC-SHA256, from
the `cryptography` library), its key derived from SECRET_KEY with HKDF; older keys in
SECRET_KEY_FALLBACKS still open cookies made before a key change.

Inside, the session is Flask's own tagged JSON (the serializer Flask's signed cookie uses), so a
tuple, a date or Markup comes back as itself. Cookies sealed before it (JSON after a "j") are
still read, as JSON, while sessions that old may last.

Why a cookie and not a server-side store: the questionnaire must keep working when the database
is down (the advice never depends on it), and nothing about a person is kept on the server until
they confirm their answers. The cookie stays under the 4 KB browsers accept whatever is sent: typed
drafts are capped (triage/patient/state.py); a list in the session (Flask's flashed messages are one)
keeps each item once and its newest LIST_ITEMS only, so a message flashed by every request of a
flood is shown once; and a session that would still grow past MAX_COOKIE_BYTES loses its drafts,
then its largest values one at a time, with a warning naming them.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

log = logging.getLogger(__name__)
#: Browsers keep cookies up to 4096 bytes, name and attributes included.
MAX_COOKIE_BYTES = 3800
#: What a session may lose first when it would not fit: text typed on a page but not accepted.
DISPOSABLE_KEYS = ("drafts",)
#: The items a list in the session keeps, the newest: a page shows a few flashed messages at most.
LIST_ITEMS = 5
_HKDF_SALT = b"spine-triage"
#: Before the JSON of a cookie sealed by an earlier release; the tagged JSON starts with "{".
_EARLIER = b"j"
#: What a derived key is for: each purpose has a key of its own, all from the one SECRET_KEY.
COOKIE_PURPOSE = b"session cookie encryption"


def fernet_key(secret: str | bytes, purpose: bytes = COOKIE_PURPOSE) -> bytes:
    """An encryption key for one purpose, derived from one secret key (HKDF-SHA256)."""
    material = secret.encode("utf-8") if isinstance(secret, str) else secret
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=purpose).derive(material)
    return base64.urlsafe_b64encode(derived)


def sealer(app: Flask, purpose: bytes) -> MultiFernet:
    """Encrypts with a key from the app's SECRET_KEY; also opens what older keys (fallbacks) sealed."""
    secrets = [app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or [])]
    return MultiFernet([Fernet(fernet_key(secret, purpose)) for secret in secrets if secret])


class EncryptedSerializer:
    """dumps/loads as Flask's session interface uses them, sealing the session's JSON with Fernet."""

    def __init__(self, secrets: list[str | bytes]) -> None:
        self.fernet = MultiFernet([Fernet(fernet_key(secret)) for secret in secrets])
        self.tagged = TaggedJSONSerializer()

    def dumps(self, session: dict[str, Any]) -> str:
        """The sealed cookie value; a session that would not fit a cookie loses its disposable keys,
        then its largest values one at a time, until it does."""
        sealed = self._seal(session)
        if len(sealed) <= MAX_COOKIE_BYTES:
            return sealed
        kept = {key: value for key, value in session.items() if key not in DISPOSABLE_KEYS}
        dropped = [key for key in session if key in DISPOSABLE_KEYS]
        sealed = self._seal(kept)
        while len(sealed) > MAX_COOKIE_BYTES and kept:
            largest = max(kept, key=lambda key: self._size(kept[key]))
            del kept[largest]
            dropped.append(largest)
            sealed = self._seal(kept)
        log.warning("Session too large for a cookie: dropped %s (%d bytes)", ", ".join(dropped), len(sealed))
        return sealed

    def loads(self, value: str, max_age: int | None = None) -> dict[str, Any]:
        """The session in a sealed cookie; BadSignature when it was not sealed with our key."""
        try:
            opened = self.fernet.decrypt(value.encode("ascii"), ttl=max_age)
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise BadSignature("the session cookie cannot be opened") from exc
        if opened.startswith(_EARLIER):
            earlier: dict[str, Any] = json.loads(opened[len(_EARLIER) :])
            return earlier
        session: dict[str, Any] = self.tagged.loads(opened.decode("utf-8"))
        return session

    def _seal(self, session: dict[str, Any]) -> str:
        return self.fernet.encrypt(self._text(session)).decode("ascii")

    def _text(self, value: Any) -> bytes:
        return self.tagged.dumps(value).encode("utf-8")

    def _size(self, value: Any) -> int:
        return len(self._text(value))


class BoundedSession(SecureCookieSession):
    """Flask's cookie session, whose lists keep each item once (where it came last) and only their
    newest LIST_ITEMS: Flask keeps flashed messages as such a list until a page shows them."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, _newest_once(value) if isinstance(value, list) else value)


def _newest_once(items: list[Any]) -> list[Any]:
    """The items each once, the newest LIST_ITEMS of them, in their order."""
    seen: set[str] = set()
    newest: list[Any] = []
    for item in reversed(items):
        mark = repr(tuple(item) if isinstance(item, list | tuple) else item)  # a pair, as saved or read
        if mark not in seen:
            seen.add(mark)
            newest.append(item)
            if len(newest) == LIST_ITEMS:
                break
    return newest[::-1]


class EncryptedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, encrypted rather than only signed, its lists bounded."""

    session_class = BoundedSession

    def __init__(self) -> None:
        self._serializers: dict[tuple[str | bytes, ...], EncryptedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> EncryptedSerializer | None:  # type: ignore[override]
        """The sealing serializer for the app's secret key (and its fallbacks), or None without one;
        made once per set of keys, not again for every request."""
        if not app.secret_key:
            return None
        secrets = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or []))
        if secrets not in self._serializers:
            self._serializers[secrets] = EncryptedSerializer(list(secrets))
        return self._serializers[secrets]


def init_app(app: Flask) -> None:
    """Seal the app's session cookie."""
    app.session_interface = EncryptedCookieSessionInterface()
