"""Reference codes: 8 random characters of Crockford's base32 in two groups, like 7KQ3-M9TX."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O or U
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SHAPE = re.compile(f"^[{ALPHABET}]{{8}}$")


def new_reference() -> str:
    """A fresh random reference: 40 bits from the system's secure random source, drawn at once
    (one system call, not eight), 5 bits to a character."""
    bits = int.from_bytes(secrets.token_bytes(5), "big")
    code = "".join(ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"{code[:4]}-{code[4:]}"


def normalise_reference(typed: str) -> str | None:
    """A reference as someone may type or read it out (any case, spaces, O for 0), or None."""
    code = re.sub(r"[\s-]", "", typed.upper()).translate(_READ_AS)
    return f"{code[:4]}-{code[4:]}" if _SHAPE.match(code) else None
