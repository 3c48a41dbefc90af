"""`safety report`: the clinical safety case as one Markdown document.

Everything in it is generated from data and from running the system: the scope from
rules/safety_case.yaml, the hazards from rules/hazards.yaml, the invariants as `rules check` proves
them (its method per invariant), the vignettes through the engine and through both channels (the
pages and a phone call, channels.py), and the traceability from spec requirement to rule, tests
(those whose source names the rule id, testindex.py) and vignettes (those the rule fires for).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from triage.engine import Level, RuleSet
from triage.rulecheck.check import INVARIANTS, check_rules
from triage.rulecheck.report import CheckReport

from .case import SafetyCase
from .channels import ChannelError, Channels, Shown
from .hazards import Hazard, HazardLog, Risk
from .testindex import NamedTest
from .vignettes import Vignette


@dataclass(frozen=True)
class Agreement:
    """One vignette: the level expected, the engine's, and what each channel showed."""

    vignette: Vignette
    engine: str
    fired: tuple[str, ...]
    web: Shown | str  # what was shown, or why the channel failed
    phone: Shown | str

    @property
    def agrees(self) -> bool:
        """Whether the engine and both channels give the expected level."""
        levels = [self.engine, *(s.level if isinstance(s, Shown) else s for s in (self.web, self.phone))]
        return all(level == self.vignette.expected_level for level in levels)


def agreements(rules: RuleSet, vignettes: Sequence[Vignette], drive: Channels) -> list[Agreement]:
    """Every vignette through the engine, the pages and a phone call."""
    found = []
    for vignette in vignettes:
        outcome = rules.assess(vignette.answers)
        shown: list[Shown | str] = []
        for channel in (drive.online, drive.phone):
            try:
                shown.append(channel(vignette.answers))
            except ChannelError as exc:
                shown.append(f"failed: {exc}")
        found.append(
            Agreement(
                vignette, outcome.level.value, tuple(r.id for r in outcome.fired_rules), shown[0], shown[1]
            )
        )
    return found


def tests_naming(rule_id: str, tests: Mapping[str, NamedTest]) -> list[str]:
    """The tests whose source (name, decorators, body) names the rule id as a word, in any case."""
    word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(rule_id)}(?![A-Za-z0-9])", re.IGNORECASE)
    return [node_id for node_id, test in tests.items() if word.search(test.source)]


def safety_report(
    rules: RuleSet,
    case: SafetyCase,
    log: HazardLog,
    checked: CheckReport,
    found: Sequence[Agreement],
    tests: Mapping[str, NamedTest],
    *,
    seed: int,
    vignettes_file: str,
) -> str:
    """The whole safety case, as Markdown."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# {case.title}",
        "",
        f"Generated {now} by `python -m triage safety report`. "
        f"Rules: **{rules.name} {rules.version.version}**, "
        f"content hash `{rules.version.content_hash}`. Clinical spec: {case.spec}.",
        "",
        "Contents: 1 scope and intended use · 2 risk scales · 3 hazard log · 4 invariants · "
        "5 vignette agreement · 6 traceability · 7 open issues.",
        "",
        *_scope(case),
        *_scales(log),
        *_hazards(log, rules),
        *_invariants(checked, seed),
        *_agreement(found, vignettes_file),
        *_traceability(rules, case, tests, found),
        *_open_issues(case),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def run_check(rules: RuleSet, samples: int, seed: int) -> CheckReport:
    """`rules check`'s proofs and search, as the report shows them."""
    return check_rules(rules, samples=samples, seed=seed)


# --- the sections ---------------------------------------------------------------------------------


def _scope(case: SafetyCase) -> list[str]:
    return [
        "## 1. Scope and intended use",
        "",
        case.scope,
        "",
        "**Intended use**",
        "",
        *(f"- {item}" for item in case.intended_use),
        "",
        "**Not intended for**",
        "",
        *(f"- {item}" for item in case.not_intended_for),
        "",
        "**Users**",
        "",
        *(f"- {item}" for item in case.users),
        "",
    ]


def _scales(log: HazardLog) -> list[str]:
    lines = ["## 2. Risk scales", "", log.standard, ""]
    for title, points in (("Severity", log.severity), ("Likelihood", log.likelihood), ("Risk", log.risk)):
        lines += [f"| {title.lower()} | name | meaning |", "|---|---|---|"]
        lines += [f"| {p.score} | {p.name} | {_cell(p.meaning)} |" for p in points]
        lines.append("")
    header = " | ".join(f"{p.score} {p.name}" for p in log.severity)
    lines += [f"| likelihood \\ severity | {header} |", "|---" * 6 + "|"]
    for point, row in reversed(list(zip(log.likelihood, log.matrix, strict=True))):
        lines.append(f"| {point.score} {point.name} | " + " | ".join(str(v) for v in row) + " |")
    return [*lines, ""]


def _risk(log: HazardLog, risk: Risk) -> str:
    return f"S{risk.severity} × L{risk.likelihood} = **{risk.risk}** {log.rating(risk).name}"


def _hazards(log: HazardLog, rules: RuleSet) -> list[str]:
    lines = [
        "## 3. Hazard log",
        "",
        f"{len(log.hazards)} hazards. Every control below exists: `rules check` fails when a hazard names a "
        "rule, an invariant or a test that does not (tests/safety/test_hazards.py also asks pytest).",
        "",
        "| id | hazard | initial risk | rules | invariants | tests | residual risk |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {h.id} | {_cell(h.title)} | {_risk(log, h.initial)} | {', '.join(h.controls.rules) or '—'} "
        f"| {', '.join(h.controls.invariants) or '—'} | {len(h.controls.tests)} | {_risk(log, h.residual)} |"
        for h in log.hazards
    ]
    lines.append("")
    for hazard in log.hazards:
        lines += _hazard(log, hazard, rules)
    return lines


def _hazard(log: HazardLog, hazard: Hazard, rules: RuleSet) -> list[str]:
    controls = hazard.controls
    lines = [
        f"### {hazard.id} {hazard.title}",
        "",
        f"- **Description:** {hazard.description}",
        f"- **Cause:** {hazard.cause}",
        f"- **Possible harm:** {hazard.harm}",
        f"- **Initial risk:** {_risk(log, hazard.initial)}",
    ]
    if controls.rules:
        named = ", ".join(
            f"{r} ({rules.rule(r).level.value}, {rules.rule(r).topic}.yaml)" for r in controls.rules
        )
        lines.append(f"- **Rules:** {named}")
    if controls.invariants:
        lines.append(f"- **Invariants proved by `rules check`:** {', '.join(controls.invariants)}")
    lines += ["- **Tests:**", *(f"  - `{t}`" for t in controls.tests)]
    lines += ["- **Design features:**", *(f"  - {d}" for d in controls.design)]
    lines.append(f"- **Residual risk:** {_risk(log, hazard.residual)}")
    if hazard.residual_note:
        lines.append(f"  {hazard.residual_note}")
    return [*lines, ""]


def _invariants(checked: CheckReport, seed: int) -> list[str]:
    lines = [
        "## 4. Invariants and how each is proved",
        "",
        f"From `rules check` (clinical spec §4 and §3a): {checked.samples:,} answer sets searched "
        f"(seed {seed}) in {checked.seconds:.1f} s. "
        + ("**All invariants hold.**" if checked.ok else f"**{len(checked.violations)} violation(s).**"),
        "",
    ]
    for number, name in enumerate(INVARIANTS, start=1):
        broken = [v for v in checked.violations if v.invariant == name]
        lines.append(f"{number}. **{name}**: {'VIOLATED' if broken else 'holds'}")
        lines += [f"   - {_cell(line)}" for line in checked.method.get(name, ["not checked"])]
        lines += [f"   - violation: {_cell(str(v))}" for v in broken[:5]]
    return [*lines, ""]


def _shown(shown: Shown | str) -> str:
    if isinstance(shown, str):
        return _cell(shown)
    return shown.level + (f" (early exit: {shown.early})" if shown.early else "")


def _agreement(found: Sequence[Agreement], vignettes_file: str) -> list[str]:
    agreeing = sum(1 for a in found if a.agrees)
    lines = [
        "## 5. Vignette agreement",
        "",
        f"Every public vignette ({vignettes_file}): the level a clinician expects, the engine's, and what "
        "the patient's pages and a phone call showed, each driven through the app's test client on a "
        f"fresh SQLite database. **{agreeing} of {len(found)} agree.**",
        "",
        "| vignette | expected | engine | web | phone | agree |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {a.vignette.id} | {a.vignette.expected_level} | {a.engine} | {_shown(a.web)} | {_shown(a.phone)} "
        f"| {'yes' if a.agrees else '**NO**'} |"
        for a in found
    ]
    return [*lines, ""]


def _traceability(
    rules: RuleSet, case: SafetyCase, tests: Mapping[str, NamedTest], found: Sequence[Agreement]
) -> list[str]:
    sections: dict[str, list[tuple[str, str]]] = {}
    for requirement in case.requirements:
        for rule_id in requirement.rules:
            sections.setdefault(rule_id, []).append((requirement.section, requirement.requirement))
    lines = [
        "## 6. Traceability",
        "",
        "Spec requirement → rule file and id → the tests whose source names the rule → the vignettes "
        "the rule fires for. Tests over every rule or every vignette (e.g. "
        "`tests/engine/test_invariants.py::test_rule_can_fire`, `tests/test_channels.py`) exercise each "
        "rule as well and are not repeated here.",
        "",
        "| spec § | requirement | rule file | rule | level | tests naming it | vignettes reaching it |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in sorted(rules.rules, key=lambda r: (-r.level.rank, r.id)):
        where = sections.get(rule.id) or [("—", "added beyond the spec's table (§4 allows added rules)")]
        named = tests_naming(rule.id, tests)
        cases = [a.vignette.id for a in found if rule.id in a.fired]
        for section, text in where:
            lines.append(
                f"| {section} | {_cell(text)} | {rule.topic}.yaml | {rule.id} | {rule.level.value} "
                f"| {'<br>'.join(f'`{t}`' for t in named) or '—'} | {', '.join(cases) or '—'} |"
            )
    reached = {rule_id for a in found for rule_id in a.fired}
    unreached = [rule.id for rule in rules.rules if rule.id not in reached]
    levels = {Level(a.engine) for a in found}
    unreached_levels = [level.value for level in Level if level not in levels]
    lines += [
        "",
        f"Rules no vignette reaches (seen firing in the search of §4 only): "
        f"{', '.join(unreached) or 'none'}. "
        f"Levels no vignette gives: {', '.join(unreached_levels) or 'none'}.",
    ]
    return [*lines, ""]


def _open_issues(case: SafetyCase) -> list[str]:
    lines = [
        "## 7. Open issues for the practice's clinical safety officer",
        "",
        "To be completed and signed off by the practice's clinical safety officer before use with patients.",
        "",
        "| # | issue | owner | status |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | {_cell(issue)} | | open |" for n, issue in enumerate(case.open_issues, start=1)]
    lines += [f"| {len(case.open_issues) + 1} | | | |", "", "Signed: ____________________  Date: __________"]
    return [*lines, ""]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def write(text: str, output: Path | None) -> None:
    """Write the report to a file (its folder made), or do nothing when there is none."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
