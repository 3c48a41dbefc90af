"""Loading rules/: safe YAML, a schema per file, then meaning; every error names file and rule."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from . import schemas
from .compiler import Compiler
from .conditions import Condition, ConditionError
from .contract import FALLBACK_CODES, Contract, Question, Section, fixed_values
from .model import Level, LevelAdvice, Rule, RulesVersion, Text
from .ruleset import RuleSet, TermDefinition
from .wording import Case, Cases, Reason, phrase_names

RULESET, QUESTIONS, DEFINITIONS, LEVELS, SAFETY_NET = (
    "ruleset.yaml",
    "questions.yaml",
    "definitions.yaml",
    "levels.yaml",
    "safety_net.yaml",
)
SUPPORT_FILES = (RULESET, QUESTIONS, DEFINITIONS, LEVELS, SAFETY_NET)

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
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "rules"


@dataclass(frozen=True)
class RuleFileError:
    """One thing wrong in one file; `item` is the rule, question or term it is in, if any."""

    path: str
    item: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.item}: {self.message}" if self.item else f"{self.path}: {self.message}"


class RulesInvalid(Exception):
    """rules/ cannot be loaded; `errors` lists every problem found."""

    def __init__(self, errors: Iterable[RuleFileError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(map(str, self.errors)))


def load_rules(directory: Path | str = DEFAULT_RULES_DIR) -> RuleSet:
    """Load and validate every file of a rules folder; raises RulesInvalid naming each problem."""
    return _Loader(Path(directory)).load()


class _Loader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.errors: list[RuleFileError] = []
        self.documents: dict[str, Any] = {}
        self.languages: tuple[str, ...] = ("en",)
        self.placeholders: frozenset[str] = frozenset()
        self.phrases: dict[str, Cases] = {}  # the terms that have phrases
        self.term_names: frozenset[str] = frozenset()

    # -- the steps -------------------------------------------------------------------------------

    def load(self) -> RuleSet:
        topic_files = self._topic_files()
        header = self._read(RULESET, schemas.RULESET)
        self._stop_if_errors()
        self.languages = tuple(header["languages"])
        self.placeholders = frozenset(header["placeholders"])
        contract = self._contract(self._read(QUESTIONS, schemas.QUESTIONS))
        self._stop_if_errors()
        fields = {q.id: q for q in contract.questions}
        floor = self._floor(header["floor"], fields)
        terms = self._terms(self._read(DEFINITIONS, schemas.TERMS), fields)
        levels = self._levels(self._read(LEVELS, schemas.LEVELS))
        safety = self._read(SAFETY_NET, schemas.SAFETY_NET)
        self._stop_if_errors()
        compiler = Compiler(fields, {t.name: t.condition for t in terms})
        self.phrases = {t.name: t.phrases for t in terms if t.phrases is not None}
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
            floor=floor,
        )

    def _topic_files(self) -> list[str]:
        if not self.directory.is_dir():
            raise RulesInvalid([RuleFileError(str(self.directory), None, "no such folder")])
        for stray in sorted(self.directory.glob("*.yml")):
            self._error(stray.name, None, "rule files end in .yaml; rename it")
        names = sorted(p.name for p in self.directory.glob("*.yaml"))
        return [name for name in names if name not in SUPPORT_FILES]

    def _read(self, name: str, schema: Mapping[str, Any]) -> Any:
        path = self.directory / name
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
            repeated = _repeated_keys(yaml.compose(text, Loader=yaml.SafeLoader))
        except FileNotFoundError:
            return self._error(name, None, "file is missing")
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            return self._error(name, None, f"not valid YAML: {exc}")
        if repeated:
            for item, key, line in repeated:
                self._error(name, item, f"line {line}: the key {key!r} is written twice in one place")
            return None
        validator = jsonschema.Draft202012Validator(schema)
        problems = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        for problem in problems:
            location = list(problem.absolute_path)
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location).lstrip(".")
            self._error(name, _item_at(data, location), f"{where or 'file'}: {problem.message}")
        self.documents[name] = data
        return None if problems else data

    def _contract(self, data: Any) -> Contract:
        if data is None:
            return Contract((), (), {})
        sections = [
            (s["id"], self._text(s["title"], QUESTIONS, f"section {s['id']}")) for s in data["sections"]
        ]
        section_ids = [sid for sid, _ in sections]
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
            Section(sid, title, tuple(q.id for q in questions if q.section == sid)) for sid, title in sections
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
        kind = raw["type"]
        values = tuple(raw.get("values", ())) or fixed_values(kind)
        wording = {k: self._text(v, QUESTIONS, where) for k, v in raw["wording"].items() if k != "options"}
        options = {k: self._text(v, QUESTIONS, where) for k, v in raw["wording"].get("options", {}).items()}
        if kind in ("choice", "multi_choice") and set(options) != set(values):
            self._error(QUESTIONS, where, "wording.options must word each value, and only those")
        errors = {
            code: self._text(t, QUESTIONS, where, MESSAGE_PLACEHOLDERS)
            for code, t in raw.get("errors", {}).items()
        }
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
        if order == "ascending" and kind != "integer":
            self._error(QUESTIONS, where, "concern_order 'ascending' is for number questions")
        elif isinstance(order, list) and (kind != "choice" or set(order) != set(values)):
            self._error(QUESTIONS, where, "concern_order must list every value of a choice question")
        if kind == "integer" and raw["min"] >= raw["max"]:
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
        )

    def _floor(
        self, data: Mapping[str, Any], fields: Mapping[str, Question]
    ) -> tuple[Level, tuple[str, ...]]:
        for name in data["any_yes"]:
            if name not in fields or fields[name].kind != "yes_no":
                self._error(RULESET, "floor", f"{name!r} is not a yes/no question")
        return Level(data["level"]), tuple(data["any_yes"])

    def _terms(self, data: Any, fields: Mapping[str, Question]) -> list[TermDefinition]:
        terms: list[TermDefinition] = []
        for name, raw in (data or {"terms": {}})["terms"].items():
            compiler = Compiler(fields, {t.name: t.condition for t in terms})
            where = f"term {name}"
            condition = self._condition(compiler, raw["when"], DEFINITIONS, where, "when")
            if name in self.placeholders:
                self._error(DEFINITIONS, where, f"the name is also a placeholder listed in {RULESET}")
            if condition is not None:
                description = self._text(raw["description"], DEFINITIONS, where)
                phrases = (
                    self._cases(raw["phrases"], DEFINITIONS, where, "phrases", compiler)
                    if "phrases" in raw
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
            )
        return levels

    def _topic(self, name: str, compiler: Compiler) -> list[Rule]:
        data = self._read(name, schemas.TOPIC)
        if data is None:
            return []
        if data["topic"] != Path(name).stem:
            self._error(name, None, f"topic {data['topic']!r} must match the file name")
        rules = []
        for raw in data["rules"]:
            where = f"rule {raw['id']}"
            condition = self._condition(compiler, raw["when"], name, where, "when")
            if raw["level"] not in {level.value for level in Level}:
                self._error(
                    name,
                    where,
                    f"level {raw['level']!r} is not one of {', '.join(level.value for level in Level)}",
                )
                continue
            if condition is None:
                continue
            rules.append(
                Rule(
                    id=raw["id"],
                    level=Level(raw["level"]),
                    wording=self._reason(raw["reason"], name, where, compiler),
                    guidance=self._text(raw["guidance"], name, where) if "guidance" in raw else None,
                    source=raw["source"],
                    topic=data["topic"],
                    condition=condition,
                    repeats=tuple(raw.get("repeats", ())),
                )
            )
        return rules

    def _reason(self, raw: Any, path: str, where: str, compiler: Compiler) -> Reason:
        """A reason: one text or a list of cases, whose texts may name terms that have phrases."""
        if isinstance(raw, list):
            cases = self._cases(raw, path, where, "reason", compiler, self.term_names)
        else:
            cases = Cases(f"{where} reason", (Case(None, self._text(raw, path, where, self.term_names)),))
        named: set[str] = set()
        for number, case in enumerate(cases.cases, 1):
            by_language = {
                lang: frozenset(phrase_names(Text.of({lang: text})) & self.term_names)
                for lang, text in case.text.translations.items()
            }
            if len(set(by_language.values())) > 1:
                listed = "; ".join(
                    f"{lang}: {', '.join(sorted(n)) or 'none'}" for lang, n in by_language.items()
                )
                self._error(
                    path, where, f"reason case {number}: the languages name different terms ({listed})"
                )
            for term in sorted(set().union(*by_language.values())):
                if term in self.phrases:
                    named.add(term)
                else:
                    self._error(
                        path, where, f"reason: {{{term}}}: term {term!r} has no phrases in {DEFINITIONS}"
                    )
        return Reason(cases, {term: self.phrases[term] for term in sorted(named)})

    def _cases(
        self,
        raw: list[dict[str, Any]],
        path: str,
        where: str,
        key: str,
        compiler: Compiler,
        names: frozenset[str] = frozenset(),
    ) -> Cases:
        """Wordings chosen by condition: each but the last has `when`; the last is the general one."""
        cases = []
        for index, item in enumerate(raw):
            at = f"{key}[{index}]"
            last = index == len(raw) - 1
            if last and "when" in item:
                self._error(
                    path,
                    where,
                    f"{at}: the last case is the general wording, used when no other holds; it has no `when`",
                )
            elif not last and "when" not in item:
                self._error(
                    path, where, f"{at}: only the last case (the general wording) may leave out `when`"
                )
            condition = self._condition(compiler, item.get("when"), path, where, f"{at}.when")
            text = self._text({k: v for k, v in item.items() if k != "when"}, path, where, names)
            cases.append(Case(condition, text))
        return Cases(f"{where} {key}", tuple(cases))

    def _check_repeats(self, rules: list[Rule]) -> None:
        by_id = {rule.id: rule for rule in rules}
        for rule in rules:
            for other in rule.repeats:
                target = by_id.get(other)
                if target is None:
                    self._error(f"{rule.topic}.yaml", f"rule {rule.id}", f"repeats: no rule {other!r}")
                elif target.level <= rule.level:
                    self._error(
                        f"{rule.topic}.yaml",
                        f"rule {rule.id}",
                        f"repeats: {other} ({target.level.value}) is not more urgent than {rule.id} "
                        f"({rule.level.value}); a reason is left out only for a more urgent rule's",
                    )

    # -- helpers ---------------------------------------------------------------------------------

    def _condition(self, compiler: Compiler, data: Any, path: str, where: str, key: str) -> Condition | None:
        if data is None:
            return None
        try:
            return compiler.compile(data, key)
        except ConditionError as exc:
            self._error(path, where, str(exc))
            return None

    def _text(
        self, translations: Mapping[str, str], path: str, where: str, also: frozenset[str] = frozenset()
    ) -> Text:
        text = Text.of(translations)
        missing = [lang for lang in self.languages if lang not in text.languages]
        if missing:
            self._error(path, where, f"no {', '.join(missing)} translation of {_quote(text)}")
        extra = sorted(text.languages - set(self.languages))
        if extra:
            self._error(path, where, f"language {', '.join(extra)} is not listed in {RULESET}")
        try:
            unknown = sorted(text.placeholders() - self.placeholders - also)
        except ValueError as exc:
            self._error(path, where, f"broken {{placeholder}} in {_quote(text)}: {exc}")
        else:
            if unknown:
                self._error(path, where, f"unknown placeholder {{{', '.join(unknown)}}} in {_quote(text)}")
        return text

    def _check_unique_ids(self, rules: list[Rule]) -> None:
        seen: dict[str, str] = {}
        for rule in rules:
            if rule.id in seen:
                self._error(
                    f"{rule.topic}.yaml", f"rule {rule.id}", f"the id is also used in {seen[rule.id]}.yaml"
                )
            seen.setdefault(rule.id, rule.topic)

    def _content_hash(self) -> str:
        canonical = json.dumps(self.documents, sort_keys=True, ensure_ascii=False, default=str)
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _error(self, name: str, item: str | None, message: str) -> None:
        self.errors.append(RuleFileError(f"{self.directory.name}/{name}", item, message))

    def _stop_if_errors(self) -> None:
        if self.errors:
            raise RulesInvalid(self.errors)


def _repeated_keys(
    node: yaml.Node | None, item: str | None = None, within: str | None = None
) -> list[tuple[str | None, str, int]]:
    """Keys written twice in one mapping (YAML would silently keep the last one).

    Returns (the rule, question or term they are in, the key, its line). `within` is the key
    whose value `node` is.
    """
    found: list[tuple[str | None, str, int]] = []
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found += _repeated_keys(child, item, within)
    elif isinstance(node, yaml.MappingNode):
        kind = _ITEM_KINDS.get(within or "")
        ident = next((v.value for k, v in node.value if k.value == "id"), None)
        if kind and ident:
            item = f"{kind} {ident}"
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                found.append((item, name, key.start_mark.line + 1))
            seen.add(name)
            found += _repeated_keys(value, f"term {name}" if within == "terms" else item, name)
    return found


_ITEM_KINDS = {"rules": "rule", "questions": "question", "levels": "level", "sections": "section"}


def _item_at(data: Any, location: list[Any]) -> str | None:
    """Name the rule, question or term a schema error is in, from where it is in the file."""
    if (
        len(location) >= 2
        and location[0] in ("rules", "questions", "levels")
        and isinstance(location[1], int)
    ):
        kind = {"rules": "rule", "questions": "question", "levels": "level"}[location[0]]
        item = data[location[0]][location[1]]
        label = item.get("id") if isinstance(item, dict) else None
        return f"{kind} {label}" if label else f"{kind} #{location[1] + 1}"
    if len(location) >= 2 and location[0] == "terms":
        return f"term {location[1]}"
    return None


def _quote(text: Text) -> str:
    first = next(iter(text.translations.values()), "")
    return repr(first[:40] + ("…" if len(first) > 40 else ""))
