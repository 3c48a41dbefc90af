"""Rule change control: `rules diff OLD NEW` over the fixed bank, on the vendored v1 and v2 rules, on
a lowered copy, and with OLD read from a git revision."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.support.cases import VIGNETTES
from triage.cli import main
from triage.engine import DEFAULT_RULES_DIR, Level, load_rules
from triage.engine.contract import Contract, Kind, Question
from triage.safety.diff import Adapter, least_concern, rules_folder

RULES_V1 = Path(__file__).resolve().parents[1] / "cases" / "rules-v1"
RULES_V2 = Path(__file__).resolve().parents[1] / "cases" / "rules-v2"
#: A row of the transition table: from, to, direction, count, deciding rules.
ROW = re.compile(r"^\| (\w+) \| (\w+) \| (up|DOWN) \| ([\d,]+) \| (.*) \|$", re.MULTILINE)


def diff(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(main, ["rules", "diff", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def transitions(output: str) -> list[tuple[Level, Level, str, int, set[str]]]:
    """The rows of the transition table: from, to, direction, count, the deciding rules' ids."""
    return [
        (Level(old), Level(new), way, int(count.replace(",", "")), set(re.findall(r"([A-Z]\d+) \(", rules)))
        for old, new, way, count, rules in ROW.findall(output)
    ]


def changed_total(output: str) -> tuple[int, int, int]:
    found = re.search(r"([\d,]+) of [\d,]+ outcomes changed level: ([\d,]+) up, ([\d,]+) down", output)
    assert found, output
    changed, up, down = (int(n.replace(",", "")) for n in found.groups())
    return changed, up, down


@pytest.fixture
def lowered(tmp_path: Path) -> Path:
    """The project's rules with E4 (fever and nerve symptoms) made `urgent`."""
    copy = Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))
    path = copy / "infection.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(rule for rule in data["rules"] if rule["id"] == "E4")["level"] = "urgent"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_rules(copy).rule("E4").level is Level.URGENT
    return copy


def version_of(folder: Path) -> str:
    return str(yaml.safe_load((folder / "ruleset.yaml").read_text(encoding="utf-8"))["version"])


def test_v1_to_v2_shows_the_e7_and_u5_escalations_and_no_lowering(runner: CliRunner) -> None:
    assert version_of(RULES_V1) < version_of(RULES_V2)
    result = diff(runner, str(RULES_V1), str(RULES_V2))
    assert result.exit_code == 0, result.output
    changed, up, down = changed_total(result.stdout)
    assert (changed, down) == (up, 0) and up > 0
    rows = transitions(result.stdout)
    assert rows and all(way == "up" and new > old for old, new, way, _, _ in rows)
    assert sum(count for *_, count, _ in rows) == changed
    # Spec v2 added E7 (emergency) and U5 (urgent); nothing else changed a level.
    assert set().union(*(rules for *_, rules in rows)) == {"E7", "U5"}
    assert {new for _, new, *_ in rows} == {Level.EMERGENCY, Level.URGENT}
    assert len(re.findall(r"^Example \w+ → \w+ ", result.stdout, re.MULTILINE)) == len(rows)
    bank = f"{len(VIGNETTES)} vignettes + 20,000 sampled answer sets"
    assert bank in result.stdout
    assert "no phone scripts" in result.stdout  # v1's older format, upgraded in a copy


def test_v2_to_v3_shows_the_a3_and_e8_escalations_and_no_lowering(runner: CliRunner) -> None:
    """Spec v3: cannot stand (A3, was E6) goes up to ambulance, a nerve symptom after a major injury
    without pain (E8) to emergency; nothing else changes a level, and nothing goes down."""
    assert version_of(RULES_V2) < load_rules().version.version
    result = diff(runner, str(RULES_V2), str(DEFAULT_RULES_DIR))
    assert result.exit_code == 0, result.output
    changed, up, down = changed_total(result.stdout)
    assert (changed, down) == (up, 0) and up > 0
    rows = {(old, new): rules for old, new, way, _, rules in transitions(result.stdout)}
    assert rows == {(Level.EMERGENCY, Level.AMBULANCE): {"A3"}, (Level.SOON, Level.EMERGENCY): {"E8"}}
    assert "Example emergency → ambulance (vignette slip-cannot-stand)" in result.stdout
    # v2's older format, upgraded in a copy: one floor, and E6's own action and phone script
    assert "one floor, not a list" in result.stdout and "own action or phone script" in result.stdout


def test_a_lowered_rule_set_exits_1_and_names_the_lowering(runner: CliRunner, lowered: Path) -> None:
    result = diff(runner, str(DEFAULT_RULES_DIR), str(lowered))
    assert result.exit_code == 1, result.output
    assert "went down" in result.stderr and "--allow-lower" in result.stderr
    _, up, down = changed_total(result.stdout)
    assert down > 0 and up == 0
    rows = transitions(result.stdout)
    assert rows and all(way == "DOWN" and old == Level.EMERGENCY for old, _, way, _, _ in rows)
    assert all("E4" in rules for *_, rules in rows)


def test_allow_lower_with_a_reason_lets_a_lowering_pass(runner: CliRunner, lowered: Path) -> None:
    reason = "E4 reviewed: fever with nerve symptoms seen the same day (test)"
    result = diff(runner, str(DEFAULT_RULES_DIR), str(lowered), "--allow-lower", reason)
    assert result.exit_code == 0, result.output
    assert f"went down, allowed: {reason}" in result.stdout
    assert changed_total(result.stdout)[2] > 0


def test_the_same_rules_change_nothing_and_the_bank_is_never_smaller_than_20000(runner: CliRunner) -> None:
    first = diff(runner, str(DEFAULT_RULES_DIR), str(DEFAULT_RULES_DIR))
    assert first.exit_code == 0, first.output
    assert changed_total(first.stdout) == (0, 0, 0) and not transitions(first.stdout)
    assert "--samples" in diff(runner, "--help").stdout
    assert diff(runner, str(DEFAULT_RULES_DIR), str(DEFAULT_RULES_DIR), "--samples", "100").exit_code == 2


def test_old_may_be_a_git_revision_whose_rules_folder_is_read(tmp_path: Path) -> None:
    git = shutil.which("git")
    assert git, "git is needed to read a revision"
    repository = tmp_path / "repository"
    shutil.copytree(RULES_V1, repository / "rules")
    for command in (
        ["init", "-q"],
        ["add", "rules"],
        ["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "v1"],
    ):
        subprocess.run([git, "-C", str(repository), *command], check=True, capture_output=True)
    with rules_folder("HEAD", repository) as (folder, label):
        assert label.startswith("HEAD (")
        assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in RULES_V1.iterdir())
        assert (folder / "emergency.yaml").read_bytes() == (RULES_V1 / "emergency.yaml").read_bytes()
    assert not folder.exists()  # extracted into a folder removed afterwards


def test_a_name_that_is_neither_a_folder_nor_a_revision_exits_2(runner: CliRunner) -> None:
    for old in ("no-such-revision-or-folder", "--upload-pack=x"):
        result = diff(runner, "--", old, str(DEFAULT_RULES_DIR))
        assert result.exit_code == 2, result.output
        assert "neither a folder nor a git revision" in result.stderr


def question(qid: str, kind: Kind, **fields: object) -> Question:
    return Question(id=qid, section="s", kind=kind, **fields)  # type: ignore[arg-type]


def test_answer_sets_are_made_valid_for_an_old_contract_that_differs() -> None:
    shared = question("age", Kind.INTEGER, minimum=18, maximum=120)
    only_new = question("neck_injury", Kind.YES_NO)
    only_old = [
        question("fever", Kind.YES_NO),
        question("injury", Kind.CHOICE, values=("major", "none"), concern_order=("none", "major")),
        question("weight", Kind.INTEGER, minimum=30, maximum=200),
        question("where", Kind.MULTI_CHOICE, values=("neck", "back"), min_items=1),
        question("optional", Kind.YES_NO, required=False),
    ]
    adapt = Adapter(Contract((shared, *only_old), (), {}), Contract((shared, only_new), (), {}))
    assert adapt({"age": 70, "neck_injury": True}) == {
        "age": 70,
        "fever": False,
        "injury": "none",
        "weight": 30,
        "where": ["neck"],
    }
    assert [least_concern(q) for q in only_old[:2]] == [False, "none"]
    assert any("neck_injury" in note for note in adapt.notes())
