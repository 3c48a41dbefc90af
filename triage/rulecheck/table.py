"""`rules table`: every rule in a Markdown table for the practice's clinicians to review."""

from __future__ import annotations

from triage.engine.model import Level, Rule
from triage.engine.ruleset import RuleSet
from triage.engine.wording import Cases


def rules_table(rules: RuleSet, lang: str = "en") -> str:
    """A Markdown document: the rules, how their reasons are worded, the terms, the levels' texts."""
    lines = [
        f"# {rules.name} {rules.version.version}",
        "",
        f"Content hash `{rules.version.content_hash}`. Every rule is evaluated; the most urgent one that "
        'fires gives the level. "Yes" includes "not sure".',
        "",
        "| id | level | topic | fires when | reason given to the person (in general) | source | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.id} | {r.level.value} | {r.topic} | {_cell(r.condition.describe())} "
        f"| {_cell(r.reason.get(lang))} | {_cell(r.source)} | {_cell(_notes(r))} |"
        for r in rules.rules
    ]
    information = rules.levels[Level.INFORMATION].action.get(lang)
    lines += [f"| — | information | — | no rule above fires | {_cell(information)} | — | — |", ""]
    lines += _wordings(rules, lang)
    lines += [
        "## Terms",
        "",
        "| term | meaning | fires when |",
        "|---|---|---|",
    ]
    lines += [
        f"| *{t.name}* | {_cell(t.description.get(lang))} | {_cell(t.condition.describe())} |"
        for t in rules.terms
    ]
    lines += ["", *_phrases(rules, lang), *_levels(rules, lang)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _notes(rule: Rule) -> str:
    notes = []
    if rule.wording.cases.by_case or rule.wording.phrases:
        notes.append("reason worded by what the person said (below)")
    if rule.repeats:
        notes.append(f"left out of 'you also told us' after {', '.join(rule.repeats)}")
    if rule.guidance is None:
        notes.append("no guidance")
    return "; ".join(notes) or "—"


def _cases(cases: Cases, lang: str) -> list[str]:
    lines = []
    for case in cases.cases:
        if not cases.by_case:
            when = "always"
        elif case.condition is not None:
            when = f"when {case.condition.describe()}"
        else:
            when = "otherwise, in general"
        lines.append(f"- {_line(when)}: {_line(case.text.get(lang))}")
    return lines


def _wordings(rules: RuleSet, lang: str) -> list[str]:
    lines = [
        "## Reasons, worded by what the person told us",
        "",
        "The first wording whose condition certainly holds is shown; a {term} is filled with that term's "
        "phrase (below) in the same way.",
        "",
    ]
    for rule in rules.rules:
        if rule.wording.cases.by_case or rule.wording.phrases:
            lines += [f"**{rule.id}** ({rule.level.value})", "", *_cases(rule.wording.cases, lang), ""]
    return lines


def _phrases(rules: RuleSet, lang: str) -> list[str]:
    lines = ["## Phrases of the terms", ""]
    for term in rules.terms:
        if term.phrases is not None:
            lines += [f"**{{{term.name}}}**", "", *_cases(term.phrases, lang), ""]
    return lines


def _levels(rules: RuleSet, lang: str) -> list[str]:
    lines = [
        "## Levels",
        "",
        "| level | action shown | phone script (read out by the receptionist) | the practice acts |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {level.value} | {_cell(advice.action.get(lang))} | {_cell(advice.phone_script.get(lang))} "
        f"| {advice.target.describe()} |"
        for level, advice in rules.levels.items()
    ]
    return [*lines, ""]


def _line(text: str) -> str:
    return text.replace("\n", " ")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
