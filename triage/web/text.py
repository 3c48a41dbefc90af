"""What free text a form accepts: no NUL or other control characters, never longer than its column.

PostgreSQL refuses a NUL byte in text (and SQLite would store it); control characters have no
place in a name, a phone number or a note. Each form field says so with its own message.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import Field, ValidationError
from wtforms.form import BaseForm

#: Line breaks and tabs a multi-line note may hold.
_NOTE_WHITESPACE = frozenset("\n\r\t")


def has_control_characters(text: str, multiline: bool = False) -> bool:
    """Whether text holds a NUL or another control character (line breaks allowed when multiline)."""
    allowed = _NOTE_WHITESPACE if multiline else frozenset()
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in text)


class PlainText:
    """A WTForms validator: refuses control characters, with a message for the field."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: BaseForm, field: Field) -> None:
        """Raise ValidationError when the field's text holds a control character."""
        if isinstance(field.data, str) and has_control_characters(field.data, self.multiline):
            raise ValidationError(_l("Remove the special characters this cannot hold"))
