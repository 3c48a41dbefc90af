"""Start-up validation of rules/: each mistake is refused, naming the file, the item and the problem."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from triage.engine import DEFAULT_RULES_DIR, RuleFileError, RulesInvalid, load_rules

#: The rules of clinical spec §4 that the project's rule set must contain (it may add more).
SPEC_RULE_IDS = {
    "A1", "A2", "A3", "E1", "E2", "E3", "E4", "E5", "E7", "E8", "U1", "U2", "U3", "U4", "U5",
    "S1", "S2", "S3", "S4", "S5", "S6", "S7",
}  # fmt: skip

Edit = tuple[str, str]  # (text as in the file, what it becomes); applied in order


def copy_rules(tmp_path: Path) -> Path:
    """A copy of rules/ in a folder also called rules, so errors read 'rules/<file>'."""
    return Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))


def edit(folder: Path, name: str, *edits: Edit) -> None:
    """Apply text edits to one file; each text must be there exactly once, so no edit silently misses."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} is in {name} {text.count(old)} times, not once"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def refusal(folder: Path) -> RulesInvalid:
    with pytest.raises(RulesInvalid) as caught:
        load_rules(folder)
    return caught.value


#: A3's condition (indented as a rule's key: E8 has the same test as a reason case)
A3_WHEN = "    when: {yes_or_unsure: cannot_stand}"
PAIN_DESCRIPTION = (
    '    description: {en: "Pain in the neck or back now",'
    ' el: "Πόνος τώρα στον αυχένα, στην πλάτη ή στη μέση"}\n'
)
S5_REASON = (
    "    reason:\n      told:\n        - when: {equals: {numbness: one_side}}\n"
    '          en: "you have new numbness or pins and needles in one leg or one arm"\n'
    '          el: "έχετε καινούριο μούδιασμα ή μυρμήγκιασμα σε ένα πόδι ή σε ένα χέρι"\n'
    '        - en: "you have new numbness or pins and needles in one leg or one arm"\n'
    '          el: "έχετε καινούριο μούδιασμα ή μυρμήγκιασμα σε ένα πόδι ή σε ένα χέρι"\n'
)
S5_SOURCE = '    source: "BASS 2018; cauda equina warning card"\n'
SWAP_FIRST_TWO_LEVELS = (
    ("  - id: ambulance\n", "  - id: SWAP\n"),
    ("  - id: emergency\n", "  - id: ambulance\n"),
    ("  - id: SWAP\n", "  - id: emergency\n"),
)

# (case id, file edited, edits, where the error is: 'file: item', or just 'file' for the file as a whole,
#  what the message says)
BROKEN: list[tuple[str, str, tuple[Edit, ...], str, str]] = [
    (
        "unknown operator",
        "emergency.yaml",
        ((A3_WHEN, "    when: {is_yes: cannot_stand}"),),
        "emergency.yaml: rule A3",
        "unknown operator 'is_yes'",
    ),
    (
        "unknown question in a condition",
        "emergency.yaml",
        ((A3_WHEN, "    when: {yes_or_unsure: cant_stand}"),),
        "emergency.yaml: rule A3",
        "unknown question 'cant_stand'",
    ),
    (
        "value not allowed for the question",
        "emergency.yaml",
        (("    when: {equals: {numbness: one_side}}", "    when: {equals: {numbness: left_side}}"),),
        "emergency.yaml: rule S5",
        "'left_side' is not a value of 'numbness'",
    ),
    (
        "yes/no compared with a string",
        "infection.yaml",
        (
            (
                "- yes_or_unsure: fever\n        - term: neuro",
                "- equals: {fever: unsure}\n        - term: neuro",
            ),
        ),
        "infection.yaml: rule E4",
        "'fever' is compared with true or false",
    ),
    (
        "contains on a non-list question",
        "general.yaml",
        (("contains: {pain_features: worsening}", "contains: {injury: major}"),),
        "general.yaml: rule S6",
        "`contains` needs a list question; 'injury' is choice",
    ),
    (
        "equals on a list question",
        "general.yaml",
        (("contains: {pain_features: worsening}", "equals: {pain_features: worsening}"),),
        "general.yaml: rule S6",
        "'pain_features' is a list; test it with `contains`",
    ),
    (
        "at_least on a non-number",
        "general.yaml",
        (("at_least: {pain_severity: 7}", "at_least: {fever: 1}"),),
        "general.yaml: rule S7",
        "needs a number question; 'fever' is yes_no",
    ),
    (
        "at_least outside the question's range",
        "general.yaml",
        (("at_least: {pain_severity: 7}", "at_least: {pain_severity: 70}"),),
        "general.yaml: rule S7",
        "'pain_severity' takes whole numbers 0–10, not 70",
    ),
    (
        "unknown term",
        "infection.yaml",
        (
            (
                "- yes_or_unsure: fever\n        - term: neuro",
                "- yes_or_unsure: fever\n        - term: nerves",
            ),
        ),
        "infection.yaml: rule E4",
        "unknown term 'nerves'",
    ),
    (
        "unknown term inside a definition",
        "definitions.yaml",
        (("- term: pain\n        - not:", "- term: ache\n        - not:"),),
        "definitions.yaml: term recent",
        "unknown term 'ache'",
    ),
    (
        "missing reason",
        "emergency.yaml",
        ((S5_REASON, ""),),
        "emergency.yaml: rule S5",
        "'reason' is a required property",
    ),
    (
        "missing source",
        "emergency.yaml",
        ((S5_SOURCE, ""),),
        "emergency.yaml: rule S5",
        "'source' is a required property",
    ),
    (
        "a level that does not exist",
        "infection.yaml",
        (("level: urgent", "level: very_urgent"),),
        "infection.yaml: rule U4",
        "level 'very_urgent' is not one of",
    ),
    (
        "duplicate rule id across two files",
        "infection.yaml",
        (("- id: U4", "- id: S5"),),
        "infection.yaml: rule S5",
        "the id is also used in emergency.yaml",
    ),
    (
        "a question in two floors",
        "ruleset.yaml",
        (("    any_yes: [cannot_stand]", "    any_yes: [cannot_stand, bladder_bowel]"),),
        "ruleset.yaml: floor",
        "'bladder_bowel' is in more than one floor",
    ),
    (
        "a floor naming a question that is not yes/no",
        "ruleset.yaml",
        (("    any_yes: [cannot_stand]", "    any_yes: [numbness]"),),
        "ruleset.yaml: floor",
        "'numbness' is not a yes/no question",
    ),
    (
        "a text missing a language listed in ruleset.yaml",
        "ruleset.yaml",
        (("languages: [en, el]", "languages: [en, el, fr]"),),
        "questions.yaml: question age",
        "no fr translation of 'How old are you?'",
    ),
    (
        "unknown placeholder",
        "levels.yaml",
        (("Call {emergency_number} now and ask", "Call {ambulance_phone} now and ask"),),
        "levels.yaml: level ambulance",
        "unknown placeholder {ambulance_phone}",
    ),
    (
        "unknown placeholder in an error message",
        "questions.yaml",
        (('"Enter an age between 18 and 120"', '"Enter an age between {min} and {oldest}"'),),
        "questions.yaml: question age",
        "unknown placeholder {oldest}",
    ),
    (
        "invalid YAML",
        "general.yaml",
        (("title: Pain that does not settle", "title: [Pain that does not settle"),),
        "general.yaml",
        "not valid YAML",
    ),
    (
        "topic not matching the file name",
        "general.yaml",
        (("topic: general", "topic: pain"),),
        "general.yaml",
        "topic 'pain' must match the file name",
    ),
    (
        "levels out of order",
        "levels.yaml",
        SWAP_FIRST_TWO_LEVELS,
        "levels.yaml",
        "levels must be exactly ambulance, emergency, urgent, soon, information, in that order",
    ),
    (
        "a bare yes: key",
        "emergency.yaml",
        ((A3_WHEN, "    when: {yes: cannot_stand}"),),
        "emergency.yaml: rule A3",
        "unknown operator True; use one of all, any, not, term, yes_or_unsure, equals, in, contains, "
        "at_least, at_most, answered (YAML reads a bare yes/no/on/off as true/false)",
    ),
    (
        "a key written twice in one rule (YAML would keep the last silently)",
        "emergency.yaml",
        ((A3_WHEN, A3_WHEN + "\n    when: {equals: {injury: major}}"),),
        "emergency.yaml: rule A3",
        "the key 'when' is written twice in one place",
    ),
    (
        "a key written twice in one term",
        "definitions.yaml",
        (
            (
                PAIN_DESCRIPTION,
                PAIN_DESCRIPTION + '    description: {en: "again", el: "ξανά"}\n',
            ),
        ),
        "definitions.yaml: term pain",
        "the key 'description' is written twice in one place",
    ),
    (
        "an empty placeholder, which no value can fill",
        "emergency.yaml",
        (("wait for the ambulance.", "wait for the ambulance {}."),),
        "emergency.yaml: rule A1",
        "unknown placeholder {}",
    ),
    (
        "a below_minimum message on a question that is not a number",
        "questions.yaml",
        (
            (
                '      required: {en: "Select how the pain started", el: "Επιλέξτε πώς ξεκίνησε ο πόνος"}\n',
                '      required: {en: "Select how the pain started", el: "Επιλέξτε πώς ξεκίνησε ο πόνος"}\n'
                '      below_minimum: {en: "Too early", el: "Πολύ νωρίς"}\n',
            ),
        ),
        "questions.yaml: question pain_onset",
        "errors.below_minimum: only a question of type integer can have it (others use out_of_range)",
    ),
    (
        "a phone message for a problem the question words no message of its own for",
        "questions.yaml",
        (
            (
                '        required: {en: "Select what happened before the symptoms started",',
                '        not_a_choice: {en: "Choose one", el: "Διαλέξτε ένα"}\n'
                '        required: {en: "Select what happened before the symptoms started",',
            ),
        ),
        "questions.yaml: question injury",
        "phone.errors.not_a_choice: the question has no message of its own for it",
    ),
    (
        "a reason case testing an unknown question",
        "neck_fall.yaml",
        (
            (
                "      - when: {equals: {pain_duration: 1_to_4_weeks}}\n",
                "      - when: {equals: {pain_duratio: 1_to_4_weeks}}\n",
            ),
        ),
        "neck_fall.yaml: rule U5",
        "reason[1].when.equals: unknown question 'pain_duratio'",
    ),
    (
        "a reason case before the last without `when`",
        "neck_fall.yaml",
        (
            (
                "      - when: {equals: {pain_duration: 1_to_4_weeks}}\n"
                '        en: "You told us {neck_fall_65}. This was 1',
                '      - en: "You told us {neck_fall_65}. This was 1',
            ),
        ),
        "neck_fall.yaml: rule U5",
        "reason[1]: only the last case (the general wording) may leave out `when`",
    ),
    (
        "the last reason case with a `when`",
        "neck_fall.yaml",
        (
            (
                '      - en: "You told us {neck_fall_65}. This was in the last 12 weeks."',
                "      - when: {at_least: {age: 50}}\n"
                '        en: "You told us {neck_fall_65}. This was in the last 12 weeks."',
            ),
        ),
        "neck_fall.yaml: rule U5",
        "reason[3]: the last case is the general wording, used when no other holds; it has no `when`",
    ),
    (
        "a reason case missing a language",
        "neck_fall.yaml",
        (('        el: "Μας είπατε ότι {neck_fall_65}. Αυτό έγινε πριν από 1 έως 4 εβδομάδες."\n', ""),),
        "neck_fall.yaml: rule U5",
        "no el translation of 'You told us {neck_fall_65}. This was 1",
    ),
    (
        "a reason naming a term that has no phrases",
        "general.yaml",
        (
            (
                'en: "You told us your pain has lasted more than 12 weeks and is getting worse."',
                'en: "You told us {cancer_hx} and is getting worse."',
            ),
            (
                'el: "Μας είπατε ότι ο πόνος σας κρατάει περισσότερο από 12 εβδομάδες και χειροτερεύει."',
                'el: "Μας είπατε ότι {cancer_hx} και χειροτερεύει."',
            ),
        ),
        "general.yaml: rule S6",
        "reason: {cancer_hx}: term 'cancer_hx' has no phrases in definitions.yaml",
    ),
    (
        "a reason whose languages name different terms",
        "neck_fall.yaml",
        (
            (
                'el: "Μας είπατε ότι {neck_fall_65}. Αυτό έγινε πριν από 1 έως 4 εβδομάδες."',
                'el: "Μας είπατε ότι πέσατε. Αυτό έγινε πριν από 1 έως 4 εβδομάδες."',
            ),
        ),
        "neck_fall.yaml: rule U5",
        "reason case 2: the languages name different terms (en: neck_fall_65; el: none)",
    ),
    (
        "a phrase testing an unknown question",
        "definitions.yaml",
        (
            (
                "      - when: {equals: {pain_onset: sudden}}\n",
                "      - when: {equals: {pain_onst: sudden}}\n",
            ),
        ),
        "definitions.yaml: term low_energy",
        "phrases[2].when.equals: unknown question 'pain_onst'",
    ),
    (
        "a phrase naming another term",
        "definitions.yaml",
        (
            (
                'en: "you have new difficulty walking, or feel unsteady on your feet"',
                'en: "you have {cauda}, or feel unsteady on your feet"',
            ),
        ),
        "definitions.yaml: term neuro",
        "unknown placeholder {cauda}",
    ),
    (
        "repeating a rule that does not exist",
        "emergency.yaml",
        (("    repeats: [A2]\n", "    repeats: [A9]\n"),),
        "emergency.yaml: rule E5",
        "repeats: no rule 'A9'",
    ),
    (
        "repeating a rule that is less urgent",
        "emergency.yaml",
        (("    repeats: [A2]\n", "    repeats: [S5]\n"),),
        "emergency.yaml: rule E5",
        "repeats: S5 (soon) is less urgent than E5 (emergency)",
    ),
    (
        "two rules repeating each other",
        "emergency.yaml",
        (("  - id: A1\n    level: ambulance\n", "  - id: A1\n    level: ambulance\n    repeats: [A3]\n"),),
        "emergency.yaml: rule A1",
        "repeats: A3 repeats A1 too; one of them must keep its reason",
    ),
    (
        "a phone script that tells the caller to phone the practice",
        "levels.yaml",
        (
            (
                "Arrange for the surgeon's team to call the caller back today.",
                "Tell the caller to call {practice_phone} today.",
            ),
        ),
        "levels.yaml: level urgent",
        "phone_script: a phone script must never send the caller to the practice (the receptionist is the "
        "practice): remove {practice_phone}",
    ),
    (
        "a level without a phone script",
        "levels.yaml",
        (('    phone_script:\n      en: "Read out', '    phone_scrip:\n      en: "Read out'),),
        "levels.yaml: level information",
        "'phone_script' is a required property",
    ),
    (
        "a level without a target",
        "levels.yaml",
        (("    target: {days: 28}\n", ""),),
        "levels.yaml: level information",
        "'target' is a required property",
    ),
    (
        "a target of two spans",
        "levels.yaml",
        (("target: {days: 14}", "target: {days: 14, hours: 2}"),),
        "levels.yaml: level soon",
        "has too many properties",
    ),
    (
        "a more urgent level given longer than a less urgent one",
        "levels.yaml",
        (("target: {end_of_day: true}", "target: {days: 20}"),),
        "levels.yaml: level urgent",
        "target gives more time than the less urgent level soon's",
    ),
    (
        "choice question without wording for a value",
        "questions.yaml",
        (
            (
                '        both_sides: {en: "Yes, in both legs, both arms, or an arm and a leg",'
                ' el: "Ναι, και στα δύο πόδια, και στα δύο χέρια, ή σε ένα χέρι και ένα πόδι"}\n',
                "",
            ),
        ),
        "questions.yaml: question numbness",
        "wording.options must word each value, and only those",
    ),
]


@pytest.mark.parametrize(
    ("name", "edits", "where", "message"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_a_broken_rules_folder_is_refused_naming_file_item_and_problem(
    tmp_path: Path, name: str, edits: tuple[Edit, ...], where: str, message: str
) -> None:
    folder = copy_rules(tmp_path)
    edit(folder, name, *edits)
    error = refusal(folder)
    path, _, item = where.partition(": ")
    named = [(e.path, e.item) for e in error.errors if message in e.message]
    assert (f"rules/{path}", item or None) in named, "\n".join(map(str, error.errors))
    lines = str(error).splitlines()
    assert any(line.startswith(f"rules/{where}: ") and message in line for line in lines), str(error)


def test_invalid_yaml_error_says_where_in_the_file(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    edit(folder, "general.yaml", ("title: Pain that does not settle", "title: [Pain that does not settle"))
    (problem,) = [e for e in refusal(folder).errors if e.path == "rules/general.yaml"]
    assert re.search(r"line \d+", problem.message), problem.message


def test_every_problem_in_the_folder_is_reported_at_once(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    edit(folder, "emergency.yaml", (A3_WHEN, "    when: {is_yes: cannot_stand}"))
    edit(folder, "infection.yaml", ("level: urgent", "level: very_urgent"))
    edit(folder, "general.yaml", ("topic: general", "topic: pain"))
    named = {(e.path, e.item) for e in refusal(folder).errors}
    assert {
        ("rules/emergency.yaml", "rule A3"),
        ("rules/infection.yaml", "rule U4"),
        ("rules/general.yaml", None),
    } <= named


def test_rules_invalid_message_joins_every_error_one_per_line() -> None:
    errors = [
        RuleFileError("rules/a.yaml", "rule A9", "wrong"),
        RuleFileError("rules/b.yaml", None, "also wrong"),
    ]
    assert str(RulesInvalid(errors)) == "rules/a.yaml: rule A9: wrong\nrules/b.yaml: also wrong"


def test_the_project_rules_load_with_every_rule_of_the_spec() -> None:
    rules = load_rules()
    ids = {rule.id for rule in rules.rules}
    assert ids >= SPEC_RULE_IDS, f"missing {sorted(SPEC_RULE_IDS - ids)}"
    assert all(rule.source.strip() for rule in rules.rules)


def test_a_copy_of_the_rules_has_the_same_content_hash(tmp_path: Path) -> None:
    assert load_rules(copy_rules(tmp_path)).version == load_rules().version


S5_GUIDANCE_START = '    guidance:\n      en: "Numbness or tingling on one side'


def test_a_rule_may_have_no_guidance_of_its_own(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    text = (folder / "emergency.yaml").read_text(encoding="utf-8")
    start = text.index(S5_GUIDANCE_START)
    end = text.index(S5_SOURCE, start)
    (folder / "emergency.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    rules = load_rules(folder)
    assert rules.rule("S5").guidance is None
    outcome = rules.assess_partial({"numbness": "one_side"})
    assert [(r.id, r.guidance) for r in outcome.fired_rules] == [("S5", None)]
    assert outcome.guidance == rules.levels[outcome.level].guidance


def test_changing_a_rule_text_changes_the_content_hash(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    edit(folder, "emergency.yaml", ("Lie still and wait for the ambulance.", "Lie still and wait for help."))
    changed = load_rules(folder).version
    original = load_rules().version
    assert changed.version == original.version
    assert changed.content_hash != original.content_hash


@pytest.mark.parametrize(
    ("name", "edits"),
    [
        ("emergency.yaml", (("# Nerve and spinal-cord", "# A reworded comment. Nerve and spinal-cord"),)),
        ("levels.yaml", (("  - id: urgent\n", "  # the middle level\n  - id: urgent  # trailing\n"),)),
        ("ruleset.yaml", (("languages: [en, el]", "languages: [en, el]   # layout only"),)),
    ],
    ids=["file comment", "comments among levels", "trailing comment and spaces"],
)
def test_changing_only_comments_keeps_the_content_hash(
    tmp_path: Path, name: str, edits: tuple[Edit, ...]
) -> None:
    folder = copy_rules(tmp_path)
    edit(folder, name, *edits)
    assert (folder / name).read_bytes() != (DEFAULT_RULES_DIR / name).read_bytes()
    assert load_rules(folder).version.content_hash == load_rules().version.content_hash


def test_python_tags_are_refused_as_invalid_yaml_and_never_run(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    marker = tmp_path / "executed"
    tag = f"!!python/object/apply:builtins.open [{str(marker)!r}, w]"  # yaml.unsafe_load creates the file
    edit(folder, "general.yaml", ("title: Pain that does not settle", f"title: {tag}"))
    problems = [e for e in refusal(folder).errors if e.path == "rules/general.yaml"]
    assert not marker.exists(), "the loader ran code from a YAML tag"
    assert [e.item for e in problems] == [None]
    assert "not valid YAML" in problems[0].message
    assert "python/object" in problems[0].message
