"""Reasons in the person's own terms (clinical spec §3a): texts chosen by what the answers certainly say.

A reason is one text, or a list of cases: each case but the last has a condition, and the first
case whose condition certainly holds (three-valued evaluation: only True counts) gives the text;
the last case, the general wording, is used otherwise. A text may name a term as ``{pain}``: the
term's own phrases (definitions.yaml) then say, in the same way, which part of it holds for these
answers ("you have pain in your lower back" rather than "pain in the neck or back").

A reason may instead be a *told* list (spec §3a v3: each answer that made the rule fire is named):
every case whose condition certainly holds is named, the general wording only when none does. One
fact reads as a sentence ("You told us …."), several as a short list after "You told us:", one line
each ("\n- "). Conditions of wordings are read over `Reading.said`, so a case may quote an answer as
given (`answered: {leg_weakness: unsure}`): "not sure" is said only where the person said it.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .conditions import Condition, Facts
from .model import Text, ToldUs

_ABSENT = object()  # an answer not given, in a memo key (unlike UNKNOWN, which a partial reading gives)
_MEMO_LIMIT = 4096


@dataclass(frozen=True)
class Case:
    """One wording, and when it applies (None for the general wording, always the last)."""

    condition: Condition | None = field(compare=False)
    text: Text


@dataclass(frozen=True)
class Cases:
    """Wordings in order of preference; `owner` names them in messages ("rule U1 reason"). A told
    list (`each`) names every case that holds, in order, rather than the first."""

    owner: str
    cases: tuple[Case, ...]
    each: bool = False

    def choose_each(self, facts: Facts) -> tuple[int, ...]:
        """The indexes of every case that certainly holds, else of the last (the general wording)."""
        held = tuple(
            index
            for index, case in enumerate(self.cases[:-1])
            if case.condition is not None and case.condition.evaluate(facts) is True
        )
        return held or (len(self.cases) - 1,)

    def choose(self, facts: Facts) -> int:
        """The index of the first case that certainly holds, else of the last (the general wording)."""
        if len(self.cases) == 1:
            return 0
        for index, case in enumerate(self.cases[:-1]):
            if case.condition is not None and case.condition.evaluate(facts) is True:
                return index
        return len(self.cases) - 1

    @property
    def general(self) -> Text:
        """The general wording, true whenever the rule fires but naming more than may apply."""
        return self.cases[-1].text

    @property
    def by_case(self) -> bool:
        """Whether there is more than the general wording to choose from."""
        return len(self.cases) > 1


@dataclass(frozen=True)
class Wording:
    """The text chosen for some answers, and which case of each list of cases gave it."""

    text: Text
    choices: tuple[tuple[Cases, int], ...]

    @property
    def general_parts(self) -> list[str]:
        """The lists of cases that fell back to their general wording though they have others."""
        return [
            cases.owner for cases, index in self.choices if cases.by_case and index == len(cases.cases) - 1
        ]


@dataclass(frozen=True)
class Reason:
    """A rule's reason: its cases, and the phrases of the terms its texts name."""

    cases: Cases
    phrases: Mapping[str, Cases] = field(default_factory=lambda: MappingProxyType({}))
    told_us: ToldUs | None = None  # for a told list (cases.each): how its facts read
    told_terms: tuple[str, ...] = ()  # the told terms whose facts the list names (for review)
    #: For each case, the terms its text names, in order.
    _named: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)
    #: Filled texts already built, by the case and phrases chosen (assessments reuse them).
    _filled: dict[tuple[int, ...], Text] = field(init=False, repr=False, compare=False)
    #: The answers any case or phrase looks at: the reason depends on these facts alone.
    _fields: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: Reasons already chosen, by the values of those facts (a bounded memo: choosing runs per assessment).
    _resolved: dict[tuple[object, ...], Text] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        named = tuple(tuple(sorted(phrase_names(c.text) & set(self.phrases))) for c in self.cases.cases)
        object.__setattr__(self, "_named", named)
        object.__setattr__(self, "_filled", {})
        conditions = [c.condition for cases in (self.cases, *self.phrases.values()) for c in cases.cases]
        looked_at = {
            atom.key for condition in conditions if condition is not None for atom, _ in condition.atoms()
        }
        object.__setattr__(self, "_fields", tuple(sorted(looked_at, key=repr)))
        object.__setattr__(self, "_resolved", {})

    def wording(self, facts: Facts) -> Wording:
        """The reason for these facts, and which case of each list of cases gave it."""
        if self.cases.each:
            held = self.cases.choose_each(facts)
            told = [(index, self._picks(index, facts)) for index in held]
            told_choices: list[tuple[Cases, int]] = [(self.cases, index) for index in held]
            for index, picks in told:
                told_choices += [(self.phrases[n], i) for n, i in zip(self._named[index], picks, strict=True)]
            return Wording(self._told(told), tuple(told_choices))
        chosen = self.cases.choose(facts)
        named = self._named[chosen]
        picks = tuple(self.phrases[name].choose(facts) for name in named)
        choices = ((self.cases, chosen), *((self.phrases[n], i) for n, i in zip(named, picks, strict=True)))
        return Wording(self._text(chosen, named, picks), choices)

    def resolve(self, facts: Facts) -> Text:
        """The reason for these facts, each term it names filled with the phrase that applies."""
        key = tuple(facts.get(name, _ABSENT) for name in self._fields)
        known = self._resolved.get(key)
        if known is None:
            if len(self._resolved) >= _MEMO_LIMIT:
                self._resolved.clear()
            known = self._resolved.setdefault(key, self._choose(facts))
        return known

    def _picks(self, index: int, facts: Facts) -> tuple[int, ...]:
        return tuple(self.phrases[name].choose(facts) for name in self._named[index])

    def _told(self, told: list[tuple[int, tuple[int, ...]]]) -> Text:
        if self.told_us is None:
            raise ValueError(f"{self.cases.owner}: a told list needs ruleset.yaml `told_us`")
        return self.told_us.compose(self._facts(told))

    def _facts(self, told: list[tuple[int, tuple[int, ...]]]) -> tuple[Text, ...]:
        return tuple(dict.fromkeys(self._text(index, self._named[index], picks) for index, picks in told))

    def told(self, facts: Facts) -> tuple[Text, ...]:
        """For a told list, the facts it names for these answers, one text each; else none."""
        if not self.cases.each:
            return ()
        return self._facts([(index, self._picks(index, facts)) for index in self.cases.choose_each(facts)])

    def _choose(self, facts: Facts) -> Text:
        if self.cases.each:
            return self._told([(index, self._picks(index, facts)) for index in self.cases.choose_each(facts)])
        chosen = self.cases.choose(facts)
        named = self._named[chosen]
        if not named:
            return self.cases.cases[chosen].text
        return self._text(chosen, named, tuple(self.phrases[name].choose(facts) for name in named))

    def _text(self, chosen: int, named: tuple[str, ...], picks: tuple[int, ...]) -> Text:
        key = (chosen, *picks)
        filled = self._filled.get(key)
        if filled is None:
            phrases = {name: self.phrases[name].cases[i].text for name, i in zip(named, picks, strict=True)}
            filled = self._filled.setdefault(key, fill(self.cases.cases[chosen].text, phrases))
        return filled

    @property
    def general(self) -> Text:
        """The general wording, with each term named by its general phrase (for review and records)."""
        text = self.cases.general
        general = fill(
            text, {name: self.phrases[name].general for name in phrase_names(text) & set(self.phrases)}
        )
        return self.told_us.compose((general,)) if self.cases.each and self.told_us else general

    def texts(self) -> Iterator[tuple[str, Text]]:
        """Every text a person may be shown, named by its place, before terms are filled in."""
        for number, case in enumerate(self.cases.cases, 1):
            yield f"case {number}", case.text


def phrase_names(text: Text) -> set[str]:
    """The {names} a text uses."""
    return set(text.placeholders())


def fill(text: Text, phrases: Mapping[str, Text]) -> Text:
    """The text with each {name} of `phrases` replaced by that phrase, in each language; others kept."""
    if not phrases:
        return text
    return Text.of({lang: _fill(template, lang, phrases) for lang, template in text.translations.items()})


def _fill(template: str, lang: str, phrases: Mapping[str, Text]) -> str:
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name in phrases:
            parts.append(phrases[name].get(lang))
        else:  # a placeholder filled later from configuration
            parts.append(
                "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            )
    return "".join(parts)
