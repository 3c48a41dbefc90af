"""Maintaining the page-text catalogues: `translations fill-english`."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def translations() -> None:
    """Maintain the page-text catalogues (see `make translations-update`)."""


@translations.command("fill-english")
def fill_english() -> None:
    """The English catalogue says every page text as written: copy each msgid into its msgstr."""
    from babel.messages.pofile import read_po, write_po

    path = Path(__file__).parent.parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalogue = read_po(file, locale="en")
    for message in catalogue:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with path.open("wb") as file:
        write_po(file, catalogue, omit_header=False, sort_output=True, no_location=True)
    click.echo(f"filled {len(catalogue)} English messages")
