"""Rule change control (`rules diff OLD NEW`): the outcomes a change of the rules moves, up or down.

A fixed bank of answer sets is assessed under both rule sets: every vignette, then a seeded sample
over the whole answer space that favours boundaries (sampling.py, as `rules check` uses), with
numbers drawn at both sides of every threshold either rule set compares them with. The same seed
and count always give the same bank, so two diffs of the same rules print the same.

The bank is drawn from NEW's answers contract. Where OLD's contract differs, each answer set is
made valid for OLD: answers to questions OLD does not have are dropped, and a question only OLD
requires gets its answer of least concern (no, none, the lowest value), so the difference shows as
what NEW's new question adds. An answer set OLD still refuses is counted apart, never compared.

OLD may be a rules folder or a git revision, whose `rules/` is extracted with `git archive`. Rules
written in an older file format (either of them) are upgraded in a copy where the upgrade cannot
change a level (FORMAT_UPGRADES, e.g. the phone scripts levels.yaml needs since version 2026.12.1,
taken from the current rules, or the list of floors of 2026.12.2, which also dropped a rule's own
action); the diff says which upgrades it made. An upgraded copy's content hash is the copy's, not
the original's.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess  # nosec B404
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from triage import PROJECT_ROOT
from triage.engine import DEFAULT_RULES_DIR, AnswersInvalid, Level, RuleSet, RulesInvalid, load_rules
from triage.engine.contract import Contract, Question
from triage.rulecheck.sampling import AnswerSampler, integer_boundaries

#: The bank: how many sampled answer sets, and the seed that fixes them.
BANK_SAMPLES = 20_000
BANK_SEED = 20261201


class DiffUnavailable(Exception):
    """The two rule sets cannot be compared (a folder or revision that cannot be read)."""


@dataclass
class Transition:
    """Answer sets whose level moved from one level to another."""

    old: Level
    new: Level
    count: int = 0
    example: dict[str, Any] = field(default_factory=dict)
    example_source: str = ""  # the vignette's id, or "sample N"
    deciding: Counter[str] = field(default_factory=Counter)  # the rules that decide the level moved to

    @property
    def up(self) -> bool:
        """Whether the level went up (more urgent)."""
        return self.new > self.old


@dataclass
class RulesDiff:
    """What changed between two rule sets over the bank."""

    old: str  # "name version+hash"
    new: str
    vignettes: int = 0
    samples: int = 0
    seed: int = BANK_SEED
    compared: int = 0
    refused: int = 0  # answer sets one of the rule sets refused
    refused_example: str = ""
    unchanged: Counter[Level] = field(default_factory=Counter)
    transitions: dict[tuple[Level, Level], Transition] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # contract adaptations and format upgrades

    @property
    def changed(self) -> int:
        """How many answer sets changed level."""
        return sum(t.count for t in self.transitions.values())

    @property
    def up(self) -> int:
        """How many went up."""
        return sum(t.count for t in self.transitions.values() if t.up)

    @property
    def down(self) -> int:
        """How many went down."""
        return sum(t.count for t in self.transitions.values() if not t.up)


# --- the bank -------------------------------------------------------------------------------------


def bank(
    new: RuleSet, old: RuleSet, vignettes: Sequence[tuple[str, Mapping[str, Any]]], samples: int, seed: int
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The answer sets of the bank, each with where it comes from: the vignettes, then the samples."""
    yield from vignettes
    sampler = AnswerSampler(new, seed)
    boundaries = integer_boundaries(old)
    for name, values in sampler.boundaries.items():
        question = new.contract[name]
        extra = [v for v in boundaries.get(name, []) if question.minimum <= v <= question.maximum]
        sampler.boundaries[name] = sorted(set(values) | set(extra))
    for index in range(samples):
        yield f"sample {index + 1}", sampler.sample()


def least_concern(question: Question) -> Any:
    """The answer of least concern: no, none, the first of the order of concern, the lowest number."""
    if question.concern_order and question.concern_order != ("ascending",):
        return question.concern_order[0]
    return question.kind.pick(
        integer=question.minimum,
        choice=question.values[0] if question.values else None,
        multi_choice=list(question.values[: question.min_items]),
        boolean=False,
        yes_no=False,
    )


class Adapter:
    """Makes NEW's answer sets valid for OLD's contract (see the module docstring)."""

    def __init__(self, old: Contract, new: Contract) -> None:
        self.dropped = [q.id for q in new.questions if q.id not in old]
        self.filled = {q.id: least_concern(q) for q in old.questions if q.id not in new and q.required}
        self.keep = frozenset(q.id for q in old.questions)

    def notes(self) -> list[str]:
        """What the adaptation does, for the printout."""
        notes = []
        if self.dropped:
            notes.append(f"questions only NEW asks, dropped for OLD: {', '.join(self.dropped)}")
        if self.filled:
            filled = ", ".join(f"{k} = {v!r}" for k, v in self.filled.items())
            notes.append(f"questions only OLD requires, answered with least concern: {filled}")
        return notes

    def __call__(self, answers: Mapping[str, Any]) -> Mapping[str, Any]:
        if not self.dropped and not self.filled:
            return answers
        return {**{k: v for k, v in answers.items() if k in self.keep}, **self.filled}


# --- the comparison -------------------------------------------------------------------------------


def diff_rules(
    old: RuleSet,
    new: RuleSet,
    vignettes: Sequence[tuple[str, Mapping[str, Any]]],
    samples: int = BANK_SAMPLES,
    seed: int = BANK_SEED,
) -> RulesDiff:
    """Assess the bank under both rule sets and gather every change of level."""
    result = RulesDiff(_named(old), _named(new), len(vignettes), samples, seed)
    adapt = Adapter(old.contract, new.contract)
    result.notes += adapt.notes()
    for source, raw in bank(new, old, vignettes, samples, seed):
        try:
            reading = new.read(raw)
            old_facts = old.read(adapt(raw)).facts
        except AnswersInvalid as exc:
            result.refused += 1
            result.refused_example = result.refused_example or f"{source}: {exc}"
            continue
        result.compared += 1
        before, after = old.level_of(old_facts), new.level_of(reading.facts)
        if before == after:
            result.unchanged[after] += 1
            continue
        transition = result.transitions.setdefault((before, after), Transition(before, after))
        transition.count += 1
        if not transition.example:
            transition.example, transition.example_source = reading.answers.as_dict(), source
        # Up: the rules of NEW that now decide; down: the rules of OLD that decided and no longer do.
        rules, facts, level = (new, reading.facts, after) if after > before else (old, old_facts, before)
        transition.deciding.update(r.id for r in rules.fired(facts) if r.level == level)
    result.transitions = dict(
        sorted(result.transitions.items(), key=lambda kv: (-kv[0][1].rank, -kv[0][0].rank))
    )
    return result


def _named(rules: RuleSet) -> str:
    return f"{rules.name} {rules.version.version} ({rules.version.content_hash})"


# --- the rule sets --------------------------------------------------------------------------------


def _level_key_upgrade(key: str, note: str) -> Callable[[Path, Path], str | None]:
    """An upgrade for rules whose levels.yaml lacks `key`: the current rules' values for it are used
    (keys that never change a level: texts, the practice's targets)."""

    def upgrade(folder: Path, current: Path) -> str | None:
        path = folder / "levels.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        levels = data.get("levels") if isinstance(data, dict) else None
        if not isinstance(levels, list) or all(key in level for level in levels):
            return None
        theirs = yaml.safe_load((current / "levels.yaml").read_text(encoding="utf-8"))
        values = {level["id"]: level[key] for level in theirs["levels"] if key in level}
        for level in levels:
            if key not in level and level.get("id") in values:
                level[key] = values[level["id"]]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return note

    return upgrade


def _floor_list_upgrade(folder: Path, current: Path) -> str | None:
    """An upgrade for rules whose ruleset.yaml gives one floor, not a list: it becomes a list of one
    (the floor is an invariant `rules check` proves, never a level)."""
    del current  # the rules' own floor is kept
    path = folder / "ruleset.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("floor"), dict):
        return None
    data["floor"] = [data["floor"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return (
        "ruleset.yaml has one floor, not a list (format before 2026.12.2): made a list of one "
        "(an invariant, never a level)"
    )


def _own_actions_upgrade(folder: Path, current: Path) -> str | None:
    """An upgrade for rules that give their own action or phone script (E6 before 2026.12.2): both
    are dropped, so the level's are used (texts, never a level)."""
    del current  # nothing is taken from the current rules
    dropped: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = data.get("rules") if isinstance(data, dict) else None
        own = [
            r
            for r in (rules if isinstance(rules, list) else [])
            if isinstance(r, dict) and {"action", "phone_action"} & set(r)
        ]
        for rule in own:
            rule.pop("action", None)
            rule.pop("phone_action", None)
            dropped.append(str(rule.get("id")))
        if own:
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if not dropped:
        return None
    return (
        "rules with their own action or phone script (format before 2026.12.2): theirs dropped, the "
        f"level's used (texts, never a level): {', '.join(dropped)}"
    )


#: Upgrades of older rule-file formats that cannot change a level, tried in order on a copy; each
#: takes the folder and the current rules folder, and says what it did (None: nothing to do).
FORMAT_UPGRADES: tuple[Callable[[Path, Path], str | None], ...] = (
    _level_key_upgrade(
        "phone_script",
        "levels.yaml has no phone scripts (format before 2026.12.1): the current rules' used "
        "(texts, never a level)",
    ),
    _level_key_upgrade(
        "target",
        "levels.yaml has no call-back targets (format before the triage queue): the current rules' used "
        "(the practice's targets, never a level)",
    ),
    _floor_list_upgrade,
    _own_actions_upgrade,
)


def load_any(folder: Path, which: str, notes: list[str], current: Path = DEFAULT_RULES_DIR) -> RuleSet:
    """A rule set from its folder, or from a copy upgraded from an older file format (noted)."""
    try:
        return load_rules(folder)
    except RulesInvalid as first:
        with tempfile.TemporaryDirectory(prefix="triage-diff-") as scratch:
            copy = Path(shutil.copytree(folder, Path(scratch) / folder.name))
            upgraded = [note for upgrade in FORMAT_UPGRADES if (note := upgrade(copy, current))]
            if not upgraded:
                raise DiffUnavailable(f"{which} cannot be loaded:\n{first}") from first
            try:
                ruleset = load_rules(copy)
            except RulesInvalid as exc:
                raise DiffUnavailable(f"{which} cannot be loaded, even upgraded:\n{exc}") from exc
        notes += [f"{which}: {note}" for note in upgraded]
        return ruleset


@contextmanager
def rules_folder(spec: str, repository: Path = PROJECT_ROOT) -> Iterator[tuple[Path, str]]:
    """A rules folder named by a path, or by a git revision (its rules/, extracted); with a label."""
    path = Path(spec)
    if path.is_dir():
        yield path, str(path)
        return
    if spec.startswith("-"):
        raise DiffUnavailable(f"{spec!r} is neither a folder nor a git revision")
    git = shutil.which("git")
    if git is None:
        raise DiffUnavailable(f"{spec!r} is not a folder, and git is not installed to read it as a revision")
    commit = _git(git, repository, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if commit is None:
        raise DiffUnavailable(f"{spec!r} is neither a folder nor a git revision of {repository}")
    archive = _git(git, repository, "archive", "--format=tar", commit.decode().strip(), "rules")
    if archive is None:
        raise DiffUnavailable(f"revision {spec} has no rules/ folder")
    with tempfile.TemporaryDirectory(prefix="triage-rules-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(scratch, filter="data")
        yield Path(scratch) / "rules", f"{spec} ({commit.decode().strip()[:12]})"


def _git(git: str, repository: Path, *args: str) -> bytes | None:
    """Standard output of a git command in the repository, or None when it fails."""
    # A fixed git executable and argument list, no shell; the revision is checked not to be an option.
    command = [git, "-C", str(repository), *args]
    done = subprocess.run(command, capture_output=True, check=False, timeout=60)  # noqa: S603  # nosec B603
    return done.stdout if done.returncode == 0 else None


# --- the printout ---------------------------------------------------------------------------------


def diff_text(diff: RulesDiff) -> str:
    """The diff as Markdown: the counts, the transition table, one example per transition."""
    lines = [
        f"OLD: {diff.old}",
        f"NEW: {diff.new}",
        f"bank: {diff.vignettes} vignettes + {diff.samples:,} sampled answer sets (seed {diff.seed}), "
        f"{diff.compared:,} compared",
        *(f"note: {note}" for note in diff.notes),
    ]
    if diff.refused:
        lines.append(f"not compared: {diff.refused:,} answer sets refused ({diff.refused_example})")
    lines += [
        "",
        f"{diff.changed:,} of {diff.compared:,} outcomes changed level: {diff.up:,} up, {diff.down:,} down",
        "",
    ]
    if diff.transitions:
        lines += [
            "| from | to | direction | answer sets | deciding rules |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {t.old.value} | {t.new.value} | {'up' if t.up else 'DOWN'} | {t.count:,} | "
            f"{', '.join(f'{rule} ({n:,})' for rule, n in t.deciding.most_common())} |"
            for t in diff.transitions.values()
        ]
        lines += ["", "Deciding rules: NEW's rules at the new level (up), OLD's at the old level (down).", ""]
        for t in diff.transitions.values():
            lines += [
                f"Example {t.old.value} → {t.new.value} ({t.example_source}):",
                f"    {_compact(t.example)}",
            ]
    unchanged = ", ".join(f"{level.value} {n:,}" for level, n in sorted(diff.unchanged.items(), reverse=True))
    lines += ["", f"unchanged: {unchanged or 'none'}"]
    return "\n".join(lines) + "\n"


def _compact(answers: Mapping[str, Any]) -> str:
    return json.dumps(answers, ensure_ascii=False, separators=(", ", ": "))
