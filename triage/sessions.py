"""The session cookie, encrypted: a person's answers (and a staff login) are unreadable on the client.

Flask's own cookie is signed, not encrypted: anyone holding it can read the answers inside
(base64 and zlib). Here the same cookie is sealed with Fernet (AES-128-CBC with HMAC-SHA256, from
the `cryptography` library), its key derived from SECRET_KEY with HKDF; older keys in
SECRET_KEY_FALLBACKS still open cookies made before a key change.

Inside, the session is JSON written and read by orjson, after a mark of its own: Flask's tagged JSON
walks every value in Python to mark the types JSON lacks, 58 µs to write a session of answers that
orjson writes in 1. A session holds JSON's own values (text, numbers, true/false, lists, objects);
a tuple comes back as a list (Flask's flashes are read either way). Anything orjson would not write
as itself (a date, bytes, Markup) is written by Flask's tagged JSON as before, without the mark, and
read back by it, as are the cookies sealed before this change. (The mark, not the text, says which:
a field name typed into a draft may look like one of the tagged JSON's tags, " b" or " t".)

Why a cookie and not a server-side store: the questionnaire must keep working when the database
is down (the advice never depends on it), and nothing about a person is kept on the server until
they confirm their answers. The cookie stays well under the 4 KB browsers accept: typed drafts are
capped (triage/patient/state.py), and if a session still grows past MAX_COOKIE_BYTES its drafts are
dropped before anything else.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

log = logging.getLogger(__name__)
#: Browsers keep cookies up to 4096 bytes, name and attributes included.
MAX_COOKIE_BYTES = 3800
#: What a session may lose first when it would not fit: text typed on a page but not accepted.
DISPOSABLE_KEYS = ("drafts",)
_HKDF_SALT = b"spine-triage"
#: Before a session's JSON written by orjson; the tagged JSON's text starts with "{", never with it.
_ORJSON = b"j"
#: Dates, dataclasses and str subclasses (Markup): orjson refuses them, for the tagged JSON to write.
_TAGGED_TYPES = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
)
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
        """The sealed cookie value, dropping disposable keys when it would not fit a cookie."""
        sealed = self._seal(session)
        if len(sealed) > MAX_COOKIE_BYTES:
            session = {key: value for key, value in session.items() if key not in DISPOSABLE_KEYS}
            sealed = self._seal(session)
            log.warning("Session too large for a cookie: its drafts were dropped (%d bytes)", len(sealed))
        return sealed

    def loads(self, value: str, max_age: int | None = None) -> dict[str, Any]:
        """The session in a sealed cookie; BadSignature when it was not sealed with our key."""
        try:
            opened = self.fernet.decrypt(value.encode("ascii"), ttl=max_age)
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise BadSignature("the session cookie cannot be opened") from exc
        if opened.startswith(_ORJSON):
            data: dict[str, Any] = orjson.loads(opened[len(_ORJSON) :])
            return data
        tagged: dict[str, Any] = self.tagged.loads(opened.decode("utf-8"))
        return tagged

    def _seal(self, session: dict[str, Any]) -> str:
        try:
            text = _ORJSON + orjson.dumps(session, option=_TAGGED_TYPES)
        except orjson.JSONEncodeError:  # a type JSON lacks (a date, bytes, Markup): tagged, as Flask's
            text = self.tagged.dumps(session).encode("utf-8")
        return self.fernet.encrypt(text).decode("ascii")


class EncryptedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, encrypted rather than only signed."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[str | bytes, ...], EncryptedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> EncryptedSerializer | None:  # type: ignore[override]
        """The sealing serializer for the app's secret key (and its fallbacks), or None without one;
        made once per set of keys (deriving the keys costs more than opening a cookie)."""
        if not app.secret_key:
            return None
        secrets = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or []))
        if secrets not in self._serializers:
            self._serializers[secrets] = EncryptedSerializer(list(secrets))
        return self._serializers[secrets]


def init_app(app: Flask) -> None:
    """Seal the app's session cookie."""
    app.session_interface = EncryptedCookieSessionInterface()
