"""Loading rules/: safe YAML, a schema per file, then meaning; every error names file and rule.

files.py reads one file and reports its errors; topics.py reads the topic files of rules; this
module reads the support files (the contract, terms, levels, safety net) and puts it all together.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from . import schemas
from .compiler import Compiler
from .contract import FALLBACK_CODES, Contract, Kind, Question, Section
from .files import RULESET, RuleFileError, RulesInvalid
from .model import Level, LevelAdvice, RulesVersion, Target, ToldUs
from .ruleset import Floor, RuleSet, TermDefinition
from .topics import DEFINITIONS, TopicReader

QUESTIONS, LEVELS, SAFETY_NET = ("questions.yaml", "levels.yaml", "safety_net.yaml")
SUPPORT_FILES = (RULESET, QUESTIONS, DEFINITIONS, LEVELS, SAFETY_NET)
#: The clinical safety case's files (triage/safety reads them): not rules, never read to assess, not
#: in the content hash.
SAFETY_FILES = ("hazards.yaml", "safety_case.yaml")

#: Every problem code the validator can report: questions.yaml must word each one.
MESSAGE_CODES = frozenset(
    {
        "required",
        "not_integer",
        "out_of_range",
        "not_boolean",
        "not_yes_no",
        "not_a_choice",
        "not_a_list",
        "unknown_option",
        "duplicate_option",
        "empty",
        "unknown_field",
        "not_an_object",
    }
)
#: Problem codes only a question can word (its own message for part of a range), by question type.
QUESTION_ONLY_CODES = {"below_minimum": "integer"}
#: What a message for an invalid answer may name: the question's label and a number's limits.
MESSAGE_PLACEHOLDERS = frozenset({"label", "min", "max"})
#: The voices a question may have its own wording for, besides the patient's (its `wording`).
VOICES = ("phone",)
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "rules"


def load_rules(directory: Path | str = DEFAULT_RULES_DIR) -> RuleSet:
    """Load and validate every file of a rules folder; raises RulesInvalid naming each problem."""
    return _Loader(Path(directory)).load()


class _Loader(TopicReader):
    """Reads every file of a rules folder, support files first, into one RuleSet."""

    # -- the steps -------------------------------------------------------------------------------

    def load(self) -> RuleSet:
        topic_files = self._topic_files()
        header = self._read(RULESET, schemas.RULESET)
        self._stop_if_errors()
        self.languages = tuple(header["languages"])
        self.placeholders = frozenset(header["placeholders"])
        told_us = header.get("told_us")  # needed by a `told:` reason (rules from 2026.12.3)
        self.told_us = told_us and ToldUs(
            self._text(told_us["one"], RULESET, "told_us.one", frozenset({"told"})),
            self._text(told_us["several"], RULESET, "told_us.several"),
        )
        contract = self._contract(self._read(QUESTIONS, schemas.QUESTIONS))
        self._stop_if_errors()
        fields = {q.id: q for q in contract.questions}
        floors = self._floors(header["floor"], fields)
        terms = self._terms(self._read(DEFINITIONS, schemas.TERMS), fields)
        levels = self._levels(self._read(LEVELS, schemas.LEVELS))
        safety = self._read(SAFETY_NET, schemas.SAFETY_NET)
        self._stop_if_errors()
        compiler = Compiler(fields, {t.name: t.condition for t in terms})
        self.wording_compiler = Compiler(fields, {t.name: t.condition for t in terms}, wording=True)
        self.phrases = {t.name: t.phrases for t in terms if t.phrases is not None and not t.phrases.each}
        self.told_terms = {t.name: t.phrases for t in terms if t.phrases is not None and t.phrases.each}
        self.term_names = frozenset(t.name for t in terms)
        rules = [rule for name in topic_files for rule in self._topic(name, compiler)]
        self._check_unique_ids(rules)
        self._check_repeats(rules)
        net = safety["safety_net"]
        safety_net = (
            self._text(net["intro"], SAFETY_NET, "safety_net.intro"),
            tuple(self._text(t, SAFETY_NET, "warning sign") for t in net["warning_signs"]),
        )
        not_a_diagnosis = self._text(safety["not_a_diagnosis"], SAFETY_NET, "not_a_diagnosis")
        self._stop_if_errors()
        return RuleSet(
            name=header["name"],
            version=RulesVersion(header["version"], self._content_hash()),
            languages=self.languages,
            contract=contract,
            terms=tuple(terms),
            rules=tuple(sorted(rules, key=lambda r: (-r.level.rank, r.id))),
            levels=levels,
            safety_net=safety_net,
            not_a_diagnosis=not_a_diagnosis,
            placeholders=self.placeholders,
            floors=floors,
        )

    def _topic_files(self) -> list[str]:
        if not self.directory.is_dir():
            raise RulesInvalid([RuleFileError(str(self.directory), None, "no such folder")])
        for stray in sorted(self.directory.glob("*.yml")):
            self._error(stray.name, None, "rule files end in .yaml; rename it")
        names = sorted(p.name for p in self.directory.glob("*.yaml"))
        return [name for name in names if name not in SUPPORT_FILES + SAFETY_FILES]

    def _contract(self, data: Any) -> Contract:
        if data is None:
            return Contract((), (), {})
        sections = [
            (
                s["id"],
                self._text(s["title"], QUESTIONS, f"section {s['id']}"),
                self._text(s["details_title"], QUESTIONS, f"section {s['id']}")
                if "details_title" in s
                else None,
            )
            for s in data["sections"]
        ]
        section_ids = [sid for sid, _, _ in sections]
        compiler = Compiler({})
        questions: list[Question] = []
        for raw in data["questions"]:
            where = f"question {raw['id']}"
            question = self._question(raw, where, compiler)
            if raw["section"] not in section_ids:
                self._error(QUESTIONS, where, f"unknown section {raw['section']!r}")
            if question.id in compiler.fields:
                self._error(QUESTIONS, where, "the same id is used twice")
            questions.append(question)
            compiler = Compiler({**compiler.fields, question.id: question})
        messages = {
            code: self._text(t, QUESTIONS, f"messages.{code}", MESSAGE_PLACEHOLDERS)
            for code, t in data["messages"].items()
        }
        for code in sorted(MESSAGE_CODES - set(messages)):
            self._error(QUESTIONS, "messages", f"no general message for {code!r}")
        grouped = tuple(
            Section(sid, title, tuple(q.id for q in questions if q.section == sid), details)
            for sid, title, details in sections
        )
        for section in grouped:
            if not section.question_ids:
                self._error(QUESTIONS, f"section {section.id}", "has no questions")
        for qid in grouped[0].question_ids:
            question = next(q for q in questions if q.id == qid)
            if question.asked_when is not None or not question.required:
                self._error(
                    QUESTIONS, f"question {qid}", "the emergency screen is always asked and always required"
                )
        words = {word: self._text(t, QUESTIONS, "answer_words") for word, t in data["answer_words"].items()}
        return Contract(tuple(questions), grouped, messages, words)

    def _question(self, raw: dict[str, Any], where: str, compiler: Compiler) -> Question:
        kind = Kind(raw["type"])
        values = tuple(raw.get("values", ())) or kind.fixed_values
        wording = {k: self._text(v, QUESTIONS, where) for k, v in raw["wording"].items() if k != "options"}
        variants = {
            voice: {
                k: self._text(v, QUESTIONS, f"{where}: {voice}")
                for k, v in raw[voice].items()
                if k != "errors"
            }
            for voice in VOICES
            if voice in raw
        }
        voice_errors = {
            voice: {
                code: self._text(t, QUESTIONS, f"{where}: {voice}", MESSAGE_PLACEHOLDERS)
                for code, t in raw[voice]["errors"].items()
            }
            for voice in VOICES
            if "errors" in raw.get(voice, {})
        }
        options = {k: self._text(v, QUESTIONS, where) for k, v in raw["wording"].get("options", {}).items()}
        if kind in (Kind.CHOICE, Kind.MULTI_CHOICE) and set(options) != set(values):
            self._error(QUESTIONS, where, "wording.options must word each value, and only those")
        errors = {
            code: self._text(t, QUESTIONS, where, MESSAGE_PLACEHOLDERS)
            for code, t in raw.get("errors", {}).items()
        }
        for voice, worded in voice_errors.items():
            for code in sorted(set(worded) - set(errors)):
                self._error(
                    QUESTIONS, where, f"{voice}.errors.{code}: the question has no message of its own for it"
                )
        for code in sorted(set(errors) - MESSAGE_CODES):
            if code not in QUESTION_ONLY_CODES:
                self._error(QUESTIONS, where, f"errors.{code}: not a problem the validator reports")
            elif kind != QUESTION_ONLY_CODES[code]:
                self._error(
                    QUESTIONS,
                    where,
                    f"errors.{code}: only a question of type {QUESTION_ONLY_CODES[code]} can have it "
                    f"(others use {FALLBACK_CODES[code]})",
                )
        order = raw.get("concern_order")
        concern_order = (order,) if isinstance(order, str) else tuple(order) if order else None
        if order == "ascending" and not kind.is_number:
            self._error(QUESTIONS, where, "concern_order 'ascending' is for number questions")
        elif isinstance(order, list) and (kind is not Kind.CHOICE or set(order) != set(values)):
            self._error(QUESTIONS, where, "concern_order must list every value of a choice question")
        if kind.is_number and raw["min"] >= raw["max"]:
            self._error(QUESTIONS, where, "min must be below max")
        if raw.get("min_items", 0) > len(values):
            self._error(QUESTIONS, where, "min_items is more than there are values")
        return Question(
            id=raw["id"],
            section=raw["section"],
            kind=kind,
            values=values,
            minimum=raw.get("min", 0),
            maximum=raw.get("max", 0),
            min_items=raw.get("min_items", 0),
            required=raw.get("required", True),
            asked_when=self._condition(compiler, raw.get("asked_when"), QUESTIONS, where, "asked_when"),
            concern_order=concern_order,
            wording=wording,
            options=options,
            errors=errors,
            variants=variants,
            voice_errors=voice_errors,
        )

    def _floors(self, data: list[Mapping[str, Any]], fields: Mapping[str, Question]) -> tuple[Floor, ...]:
        seen: set[str] = set()
        for name in (name for floor in data for name in floor["any_yes"]):
            if name not in fields or fields[name].kind is not Kind.YES_NO:
                self._error(RULESET, "floor", f"{name!r} is not a yes/no question")
            elif name in seen:
                self._error(RULESET, "floor", f"{name!r} is in more than one floor")
            seen.add(name)
        return tuple(Floor(Level(floor["level"]), tuple(floor["any_yes"])) for floor in data)

    def _terms(self, data: Any, fields: Mapping[str, Question]) -> list[TermDefinition]:
        terms: list[TermDefinition] = []
        for name, raw in (data or {"terms": {}})["terms"].items():
            known = {t.name: t.condition for t in terms}
            compiler = Compiler(fields, known)
            where = f"term {name}"
            condition = self._condition(compiler, raw["when"], DEFINITIONS, where, "when")
            wording = Compiler(fields, known, wording=True)
            if name in self.placeholders:
                self._error(DEFINITIONS, where, f"the name is also a placeholder listed in {RULESET}")
            if condition is not None:
                description = self._text(raw["description"], DEFINITIONS, where)
                phrases = (
                    self._cases(raw["phrases"], DEFINITIONS, where, "phrases", wording)
                    if "phrases" in raw
                    else self._cases(raw["told"], DEFINITIONS, where, "told", wording, each=True)
                    if "told" in raw
                    else None
                )
                terms.append(TermDefinition(name, description, condition, phrases))
        return terms

    def _levels(self, data: Any) -> dict[Level, LevelAdvice]:
        if data is None:
            return {}
        ids = [raw["id"] for raw in data["levels"]]
        expected = [level.value for level in sorted(Level, reverse=True)]
        if ids != expected:
            self._error(LEVELS, None, f"levels must be exactly {', '.join(expected)}, in that order")
            return {}
        levels = {}
        for raw in data["levels"]:
            where = f"level {raw['id']}"
            levels[Level(raw["id"])] = LevelAdvice(
                level=Level(raw["id"]),
                label=self._text(raw["label"], LEVELS, where),
                action=self._text(raw["action"], LEVELS, where),
                expect=self._text(raw["expect"], LEVELS, where),
                guidance=tuple(self._text(t, LEVELS, where) for t in raw.get("guidance", ())),
                phone_script=self._phone_text(raw["phone_script"], LEVELS, where, "phone_script"),
                target=_target(raw["target"]),
                callback_working_days=raw.get("callback", {}).get("working_days"),
            )
        self._check_targets(levels)
        return levels

    def _check_targets(self, levels: Mapping[Level, LevelAdvice]) -> None:
        """A more urgent level never gives the practice longer than a less urgent one."""
        ordered = sorted(levels.values(), key=lambda advice: advice.level)
        for lower, higher in itertools.pairwise(ordered):
            if higher.target.longest > lower.target.longest:
                self._error(
                    LEVELS,
                    f"level {higher.level.value}",
                    f"target gives more time than the less urgent level {lower.level.value}'s",
                )


def _target(data: Mapping[str, Any]) -> Target:
    """A level's target from its one key (the schema allows exactly one)."""
    if data.get("end_of_day"):
        return Target(end_of_day=True)
    (unit, amount), *_ = data.items()
    return Target(within=timedelta(**{unit: amount}))


__all__ = [
    "DEFAULT_RULES_DIR",
    "SAFETY_FILES",
    "SUPPORT_FILES",
    "RuleFileError",
    "RulesInvalid",
    "load_rules",
]
