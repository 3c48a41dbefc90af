"""`rules table`: every rule in a Markdown table for the practice's clinicians to review."""

from __future__ import annotations

from .model import Level
from .ruleset import RuleSet


def rules_table(rules: RuleSet, lang: str = "en") -> str:
    """A Markdown document: the rules (id, level, condition in words, reason, source) and the terms."""
    lines = [
        f"# {rules.name} {rules.version.version}",
        "",
        f"Content hash `{rules.version.content_hash}`. Every rule is evaluated; the most urgent one that "
        'fires gives the level. "Yes" includes "not sure".',
        "",
        "| id | level | topic | fires when | reason given to the person | source |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.id} | {r.level.value} | {r.topic} | {_cell(r.condition.describe())} "
        f"| {_cell(r.reason.get(lang))} | {_cell(r.source)} |"
        for r in rules.rules
    ]
    information = rules.levels[Level.INFORMATION].action.get(lang)
    lines += [
        f"| — | information | — | no rule above fires | {_cell(information)} | — |",
        "",
        "## Terms",
        "",
        "| term | meaning | fires when |",
        "|---|---|---|",
    ]
    lines += [
        f"| *{t.name}* | {_cell(t.description.get(lang))} | {_cell(t.condition.describe())} |"
        for t in rules.terms
    ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
