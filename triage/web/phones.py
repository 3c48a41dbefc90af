"""Phone numbers as people type them: which ones the practice calls back, stored in international
(E.164) form with any extension after the number as RFC 3966 writes it (+302101234567;ext=12).

A call-back number is one the practice phones at its own cost, for anyone who fills in a form: a
number that pays whoever holds it for the call (premium rate, shared cost, and the like) or one in
a far country is a toll-fraud route, so only a person's mobile or landline in Europe is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum

import phonenumbers
from flask_babel import lazy_gettext as _l
from phonenumbers import PhoneNumberType
from wtforms import Field, ValidationError
from wtforms.form import BaseForm

DEFAULT_REGION = "GR"

#: The kinds of number the practice calls back: a person's mobile or landline (FIXED_LINE_OR_MOBILE:
#: where the plan does not tell them apart, as in the United States). Every other kind phonenumbers
#: knows is refused: premium rate, shared cost, UAN (a company's number), personal (follow-me) and
#: VoIP numbers cost extra to call or pass the cost on; pager and voicemail numbers reach nobody; a
#: freephone number is a business's, not a caller's; an UNKNOWN one is not valid for its country.
CALLABLE_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)

#: Where the practice calls back (ISO 3166 codes, as phonenumbers gives a number's region): the EU
#: and the EEA, Switzerland, and the United Kingdom with the islands that share its +44 numbers
#: (phonenumbers gives +44 7911 … as Guernsey's). A mobile or landline elsewhere can be valid and
#: still dear to call, which is what international revenue-share fraud uses: "+53 5 1234567" is a
#: Cuban mobile to phonenumbers.
CALLBACK_REGIONS = frozenset(
    {
        *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
        *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
        "AX",  # Åland, Finland's +358 18
        *("IS", "LI", "NO"),  # the rest of the EEA
        *("CH", "GB", "GG", "IM", "JE"),
    }
)

#: The longest extension kept. With the longest E.164 number (16 characters) and ";ext=", it fits
#: the columns numbers are stored in (32 characters).
MAX_EXTENSION_DIGITS = 8
_EXTENSION = ";ext="


class Refusal(Enum):
    """Why a number is not one the practice calls back."""

    NOT_A_NUMBER = "not a number"
    SPECIAL_SERVICE = "a special-service number"
    ABROAD = "outside Europe"
    LONG_EXTENSION = "extension too long"


class NumberRefused(ValueError):
    """A typed number the practice does not call back, and why."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def callback_number(typed: str, region: str = DEFAULT_REGION) -> str:
    """The number as stored: E.164, with any extension after it (+302101234567;ext=12).

    Raises NumberRefused for anything but a valid mobile or landline in CALLBACK_REGIONS with an
    extension of at most MAX_EXTENSION_DIGITS digits."""
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException as exc:
        raise NumberRefused(Refusal.NOT_A_NUMBER) from exc
    if not phonenumbers.is_valid_number(number):
        raise NumberRefused(Refusal.NOT_A_NUMBER)
    if phonenumbers.number_type(number) not in CALLABLE_TYPES:
        raise NumberRefused(Refusal.SPECIAL_SERVICE)
    if phonenumbers.region_code_for_number(number) not in CALLBACK_REGIONS:
        raise NumberRefused(Refusal.ABROAD)
    extension = number.extension or ""
    if len(extension) > MAX_EXTENSION_DIGITS:
        raise NumberRefused(Refusal.LONG_EXTENSION)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return international + (_EXTENSION + extension if extension else "")


def split_extension(number: str) -> tuple[str, str | None]:
    """A stored number and its extension apart ("+302101234567;ext=12" -> ("+302101234567", "12"))."""
    international, found, extension = number.partition(_EXTENSION)
    return (international, extension) if found else (number, None)


#: The practice's details that are phone numbers (placeholders of the rule set's texts).
PRACTICE_NUMBERS = ("emergency_number", "ambulance_number", "practice_phone")


def with_readable_numbers(details: Mapping[str, str]) -> dict[str, str]:
    """The practice's details with each phone number grouped for reading (readable_number), however
    the setting was typed: "2105550199" and "+30 210 555 0199" are both shown "+30 21 0555 0199"."""
    return {
        name: readable_number(value) if name in PRACTICE_NUMBERS else value for name, value in details.items()
    }


def readable_number(number: str, region: str = DEFAULT_REGION) -> str:
    """A number grouped for reading aloud (+30 691 234 5678): the one way every page, PDF and text
    shows a phone number. One that cannot be read as a phone number (112) is given back as it is."""
    parsed = _parsed(number, region, phonenumbers.is_possible_number)
    return (
        number
        if parsed is None
        else phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    )


def _parsed(
    number: str, region: str, acceptable: Callable[[phonenumbers.PhoneNumber], bool]
) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if acceptable(parsed) else None


#: What a form says under a number it refuses, for each reason.
REFUSALS = {
    Refusal.NOT_A_NUMBER: _l("Enter a phone number we can call, like 694 123 4567 or +30 694 123 4567"),
    Refusal.SPECIAL_SERVICE: _l(
        "We can only call back a mobile or landline number. We cannot call a premium-rate, shared-cost "
        "or other special number"
    ),
    Refusal.ABROAD: _l("We call back numbers in Europe only. Enter a mobile or landline number in Europe"),
    Refusal.LONG_EXTENSION: _l(
        "Enter an extension of %(digits)s digits or fewer", digits=MAX_EXTENSION_DIGITS
    ),
}


class CallableNumber:
    """A WTForms validator: a number the practice calls back (callback_number), or the reason it is not."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        """Raise ValidationError with the refusal's message when the field's number is refused."""
        if not field.data:
            return
        try:
            callback_number(str(field.data))
        except NumberRefused as refused:
            raise ValidationError(REFUSALS[refused.reason]) from refused
