"""Plain language (clinical spec §5, version 3), over every text a person can be shown.

The texts: the rules' reasons (each case with every phrase of each term it names filled in, so every
reason a person can read), guidance; the levels (their actions and phone scripts); the safety net and
the not-a-diagnosis statement; the terms' descriptions ("How this tool decides"); the questions'
wording, options, errors and phone variants; and every msgstr of both page catalogues. Placeholders
are filled as the pages fill them: the practice's demo details for `{emergency_number}` and the like,
a short sample value for the others.

The limits: no sentence over 25 words in either language; in English a Flesch-Kincaid grade (textstat)
of 8 or less for every text and 6 or less for at least 90% of them.

Choices, so that the figures mean what a reader meets:
- Sentences and words are counted as tests/support/sentences.py says (an English ";" or ":" does not
  end a sentence). An item of a list (a warning sign) is a text of its own.
- Not prose, so left out of the grade (never out of the sentence limit): a text of fewer than three
  words once placeholders are filled (a heading, a button, an option such as "Yes" or
  "Osteoporosis", whose grade would be one word's syllables: "Osteoporosis" alone is grade 44).
- A text shown in several places (a phrase in several reasons, a catalogue entry) counts once.
- Not shown to a person: the clinical safety case (rules/hazards.yaml, rules/safety_case.yaml), read by
  the practice's clinicians as a document, and the catalogues' header.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import textstat
from babel.messages.pofile import read_po

from tests.support.sentences import MAX_WORDS, sentences, words
from triage.config import practice_values
from triage.engine import RuleSet, Text, load_rules
from triage.engine.wording import Reason, fill, phrase_names

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "triage" / "translations"
LANGUAGES = ("en", "el")
MAX_GRADE = 8.0
PLAIN_GRADE = 6.0
PLAIN_SHARE = 0.9
#: Sample values for the rule texts' own placeholders (the contract's messages).
RULE_SAMPLES = {"label": "Your age", "min": "18", "max": "120", "values": "yes, no"}
#: Sample values for the catalogues' %(name)s placeholders: short, as a page fills them.
PAGE_SAMPLES = {
    "account": "maria",
    "code": "123456",
    "count": "3",
    "day": "Monday",
    "days": "2",
    "digits": "6",
    "first": "1",
    "hours": "2",
    "last": "10",
    "left": "2",
    "minutes": "15",
    "num": "3",
    "number": "7",
    "phone": "+30 210 000 0000",
    "reference": "7KQ-2MX",
    "span": "2 hours",
    "step": "2",
    "steps": "5",
    "time": "14:00",
}
PAGE_WORD = "this"  # any other %(name)s: a short word
_PAGE_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Shown:
    """One text a person can be shown, in one language, with where it comes from."""

    source: str
    lang: str
    text: str


def is_prose(text: str) -> bool:
    """Whether the grade applies: three words or more."""
    return len(words(text)) >= 3


def _rendered(text: Text, lang: str, source: str, values: Mapping[str, str]) -> Shown:
    return Shown(source, lang, text.render(lang, values))


def _reasons(reason: Reason) -> Iterator[tuple[str, Text]]:
    """Every reason a person can read: each case with each phrase of each term it names."""
    for number, case in enumerate(reason.cases.cases, 1):
        named = sorted(phrase_names(case.text) & set(reason.phrases))
        choices = [range(len(reason.phrases[name].cases)) for name in named]
        for picks in itertools.product(*choices):
            phrases = {n: reason.phrases[n].cases[i].text for n, i in zip(named, picks, strict=True)}
            where = ", ".join(f"{n} phrase {i + 1}" for n, i in zip(named, picks, strict=True))
            text = fill(case.text, phrases)
            if reason.told_us is not None:  # a fact of a told list, as a sentence of its own
                text = reason.told_us.compose((text,))
            yield f"reason case {number}" + (f" ({where})" if where else ""), text


def rule_texts(rules: RuleSet) -> Iterator[tuple[str, Text]]:
    """Every text of rules/ a person can be shown, named by file and place."""
    for level, advice in rules.levels.items():
        where = f"rules/levels.yaml {level.value}"
        yield f"{where} label", advice.label
        yield f"{where} action", advice.action
        yield f"{where} expect", advice.expect
        yield f"{where} phone_script", advice.phone_script
        for number, text in enumerate(advice.guidance, 1):
            yield f"{where} guidance {number}", text
    intro, signs = rules.safety_net
    yield "rules/safety_net.yaml intro", intro
    for number, sign in enumerate(signs, 1):
        yield f"rules/safety_net.yaml warning sign {number}", sign
    yield "rules/safety_net.yaml not_a_diagnosis", rules.not_a_diagnosis
    for rule in rules.rules:
        where = f"rules/{rule.topic}.yaml {rule.id}"
        for place, text in _reasons(rule.wording):
            yield f"{where} {place}", text
        if rule.guidance is not None:
            yield f"{where} guidance", rule.guidance
    for term in rules.terms:
        yield f"rules/definitions.yaml {term.name} description", term.description
    yield from _contract_texts(rules)


def _contract_texts(rules: RuleSet) -> Iterator[tuple[str, Text]]:
    contract = rules.contract
    for section in contract.sections:
        yield f"rules/questions.yaml section {section.id} title", section.title
        if section.details_title is not None:
            yield f"rules/questions.yaml section {section.id} details_title", section.details_title
    for question in contract.questions:
        where = f"rules/questions.yaml {question.id}"
        for key, text in question.wording.items():
            yield f"{where} {key}", text
        for value, text in question.options.items():
            yield f"{where} option {value}", text
        for code, text in question.errors.items():
            yield f"{where} error {code}", text
        for voice, wording in question.variants.items():
            for key, text in wording.items():
                yield f"{where} {voice} {key}", text
        for voice, errors in question.voice_errors.items():
            for code, text in errors.items():
                yield f"{where} {voice} error {code}", text
    for code, text in contract.messages.items():
        yield f"rules/questions.yaml message {code}", text
    for answer, text in contract.answer_words.items():
        yield f"rules/questions.yaml answer {answer}", text


def shown_rule_texts() -> list[Shown]:
    """The rule texts in every language, placeholders filled as the pages fill them."""
    rules = load_rules()
    values = {lang: {**practice_values({}, lang), **RULE_SAMPLES} for lang in LANGUAGES}
    return [
        _rendered(text, lang, source, values[lang])
        for source, text in rule_texts(rules)
        for lang in LANGUAGES
    ]


def _page_value(match: re.Match[str]) -> str:
    return PAGE_SAMPLES.get(match.group(1), PAGE_WORD)


def shown_page_texts() -> list[Shown]:
    """Every msgstr of both catalogues, tags taken out and placeholders filled."""
    shown = []
    for lang in LANGUAGES:
        with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogue = read_po(po, locale=lang)
        for message in catalogue:
            if not message.id:
                continue  # the header
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                text = _PAGE_PLACEHOLDER.sub(_page_value, _TAG.sub(" ", string or ""))
                shown.append(Shown(f"{lang} messages.po msgid {msgid!r}", lang, " ".join(text.split())))
    return shown


def grade(text: str) -> float:
    """The English Flesch-Kincaid grade of a text."""
    return float(textstat.flesch_kincaid_grade(text))


@pytest.fixture(scope="module")
def shown() -> list[Shown]:
    """Each distinct text once per language, named by the first place it comes from."""
    distinct = {(t.lang, t.text): t for t in reversed(shown_rule_texts() + shown_page_texts())}
    return list(reversed(distinct.values()))


def test_the_texts_are_collected_from_every_source(shown: list[Shown]) -> None:
    sources = {text.source.split(" ")[0] for text in shown}
    assert {"rules/levels.yaml", "rules/safety_net.yaml", "rules/questions.yaml"} <= sources
    assert {"rules/emergency.yaml", "rules/definitions.yaml", "en", "el"} <= sources
    reasons = [text for text in shown if "phrase" in text.source and text.lang == "en"]
    assert reasons and all("{" not in text.text for text in reasons), "a reason's term left unfilled"


def test_the_limits_can_fail() -> None:
    long = " ".join(["word"] * (MAX_WORDS + 1)) + "."
    assert max(len(words(s)) for s in sentences(long, "en")) > MAX_WORDS
    hard = "Consequently, extraordinarily complicated terminology characterises pharmacology."
    assert grade(hard) > MAX_GRADE
    assert sentences("Πού πονάτε; Στη μέση.", "el") == ["Πού πονάτε;", "Στη μέση."]
    assert len(sentences("Call 112 now; do not wait.", "en")) == 1


def test_no_sentence_is_over_25_words(shown: list[Shown]) -> None:
    long = [
        f"{text.source} [{text.lang}]: {len(words(sentence))} words: {sentence}"
        for text in shown
        for sentence in sentences(text.text, text.lang)
        if len(words(sentence)) > MAX_WORDS
    ]
    assert not long, f"{len(long)} sentences over {MAX_WORDS} words:\n" + "\n".join(long)


def test_every_english_text_is_at_grade_8_or_less(shown: list[Shown]) -> None:
    hard = [
        f"{text.source}: grade {grade(text.text):.1f}: {text.text}"
        for text in shown
        if text.lang == "en" and is_prose(text.text) and grade(text.text) > MAX_GRADE
    ]
    assert not hard, f"{len(hard)} English texts above grade {MAX_GRADE:g}:\n" + "\n".join(hard)


def test_nine_in_ten_english_texts_are_at_grade_6_or_less(shown: list[Shown]) -> None:
    prose = [text for text in shown if text.lang == "en" and is_prose(text.text)]
    above = sorted(((grade(t.text), t) for t in prose if grade(t.text) > PLAIN_GRADE), key=lambda g: -g[0])
    share = 1 - len(above) / len(prose)
    listed = "\n".join(f"{t.source}: grade {g:.1f}: {t.text}" for g, t in above)
    assert share >= PLAIN_SHARE, (
        f"{share:.0%} of {len(prose)} English texts at grade {PLAIN_GRADE:g} or less "
        f"(at least {PLAIN_SHARE:.0%} needed); above it:\n{listed}"
    )
