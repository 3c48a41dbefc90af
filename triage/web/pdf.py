"""PDFs of the app's own pages, made by WeasyPrint (with Debian's Pango and its fonts, embedded).

The site's style sheet is read from disk and parsed once per process; its print rules lay out the
A4 page. Nothing is fetched from anywhere while a PDF is made: a file a page names is read from the
app's static folder, and any other address (another site, a file outside the static folder, a
data: URL) is refused, so no text in a page can make the server fetch anything.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Response, current_app
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: The style sheet of every PDF, in the static folder.
STYLESHEET = "css/main.css"
#: Relative addresses in a page resolve against this: "/static/css/main.css" becomes a file: URL
#: whose path the fetcher maps into the static folder.
BASE_URL = "file:///"


class ExternalFetchRefused(ValueError):
    """A page being made into a PDF named something outside the app's static files."""


class StaticFilesOnly(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """A URL fetcher that reads the app's static files from disk and refuses everything else."""

    def __init__(self, static_folder: str | Path, static_url_path: str) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.root = Path(static_folder).resolve()
        self.prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        """The static file a file: URL under the static path names; ExternalFetchRefused otherwise."""
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.scheme == "file" and not parts.netloc and path.startswith(self.prefix):
            found = (self.root / path.removeprefix(self.prefix)).resolve()
            if found.is_relative_to(self.root) and found.is_file():
                kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": kind})
        raise ExternalFetchRefused(f"not one of the app's static files: {parts.scheme}:")


@functools.cache
def fonts() -> FontConfiguration:
    """One font configuration per process (finding the fonts is most of a small PDF's time)."""
    return FontConfiguration()


@functools.cache
def stylesheet(static_folder: str) -> CSS:
    """The site's style sheet, parsed once. WeasyPrint reads print rules only: it would warn of each
    screen-width rule it skips, at every parse, so those warnings are left out here."""
    weasyprint_log = logging.getLogger("weasyprint")
    level = weasyprint_log.level
    weasyprint_log.setLevel(logging.ERROR)
    try:
        return CSS(filename=str(Path(static_folder) / STYLESHEET), font_config=fonts())
    finally:
        weasyprint_log.setLevel(level)


def render(html: str) -> bytes:
    """The PDF of a page of the app (A4, from the style sheet's print rules)."""
    folder = current_app.static_folder or "static"
    fetcher = StaticFilesOnly(folder, current_app.static_url_path or "/static")
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet(folder)], font_config=fonts())
    return pdf


def download(html: str, filename: str) -> Response:
    """A PDF of the page, to save (never stored by a browser's cache: see triage/web/headers.py)."""
    return Response(
        render(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
