"""The engine's vocabulary: levels, texts, answers and outcomes, all immutable."""

from __future__ import annotations

import enum
import functools
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .wording import Reason


@functools.total_ordering
class Level(enum.Enum):
    """The five urgency levels of clinical spec §3; a greater level is more urgent."""

    INFORMATION = "information"
    SOON = "soon"
    URGENT = "urgent"
    EMERGENCY = "emergency"
    AMBULANCE = "ambulance"

    @property
    def rank(self) -> int:
        """0 for information up to 4 for ambulance."""
        return _RANKS[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank < other.rank


_RANKS = {level: rank for rank, level in enumerate(Level)}


@dataclass(frozen=True)
class Text:
    """One patient-facing text in every language it is written in."""

    translations: Mapping[str, str]
    #: Worked out once: an outcome's texts are hashed each time its reasons and guidance are listed.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(tuple(sorted(self.translations.items()))))

    @classmethod
    def of(cls, translations: Mapping[str, str]) -> Text:
        """Freeze a mapping of language code to text."""
        return cls(MappingProxyType(dict(translations)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def languages(self) -> frozenset[str]:
        """The languages this text exists in."""
        return frozenset(self.translations)

    def get(self, lang: str) -> str:
        """The text in `lang`, or in English where it has no such translation."""
        return self.translations.get(lang) or self.translations["en"]

    def render(self, lang: str, values: Mapping[str, object]) -> str:
        """The text in `lang` with its {placeholders} filled from `values`."""
        return self.get(lang).format_map(values)

    def placeholders(self) -> frozenset[str]:
        """The {names} used in any translation ("" for an empty {}, which no value can fill)."""
        return frozenset(
            name
            for text in self.translations.values()
            for _, name, _, _ in string.Formatter().parse(text)
            if name is not None
        )


@dataclass(frozen=True)
class RulesVersion:
    """The rule set's declared version and the hash of the content it was loaded from."""

    version: str
    content_hash: str

    def __str__(self) -> str:
        return f"{self.version}+{self.content_hash[:12]}"

    def as_dict(self) -> dict[str, str]:
        """The JSON form used by the CLI, the API and storage."""
        return {"version": self.version, "hash": self.content_hash}


@dataclass(frozen=True)
class Answers:
    """Valid answers, as given, to the questions that apply (ignored ones already dropped)."""

    given: Mapping[str, Any] = field(repr=False)

    @classmethod
    def of(cls, given: Mapping[str, Any]) -> Answers:
        """Freeze answers; lists become tuples."""
        frozen = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
        return cls(MappingProxyType(frozen))

    def __iter__(self) -> Iterator[str]:
        return iter(self.given)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.given.items())))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, in the contract's shape."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.given.items()}


@dataclass(frozen=True)
class Rule:
    """One rule of the rule set, as loaded from a topic file."""

    id: str
    level: Level
    wording: Reason = field(repr=False)  # the reason, worded by what the answers say
    guidance: Text | None  # shown only where the rule decides the outcome's level (spec §3a)
    source: str
    topic: str
    condition: Any = field(repr=False, compare=False)  # a conditions.Condition
    repeats: tuple[str, ...] = ()  # rules at least as urgent whose reason already says what this one does
    #: The rule as fired, one for each reason it gives (a reason's wordings are few and immutable).
    _fired: dict[Text, FiredRule] = field(init=False, repr=False, compare=False, default_factory=dict)

    @property
    def reason(self) -> Text:
        """The reason in general terms (for review and records); see reason_for."""
        return self.wording.general

    def reason_for(self, facts: Mapping[str, Any]) -> Text:
        """The reason in the person's own terms: what these answers certainly say."""
        return self.wording.resolve(facts)

    def fired_for(self, facts: Mapping[Any, Any]) -> FiredRule:
        """The rule as fired on these facts (a Reading's `said`), with their reason (made once for
        each reason)."""
        reason = self.reason_for(facts)
        fired = self._fired.get(reason)
        if fired is None:
            made = FiredRule(
                self.id,
                self.level,
                reason,
                self.guidance,
                self.source,
                self.repeats,
                self.wording.told(facts),
                self.wording.told_us,
            )
            fired = self._fired.setdefault(reason, made)
        return fired


@dataclass(frozen=True)
class FiredRule:
    """A rule that fired, with the patient-readable reason it fired and its own guidance, if any."""

    id: str
    level: Level
    reason: Text
    guidance: Text | None
    source: str
    repeats: tuple[str, ...] = ()  # its reason left out when any of these fired
    told: tuple[Text, ...] = ()  # for a told reason, the facts it names, one text each
    told_us: ToldUs | None = None  # and how they read


@dataclass(frozen=True)
class ToldUs:
    """How a told reason reads (ruleset.yaml `told_us`): one fact in a sentence, several as a list."""

    one: Text  # with {told}: "You told us {told}."
    several: Text  # the line before the list: "You told us:"

    def compose(self, facts: tuple[Text, ...]) -> Text:
        """The reason naming these facts, in each language: one line each after the first ("\n- ")."""
        if len(facts) == 1:
            return Text.of(
                {
                    lang: one.replace("{told}", facts[0].get(lang))
                    for lang, one in self.one.translations.items()
                }
            )
        return Text.of(
            {
                lang: lead + "".join(f"\n- {fact.get(lang)}" for fact in facts)
                for lang, lead in self.several.translations.items()
            }
        )


@dataclass(frozen=True)
class Target:
    """How soon the practice acts on a record at a level (levels.yaml `target`): within a span of its
    arrival, or by the end of the practice's day (in the practice's time zone, given by the caller)."""

    within: timedelta | None = None
    end_of_day: bool = False

    def due(self, arrived: datetime, zone: tzinfo) -> datetime:
        """When a record that arrived then is due (an aware time: `arrived` naive is taken as UTC)."""
        arrived = _aware(arrived)
        if self.within is not None:
            return arrived + self.within
        local = arrived.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(local, time(0), tzinfo=zone)

    def overdue_before(self, now: datetime, zone: tzinfo) -> datetime:
        """Records that arrived before this time are overdue now (due is never earlier for a later one)."""
        now = _aware(now)
        if self.within is not None:
            return now - self.within
        return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)

    def describe(self) -> str:
        """The target in words, for clinicians ("within 15 minutes", "by the end of the practice's day")."""
        if self.within is None:
            return "by the end of the practice's day"
        seconds = int(self.within.total_seconds())
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds % size == 0:
                count = seconds // size
                return f"within {count} {unit}{'s' if count != 1 else ''}"
        return f"within {seconds} seconds"

    @property
    def longest(self) -> timedelta:
        """The most time the target can give: its span, or a whole day."""
        return self.within if self.within is not None else timedelta(days=1)


def _aware(moment: datetime) -> datetime:
    """A time with its zone; a naive one (SQLite keeps none) is UTC, as every stored time is."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class LevelAdvice:
    """What a level tells the person (label, action, what to expect, guidance) and the phone script."""

    level: Level
    label: Text
    action: Text
    expect: Text
    guidance: tuple[Text, ...]
    phone_script: Text  # what the receptionist tells the caller to do, in the practice's own voice
    target: Target = Target()  # how soon the practice acts on a record at this level
    #: Within how many working days a requested call back comes, where the level promises a number
    #: of days (levels.yaml `callback`); None where it does not (urgent: today).
    callback_working_days: int | None = None


@dataclass(frozen=True)
class SafetyNet:
    """The warning signs shown on every result, and what to expect at this level."""

    intro: Text
    warning_signs: tuple[Text, ...]
    expect: Text


@dataclass(frozen=True)
class Outcome:
    """The result of an assessment. Never a diagnosis: a level, its reasons and its advice.

    `fired_rules` holds every rule that fired, most urgent first (staff see them all). What the
    person is shown is derived from them (spec §3a): the decisive rules are those at the outcome's
    level, and only their guidance is shown, with the level's own advice. What is derived is worked
    out once (an outcome never changes; a page and its JSON form ask for it several times).
    """

    level: Level
    fired_rules: tuple[FiredRule, ...]
    advice: LevelAdvice
    safety_net: SafetyNet
    not_a_diagnosis: Text
    rules_version: RulesVersion
    answers: Answers = field(repr=False)
    partial: bool = False
    unanswered: tuple[str, ...] = ()

    @functools.cached_property
    def decisive_rules(self) -> tuple[FiredRule, ...]:
        """The fired rules at the outcome's level: the ones that decided it."""
        return tuple(rule for rule in self.fired_rules if rule.level == self.level)

    @functools.cached_property
    def other_rules(self) -> tuple[FiredRule, ...]:
        """The fired rules below the outcome's level (their guidance is never shown)."""
        return tuple(rule for rule in self.fired_rules if rule.level < self.level)

    @functools.cached_property
    def _reasons(self) -> tuple[tuple[Text, ...], tuple[Text, ...]]:
        """The reasons shown, decisive then the others, each fact told once on the page (spec §3a v3):
        a rule repeating another that fired is left out, and a told reason names only the facts no
        earlier reason named (left out if none is left)."""
        fired = {rule.id for rule in self.fired_rules}
        decisive = {rule.id for rule in self.decisive_rules}
        told: set[Text] = set()
        shown: list[list[Text]] = [[], []]
        for rule in self.fired_rules:
            first = rule.level == self.level
            if (decisive if first else fired) & set(rule.repeats):
                continue
            reason = rule.reason
            if rule.told and rule.told_us is not None:
                new = tuple(fact for fact in rule.told if fact not in told)
                if not new:
                    continue
                told.update(new)
                reason = reason if new == rule.told else rule.told_us.compose(new)
            if all(reason not in texts for texts in shown):
                shown[0 if first else 1].append(reason)
        return tuple(shown[0]), tuple(shown[1])

    @property
    def decisive_reasons(self) -> tuple[Text, ...]:
        """Why, first: the reasons of the decisive rules, in rule order, less those repeating another
        decisive rule's (which says all they say: at least one is always kept, as repeats never loop)."""
        return self._reasons[0]

    @property
    def also_told_reasons(self) -> tuple[Text, ...]:
        """ "You also told us": the other rules' reasons (no guidance), less those repeating another
        and the facts already told."""
        return self._reasons[1]

    @property
    def action(self) -> Text:
        """The action to show: always the level's, so that it agrees with the level's heading."""
        return self.advice.action

    @property
    def phone_script(self) -> Text:
        """What the receptionist reads out: the level's script."""
        return self.advice.phone_script

    @functools.cached_property
    def guidance(self) -> tuple[Text, ...]:
        """The guidance shown: the decisive rules' own, then the level's; never a lower rule's."""
        texts = [rule.guidance for rule in self.decisive_rules if rule.guidance is not None]
        return tuple(dict.fromkeys([*texts, *self.advice.guidance]))
