"""Phone numbers as people type them, checked and stored in international (E.164) form."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "GR"


def international_number(typed: str, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 form (+302101234567), or None when it is not a valid phone number."""
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
