"""The command line: `assess`, `rules table`, and `rules check` on our rules and on broken copies."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.support.cases import vignettes
from triage.cli import main
from triage.engine import DEFAULT_RULES_DIR, load_rules
from triage.engine.model import Level

VIGNETTES = vignettes()
#: Few enough to keep each check quick, enough for the real rules to show every rule firing.
SAMPLES = "20000"
GUIDANCE = "guidance at the outcome's level"
REASONS = "reasons in the person's terms"
INVARIANTS = ["single level", "monotone", "floor", "no dead rule", "every level reachable", GUIDANCE, REASONS]
TRACEBACK = "Traceback (most recent call last)"


def answers_of(case_id: str) -> dict[str, Any]:
    """A copy of one vignette's answers."""
    return dict(next(case["answers"] for case in VIGNETTES if case["id"] == case_id))


def invoke(runner: CliRunner, *args: str, input: str | bytes | None = None) -> Result:
    """Run the CLI; an exception inside it is a failure of the test, not an exit status."""
    result = runner.invoke(main, list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# --- assess ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
def test_assess_reads_a_vignette_from_a_file(runner: CliRunner, tmp_path: Path, case: dict[str, Any]) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(case["answers"]), encoding="utf-8")
    result = invoke(runner, "assess", str(path))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["level"] == case["expected_level"]
    assert result.stderr == ""


@pytest.mark.parametrize("args", [["assess", "-"], ["assess"]], ids=["dash", "no-argument"])
def test_assess_reads_standard_input(runner: CliRunner, args: list[str]) -> None:
    case = VIGNETTES[0]
    result = invoke(runner, *args, input=json.dumps(case["answers"]))
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["level"] == case["expected_level"]
    assert outcome["fired_rules"] and outcome["not_a_diagnosis"]


def test_an_array_gives_an_array_of_outcomes_in_the_same_order(runner: CliRunner) -> None:
    cases = VIGNETTES[::-1]  # an order unlike the file's, and mixed levels
    result = invoke(runner, "assess", "-", input=json.dumps([case["answers"] for case in cases]))
    assert result.exit_code == 0, result.stderr
    outcomes = json.loads(result.stdout)
    assert isinstance(outcomes, list)
    assert [o["level"] for o in outcomes] == [case["expected_level"] for case in cases]
    single = invoke(runner, "assess", "-", input=json.dumps(cases[3]["answers"]))
    assert outcomes[3] == json.loads(single.stdout)


def test_an_empty_array_gives_an_empty_array(runner: CliRunner) -> None:
    result = invoke(runner, "assess", "-", input="[]")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_invalid_answers_exit_2_with_one_message_per_field_and_its_index(runner: CliRunner) -> None:
    valid = answers_of("saddle-numbness-only")
    too_young = {**valid, "age": 17}
    del too_young["fever"]
    bad_numbness = {**valid, "numbness": "lots"}
    result = invoke(runner, "assess", "-", input=json.dumps([valid, too_young, bad_numbness, 42]))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert sorted(re.match(r"\[(\d+)\] (\w+): \S", line).group(1, 2) for line in lines) == [
        ("1", "age"),
        ("1", "fever"),
        ("2", "numbness"),
        ("3", "answers"),
    ]
    assert TRACEBACK not in result.output


def test_an_invalid_single_object_is_reported_without_an_index(runner: CliRunner) -> None:
    answers = {**answers_of("saddle-numbness-only"), "age": 200}
    result = invoke(runner, "assess", "-", input=json.dumps(answers))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == ["age"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("for adults", "own doctor", "call 999.")),
        ("el", ("ενήλικες", "γιατρό", "καλέστε το 999.")),
    ],
)
def test_an_age_under_18_is_refused_saying_the_tool_is_for_adults_and_the_emergency_number(
    runner: CliRunner, lang: str, words: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMERGENCY_NUMBER", "999")  # the CLI reads the practice's details from the environment
    answers = {**answers_of("saddle-numbness-only"), "age": 16}
    result = invoke(runner, "assess", "-", "--lang", lang, input=json.dumps(answers))
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("age: ")
    assert all(word in line for word in words), line


@pytest.mark.parametrize("text", ["{bad", '{"age": 40,}', "", "[1, 2"])
def test_malformed_json_exits_2_with_a_clear_message(runner: CliRunner, text: str) -> None:
    result = invoke(runner, "assess", "-", input=text)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "not valid JSON" in result.stderr
    assert TRACEBACK not in result.output


@pytest.mark.parametrize(
    "data",
    [
        b'{"age": 1' + b"0" * 5000 + b"}",
        b'{"age": "\xff"}',
        b"[" * 5000 + b"]" * 5000,
    ],
    ids=["huge-integer", "not-utf-8", "deeply-nested"],
)
def test_input_json_cannot_read_exits_2_with_a_message(runner: CliRunner, data: bytes) -> None:
    result = invoke(runner, "assess", "-", input=data)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip()


def test_a_missing_file_is_a_usage_error_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "assess", str(tmp_path / "nowhere.json"))
    assert result.exit_code == 2
    assert "nowhere.json" in result.stderr
    assert TRACEBACK not in result.output


# --- rules table -------------------------------------------------------------------------------


def test_rules_table_has_a_row_for_every_rule_and_every_term(runner: CliRunner) -> None:
    rules = load_rules()
    result = invoke(runner, "rules", "table")
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    first_cells = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    rule_ids = [rule.id for rule in rules.rules]
    assert sorted(cell for cell in first_cells if cell in rule_ids) == sorted(rule_ids)
    for rule in rules.rules:
        row = next(row for row in rows if row.startswith(f"| {rule.id} |"))
        assert f"| {rule.level.value} |" in row
    for term in rules.terms:
        assert f"*{term.name}*" in first_cells
    assert "| — | information |" in result.stdout


def test_rules_table_shows_every_wording_of_each_reason_and_phrase_and_every_phone_script(
    runner: CliRunner,
) -> None:
    """Clinicians review every text a person or caller may be given, not just the general one."""
    rules = load_rules()
    out = invoke(runner, "rules", "table").stdout
    for rule in rules.rules:
        for _, text in rule.wording.texts():
            assert text.get("en") in out, f"{rule.id}: {text.get('en')}"
    for term in rules.terms:
        for case in term.phrases.cases if term.phrases else ():
            assert case.text.get("en") in out
    for level, advice in rules.levels.items():
        assert f"| {level.value} | {advice.action.get('en')} | {advice.phone_script.get('en')} |" in out
    assert "left out of 'you also told us' after A2" in next(
        row for row in out.splitlines() if row.startswith("| E5 |")
    )


# --- rules check on the project's rules ---------------------------------------------------------


def statuses(output: str) -> dict[str, str]:
    """Each invariant's verdict, from the numbered lines of `rules check`."""
    return dict(re.findall(r"^\d+\. (.+): (ok|VIOLATED)$", output, flags=re.MULTILINE))


def methods(output: str) -> dict[str, list[str]]:
    """The lines saying how each invariant was checked."""
    found: dict[str, list[str]] = {}
    current = None
    for line in output.splitlines():
        header = re.match(r"^\d+\. (.+): (?:ok|VIOLATED)$", line)
        if header:
            current = found.setdefault(header.group(1), [])
        elif current is not None and line.startswith("   - "):
            current.append(line.removeprefix("   - "))
    return found


@pytest.fixture(scope="module")
def real_check() -> Result:
    """`rules check` on the project's rules, run once for the tests that read its report."""
    return invoke(CliRunner(), "rules", "check", "--samples", SAMPLES, "--rules-dir", str(DEFAULT_RULES_DIR))


def test_rules_check_passes_on_the_project_rules(real_check: Result) -> None:
    assert real_check.exit_code == 0, real_check.output
    assert statuses(real_check.stdout) == dict.fromkeys(INVARIANTS, "ok")
    assert real_check.stdout.rstrip().endswith("all invariants hold")
    assert real_check.stderr == ""


def test_rules_check_says_how_each_invariant_was_checked(real_check: Result) -> None:
    how = methods(real_check.stdout)
    assert set(how) == set(INVARIANTS)
    assert all(how.values())
    assert any("proved" in line for line in how["floor"])
    assert any("by construction" in line for line in how["monotone"])
    assert any(line.startswith("by construction") for line in how[GUIDANCE])
    assert any(f"confirmed on {int(SAMPLES):,} answer sets" in line for line in how[GUIDANCE])


def test_rules_check_gives_its_counts(real_check: Result) -> None:
    rules = load_rules()
    out = real_check.stdout
    assert f"searched {int(SAMPLES):,} answer sets" in out
    assert f"{len(rules.rules)} of {len(rules.rules)} rules seen firing" in out
    assert f"loaded: {len(rules.rules)} rules, {len(rules.terms)} terms" in out
    (reached,) = methods(out)["every level reachable"]
    counts = {level: int(n.replace(",", "")) for level, n in re.findall(r"(\w+) ([\d,]+)", reached)}
    assert set(counts) == {level.value for level in Level}
    assert all(counts.values())
    assert sum(counts.values()) == int(SAMPLES)


def test_rules_check_with_no_samples_is_refused_without_a_traceback(runner: CliRunner) -> None:
    result = invoke(runner, "rules", "check", "--samples", "0")
    assert result.exit_code != 0
    assert TRACEBACK not in result.output


# --- rules check on broken copies: it must fail, and say why -------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of rules/ to break."""
    return Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))


def edit(copy: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Load one rule file of the copy, change it, write it back."""
    path = copy / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def add_rule(copy: Path, name: str, rule_id: str, level: str, when: dict[str, Any]) -> None:
    """Add a well-formed rule to one topic file of the copy."""
    rule = {
        "id": rule_id,
        "level": level,
        "when": when,
        "reason": {"en": "You told us something.", "el": "Μας είπατε κάτι."},
        "guidance": {"en": "A doctor can advise you.", "el": "Ένας γιατρός μπορεί να σας συμβουλέψει."},
        "source": "a test of the rules check",
    }
    edit(copy, name, lambda data: data["rules"].append(rule))


def replace_rule(copy: Path, name: str, rule_id: str, **changes: Any) -> None:
    """Change fields of one rule of the copy, or drop it (and the `repeats` of it) when none are given."""

    def change(data: dict[str, Any]) -> None:
        index = next(i for i, rule in enumerate(data["rules"]) if rule["id"] == rule_id)
        if changes:
            data["rules"][index].update(changes)
            return
        del data["rules"][index]
        for rule in data["rules"]:
            if rule_id in rule.get("repeats", ()):
                rule["repeats"] = [other for other in rule["repeats"] if other != rule_id]
                if not rule["repeats"]:
                    del rule["repeats"]

    edit(copy, name, change)


def check(runner: CliRunner, copy: Path) -> Result:
    """`rules check` on a copy."""
    return invoke(runner, "rules", "check", "--samples", SAMPLES, "--rules-dir", str(copy))


def violations(result: Result, invariant: str) -> list[tuple[str, dict | None, dict | None]]:
    """(message, answers, moved to) of each printed violation of one invariant."""
    found = []
    for block in re.split(r"\n(?=\[)", result.stderr):
        head = re.match(rf"\[{re.escape(invariant)}\] (.*)", block)
        if head:
            answers = re.search(r"^    answers: (.*)$", block, flags=re.MULTILINE)
            moved = re.search(r"^    moved to: (.*)$", block, flags=re.MULTILINE)
            found.append(
                (
                    head.group(1),
                    json.loads(answers.group(1)) if answers else None,
                    json.loads(moved.group(1)) if moved else None,
                )
            )
    return found


def test_a_rule_that_lowers_the_level_as_an_answer_gets_worse_fails_monotonicity(
    runner: CliRunner, copy: Path
) -> None:
    # Urgent for pain at 50+ *unless* there is height loss: yes to height loss drops to soon (S4).
    when = {"all": [{"not": {"yes_or_unsure": "height_loss"}}, {"term": "pain"}, {"at_least": {"age": 50}}]}
    add_rule(copy, "osteoporotic.yaml", "X1", "urgent", when)
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout)["monotone"] == "VIOLATED"
    found = violations(result, "monotone")
    assert found
    broken = load_rules(copy)
    for message, answers, moved_to in found:
        assert "height_loss" in message
        assert answers is not None and moved_to is not None
        assert broken.assess(answers).level > broken.assess(moved_to).level  # the counterexample is real
        assert {k for k in answers if answers[k] != moved_to.get(k)} == {"height_loss"}


def test_a_rule_that_can_never_fire_is_reported_dead(runner: CliRunner, copy: Path) -> None:
    never = {"all": [{"at_least": {"age": 80}}, {"at_most": {"age": 60}}]}
    add_rule(copy, "general.yaml", "X2", "soon", never)
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout) == {**dict.fromkeys(INVARIANTS, "ok"), "no dead rule": "VIOLATED"}
    assert [message for message, _, _ in violations(result, "no dead rule")] == [
        f"rule X2 did not fire in {int(SAMPLES):,} answer sets"
    ]


def test_a_lower_rules_guidance_also_shown_at_a_higher_level_fails_the_guidance_check(
    runner: CliRunner, copy: Path
) -> None:
    # S5's "not an emergency on its own" copied into the emergency level's own advice.
    s5_guidance = next(r for r in load_rules().rules if r.id == "S5").guidance
    assert s5_guidance is not None
    text = dict(s5_guidance.translations)
    edit(copy, "levels.yaml", lambda data: data["levels"][1].setdefault("guidance", []).append(text))
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout) == {**dict.fromkeys(INVARIANTS, "ok"), GUIDANCE: "VIOLATED"}
    found = violations(result, GUIDANCE)
    assert any("rule S5's guidance (soon) is also a text shown at emergency" in m for m, _, _ in found)
    broken = load_rules(copy)
    for message, answers, _ in found:  # every answer set shown really leaks S5's guidance
        if answers is not None:
            outcome = broken.assess(answers)
            assert outcome.level > Level.SOON and s5_guidance in outcome.guidance, message


def test_leaving_out_a_reason_that_is_not_a_repeat_fails_the_reasons_check(
    runner: CliRunner, copy: Path
) -> None:
    # S5 (one-sided tingling) marked as repeating E2: but E2 fires on weakness alone, without S5.
    replace_rule(copy, "emergency.yaml", "S5", repeats=["E2"])
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout) == {**dict.fromkeys(INVARIANTS, "ok"), REASONS: "VIOLATED"}
    found = violations(result, REASONS)
    assert found and all(m.startswith("rule E2 fired without rule S5") for m, _, _ in found)
    broken = load_rules(copy)
    for _, answers, _ in found:  # the counterexamples are real
        assert answers is not None
        fired = {rule.id for rule in broken.assess(answers).fired_rules}
        assert "E2" in fired and "S5" not in fired


def test_a_reason_whose_cases_miss_part_of_its_condition_fails_the_reasons_check(
    runner: CliRunner, copy: Path
) -> None:
    # E2 without its case for difficulty walking: walking alone leaves only the general wording.
    def drop_walking(data: dict[str, Any]) -> None:
        e2 = next(rule for rule in data["rules"] if rule["id"] == "E2")
        e2["reason"]["told"] = [
            case
            for case in e2["reason"]["told"]
            if "walking_difficulty" not in case.get("when", {}).get("answered", {})
        ]

    edit(copy, "emergency.yaml", drop_walking)
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout) == {**dict.fromkeys(INVARIANTS, "ok"), REASONS: "VIOLATED"}
    found = violations(result, REASONS)
    assert found and all(m.startswith("rule E2 fell back to its general wording") for m, _, _ in found)
    for _, answers, _ in found:
        assert answers is not None and answers["walking_difficulty"] in (True, "unsure")
        assert answers["leg_weakness"] is False


def test_a_reason_case_that_can_never_be_used_fails_the_reasons_check(runner: CliRunner, copy: Path) -> None:
    never = {
        "when": {"at_most": {"age": 49}},
        "en": "you are young",
        "el": "είστε νέοι",
    }
    edit(copy, "general.yaml", lambda data: data["rules"][0]["reason"]["told"].insert(0, never))
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout) == {**dict.fromkeys(INVARIANTS, "ok"), REASONS: "VIOLATED"}
    assert [m for m, _, _ in violations(result, REASONS)] == [
        f"rule S3 told[0] (when `age` ≤ 49) was never used in {int(SAMPLES):,} answer sets"
    ]


CAUDA_WITH_PAIN = {"all": [{"term": "cauda"}, {"term": "pain"}]}


@pytest.mark.parametrize(
    "break_floor",
    [
        pytest.param(
            lambda copy: replace_rule(copy, "emergency.yaml", "E1", when=CAUDA_WITH_PAIN), id="E1-needs-pain"
        ),
        pytest.param(lambda copy: replace_rule(copy, "emergency.yaml", "E1"), id="E1-removed"),
    ],
)
def test_saddle_numbness_alone_short_of_an_emergency_breaks_the_floor(
    runner: CliRunner, copy: Path, break_floor: Callable[[Path], None]
) -> None:
    break_floor(copy)
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout)["floor"] == "VIOLATED"
    found = violations(result, "floor")
    assert any(answers == {"saddle_numbness": True} for _, answers, _ in found)
    broken = load_rules(copy)
    for _, answers, _ in found:  # every answer set shown really falls short of an emergency
        assert answers is not None
        assert broken.assess_partial(answers).level < Level.EMERGENCY


def test_cannot_stand_at_the_emergency_level_breaks_the_floor(runner: CliRunner, copy: Path) -> None:
    """Spec v3, invariant 3: what v2's E6 gave (cannot stand → emergency) is no longer enough."""
    replace_rule(copy, "emergency.yaml", "A3", level="emergency")
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout) == {**dict.fromkeys(INVARIANTS, "ok"), "floor": "VIOLATED"}
    found = violations(result, "floor")
    assert {"cannot_stand": True} in [answers for _, answers, _ in found]
    broken = load_rules(copy)
    for _, answers, _ in found:  # every answer set shown really falls short of an ambulance
        assert answers is not None and answers.get("cannot_stand") in (True, "unsure")
        assert broken.assess_partial(answers).level < Level.AMBULANCE


def without_ambulance(copy: Path) -> None:
    """No ambulance rule: A1 and A2 removed, A3 and the cannot-stand floor back at emergency (as in v2)."""
    for rule_id in ("A1", "A2"):
        replace_rule(copy, "emergency.yaml", rule_id)
    replace_rule(copy, "emergency.yaml", "A3", level="emergency")

    def floors_at_emergency(data: dict[str, Any]) -> None:
        for floor in data["floor"]:
            floor["level"] = "emergency"

    edit(copy, "ruleset.yaml", floors_at_emergency)


@pytest.mark.parametrize(
    ("unreachable", "break_levels"),
    [
        pytest.param(
            "information",
            lambda copy: add_rule(copy, "general.yaml", "X3", "soon", {"at_least": {"age": 18}}),
            id="information-never-given",
        ),
        pytest.param("ambulance", without_ambulance, id="ambulance-rules-removed"),
    ],
)
def test_a_level_no_answer_set_reaches_is_reported(
    runner: CliRunner, copy: Path, unreachable: str, break_levels: Callable[[Path], None]
) -> None:
    break_levels(copy)
    result = check(runner, copy)
    assert result.exit_code != 0
    assert statuses(result.stdout) == {**dict.fromkeys(INVARIANTS, "ok"), "every level reachable": "VIOLATED"}
    assert [message for message, _, _ in violations(result, "every level reachable")] == [
        f"no answer set gave {unreachable}"
    ]


# --- an invalid rule file stops every command ---------------------------------------------------


COMMANDS = {
    "assess": ["assess", "-"],
    "rules check": ["rules", "check", "--samples", "10"],
    "rules table": ["rules", "table"],
}
BREAKAGES = {
    "unknown-question": (
        "emergency.yaml",
        "E2",
        {"when": {"any": [{"yes_or_unsure": "leg_weaknes"}, {"yes_or_unsure": "walking_difficulty"}]}},
    ),
    "unknown-level": ("general.yaml", "S3", {"level": "critical"}),
    "unknown-term": ("metastatic.yaml", "U3", {"when": {"term": "weight_loss_in_elderly"}}),
    "missing-reason": ("infection.yaml", "U4", {"reason": None}),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_an_invalid_rule_file_stops_every_command_naming_file_and_rule(
    runner: CliRunner, copy: Path, command: str, breakage: str
) -> None:
    name, rule_id, change = BREAKAGES[breakage]
    replace_rule(copy, name, rule_id, **change)
    result = invoke(
        runner, *COMMANDS[command], "--rules-dir", str(copy), input=json.dumps(VIGNETTES[0]["answers"])
    )
    assert result.exit_code != 0
    assert result.stdout == ""
    problem = next(line for line in result.stderr.splitlines() if name in line)
    assert f"rules/{name}" in problem and f"rule {rule_id}" in problem
    assert TRACEBACK not in result.output


def test_rules_dir_can_come_from_the_environment(
    runner: CliRunner, copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replace_rule(copy, "general.yaml", "S3", level="critical")
    monkeypatch.setenv("RULES_DIR", str(copy))
    result = invoke(runner, "rules", "table")
    assert result.exit_code != 0
    assert "general.yaml" in result.stderr and "S3" in result.stderr


def test_a_rule_file_that_is_not_yaml_is_named(runner: CliRunner, copy: Path) -> None:
    (copy / "general.yaml").write_text("topic: general\nrules: [\n", encoding="utf-8")
    result = invoke(runner, "rules", "table", "--rules-dir", str(copy))
    assert result.exit_code != 0
    assert "rules/general.yaml" in result.stderr and "not valid YAML" in result.stderr
    assert TRACEBACK not in result.output


def test_editing_a_copy_without_a_change_keeps_every_rule(copy: Path) -> None:
    """The mutation tests above rely on this: the YAML round trip alone changes no rule."""
    for name in ("emergency.yaml", "general.yaml", "metastatic.yaml", "osteoporotic.yaml", "infection.yaml"):
        edit(copy, name, lambda data: None)
    original, copied = load_rules(), load_rules(copy)
    assert [(r.id, r.level, r.condition.as_data()) for r in copied.rules] == [
        (r.id, r.level, r.condition.as_data()) for r in original.rules
    ]
    assert copied.version.content_hash == original.version.content_hash
