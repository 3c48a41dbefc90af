"""Phone numbers as people type them, checked and stored in international (E.164) form."""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers

DEFAULT_REGION = "GR"


def international_number(typed: str, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 form (+302101234567), or None when it is not a valid phone number."""
    number = _parsed(typed, region, phonenumbers.is_valid_number)
    return None if number is None else phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def readable_number(number: str, region: str = DEFAULT_REGION) -> str:
    """A number grouped for reading aloud (+30 691 234 5678); one that cannot be read as a phone
    number is given back as it is."""
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
