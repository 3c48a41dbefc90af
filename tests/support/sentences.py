"""Sentences and words as the plain-language limit counts them (clinical spec §5, version 3): used
over the texts themselves (tests/test_plain_language.py) and over the pages as a browser shows
them (tests/browser/test_findings.py).

A sentence ends at ".", "!" or "?" (and the Greek question mark ";") followed by a space or the end
of the text. An English ";" or ":" does not end one: a reader reads on to the full stop, so the
clauses it joins count as one sentence. A word is a token with a letter or digit in it.
"""

from __future__ import annotations

import re

#: The most words a sentence may have, in either language.
MAX_WORDS = 25
_ENDS = {"el": re.compile(r"(?<=[.!?;])\s+"), "en": re.compile(r"(?<=[.!?])\s+")}
_WORD = re.compile(r"\w", re.UNICODE)


def sentences(text: str, lang: str) -> list[str]:
    """The text's sentences (see the module docstring for where one ends)."""
    ends = _ENDS["el"] if lang == "el" else _ENDS["en"]
    return [part for part in ends.split(text.strip()) if part]


def words(sentence: str) -> list[str]:
    """The words of a sentence: tokens with a letter or digit in them."""
    return [token for token in sentence.split() if _WORD.search(token)]
