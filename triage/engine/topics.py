"""Reading a topic file of rules/: each rule's condition, reason (worded by case), guidance and repeats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import schemas
from .compiler import Compiler
from .files import FileReader
from .model import Level, Rule, Text, ToldUs
from .wording import Case, Cases, Reason, phrase_names

DEFINITIONS = "definitions.yaml"


class TopicReader(FileReader):
    """Reads topic files; `phrases` and `term_names` come from definitions.yaml, read first."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.phrases: dict[str, Cases] = {}  # the terms that have phrases (the first that holds)
        self.told_terms: dict[str, Cases] = {}  # the terms whose facts are told (each that holds)
        self.term_names: frozenset[str] = frozenset()
        self.told_us: ToldUs | None = None  # ruleset.yaml `told_us`, read first
        self.wording_compiler: Compiler | None = None  # conditions of wordings (may use `answered`)

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
            level = Level(raw["level"])
            rules.append(
                Rule(
                    id=raw["id"],
                    level=level,
                    wording=self._reason(raw["reason"], name, where, self.wording_compiler or compiler),
                    guidance=self._text(raw["guidance"], name, where) if "guidance" in raw else None,
                    source=raw["source"],
                    topic=data["topic"],
                    condition=condition,
                    repeats=tuple(raw.get("repeats", ())),
                )
            )
        return rules

    def _reason(self, raw: Any, path: str, where: str, compiler: Compiler) -> Reason:
        """A reason: one text, a list of cases or a told list, whose texts may name terms that have
        phrases."""
        told_terms: list[str] = []
        if isinstance(raw, dict) and "told" in raw:
            cases = self._told(raw["told"], path, where, compiler, told_terms)
            if self.told_us is None:
                self._error(
                    path, where, "a `told:` reason needs `told_us` in ruleset.yaml (how its facts read)"
                )
        elif isinstance(raw, list):
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
                elif term in self.told_terms:
                    self._error(
                        path,
                        where,
                        f"reason: {{{term}}}: term {term!r} names each of its facts; list it in a "
                        f"`told:` reason as `- term: {term}`",
                    )
                else:
                    self._error(
                        path, where, f"reason: {{{term}}}: term {term!r} has no phrases in {DEFINITIONS}"
                    )
        return Reason(
            cases,
            {term: self.phrases[term] for term in sorted(named)},
            self.told_us if cases.each else None,
            tuple(told_terms),
        )

    def _told(
        self, raw: list[dict[str, Any]], path: str, where: str, compiler: Compiler, terms: list[str]
    ) -> Cases:
        """A told list: its own cases, and for each `term: NAME` that term's told facts, in place."""
        own: list[dict[str, Any]] = []
        spliced: dict[int, Cases] = {}  # where in `own` a term's facts go
        for index, item in enumerate(raw):
            if "term" not in item:
                own.append(item)
                continue
            name = item["term"]
            if index == len(raw) - 1:
                self._error(path, where, f"told[{index}]: the last fact is the general wording, not a term")
            elif name not in self.told_terms:
                self._error(path, where, f"told[{index}]: term {name!r} has no `told` facts in {DEFINITIONS}")
            else:
                spliced[len(own)] = self.told_terms[name]
                terms.append(name)
        listed = self._cases(own, path, where, "told", compiler, self.term_names, each=True)
        cases: list[Case] = []
        for index, case in enumerate(listed.cases):
            if index in spliced:
                cases.extend(spliced[index].cases[:-1])
            cases.append(case)
        return Cases(listed.owner, tuple(cases), each=True)

    def _cases(
        self,
        raw: list[dict[str, Any]],
        path: str,
        where: str,
        key: str,
        compiler: Compiler,
        names: frozenset[str] = frozenset(),
        *,
        each: bool = False,
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
        return Cases(f"{where} {key}", tuple(cases), each=each)

    def _check_repeats(self, rules: list[Rule]) -> None:
        by_id = {rule.id: rule for rule in rules}
        for rule in rules:
            for other in rule.repeats:
                target = by_id.get(other)
                if target is None:
                    self._error(f"{rule.topic}.yaml", f"rule {rule.id}", f"repeats: no rule {other!r}")
                elif target.level < rule.level:
                    self._error(
                        f"{rule.topic}.yaml",
                        f"rule {rule.id}",
                        f"repeats: {other} ({target.level.value}) is less urgent than {rule.id} "
                        f"({rule.level.value}); a reason is left out only for a rule at least as urgent",
                    )
                elif rule.id in target.repeats:
                    self._error(
                        f"{rule.topic}.yaml",
                        f"rule {rule.id}",
                        f"repeats: {other} repeats {rule.id} too; one of them must keep its reason",
                    )

    def _check_unique_ids(self, rules: list[Rule]) -> None:
        seen: dict[str, str] = {}
        for rule in rules:
            if rule.id in seen:
                self._error(
                    f"{rule.topic}.yaml", f"rule {rule.id}", f"the id is also used in {seen[rule.id]}.yaml"
                )
            seen.setdefault(rule.id, rule.topic)
