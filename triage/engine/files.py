"""Reading one rules/ file safely (YAML, then its JSON Schema), and reporting what is wrong in it.

Every error names the file and, where there is one, the rule, question or term it is in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .compiler import Compiler
from .conditions import Condition, ConditionError
from .model import Text

RULESET = "ruleset.yaml"
#: The placeholders a phone script may never use: the receptionist *is* the practice (spec §3a).
PRACTICE_CONTACT = ("practice_phone", "practice_email")


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


class FileReader:
    """Reads the files of one rules folder, keeping every error found and the content read."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.errors: list[RuleFileError] = []
        self.documents: dict[str, Any] = {}
        self.languages: tuple[str, ...] = ("en",)
        self.placeholders: frozenset[str] = frozenset()

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

    def _phone_text(self, translations: Mapping[str, str], path: str, where: str, key: str) -> Text:
        """A text the receptionist reads out: it never sends the caller to the practice."""
        text = self._text(translations, path, where)
        for name in PRACTICE_CONTACT:
            if name in text.placeholders():
                self._error(
                    path,
                    where,
                    f"{key}: a phone script must never send the caller to the practice (the receptionist "
                    f"is the practice): remove {{{name}}}",
                )
        return text

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


#: The lists of items whose schema errors name the item (the hazard log's hazards too).
_LISTS = {"rules": "rule", "questions": "question", "levels": "level", "hazards": "hazard"}


def _item_at(data: Any, location: list[Any]) -> str | None:
    """Name the rule, question or term a schema error is in, from where it is in the file."""
    if len(location) >= 2 and location[0] in _LISTS and isinstance(location[1], int):
        kind = _LISTS[location[0]]
        item = data[location[0]][location[1]]
        label = item.get("id") if isinstance(item, dict) else None
        return f"{kind} {label}" if label else f"{kind} #{location[1] + 1}"
    if len(location) >= 2 and location[0] == "terms":
        return f"term {location[1]}"
    return None


def _quote(text: Text) -> str:
    first = next(iter(text.translations.values()), "")
    return repr(first[:40] + ("…" if len(first) > 40 else ""))
