"""Reading the PDFs the app makes: pages, text, and whether every font is embedded (pypdf)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from werkzeug.test import TestResponse


@dataclass(frozen=True)
class Pdf:
    """A PDF as a reader gets it."""

    pages: int
    text: str  # every page's text, whitespace made single spaces
    fonts_embedded: bool  # every font of every page carries its glyphs (a font file)


def read(data: bytes) -> Pdf:
    """Read a PDF made by the app."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    return Pdf(len(reader.pages), text, all(_embedded(page) for page in reader.pages))


def pdf_of(response: TestResponse) -> Pdf:
    """The PDF a response carries, checked to be one sent for saving."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    return read(response.data)


def _embedded(page: object) -> bool:
    fonts = page["/Resources"].get("/Font", {})  # type: ignore[index]
    found = []
    for reference in fonts.values():
        font = reference.get_object()
        descendants = font.get("/DescendantFonts")
        described = descendants[0].get_object() if descendants else font
        descriptor = described.get("/FontDescriptor")
        found.append(
            descriptor is not None
            and any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        )
    return bool(found) and all(found)
