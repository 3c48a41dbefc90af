"""The project's static files, fingerprinted: every address of one carries a hash of its content
(`/static/css/main.css?v=3f2a…`), so a browser keeps it for a year without asking again, and a
changed file has a new address. A request without the current hash is answered, but must be
revalidated (an old page still gets its style sheet)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

#: A year: the longest a browser is asked to keep anything; immutable: not even on reload.
FOREVER = "public, max-age=31536000, immutable"
_DIGESTS = "triage_static_digests"


def init_app(app: Flask) -> None:
    """Put the hash in every static address the app makes, and cache what is asked for by it."""
    app.url_defaults(add_fingerprint)
    app.after_request(cache_fingerprinted)


def fingerprint(filename: str) -> str:
    """A short hash of a static file's content (made once per file and app)."""
    digests: dict[str, str] = current_app.extensions.setdefault(_DIGESTS, {})
    if filename not in digests:
        folder = Path(str(current_app.static_folder))
        path = (folder / filename).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            return ""
        digests[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return digests[filename]


def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
    """url_for("static", filename=…) gains ?v=<hash of the file>."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = fingerprint(str(values["filename"]))
        if digest:
            values["v"] = digest


def cache_fingerprinted(response: Response) -> Response:
    """A static file asked for by its current hash may be kept for a year."""
    filename = (request.view_args or {}).get("filename")
    asked = request.endpoint == "static" and response.status_code == 200 and filename
    if asked and request.args.get("v") == fingerprint(str(filename)):
        response.headers["Cache-Control"] = FOREVER
    return response
