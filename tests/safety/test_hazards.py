"""The hazard log: every control it names exists (rules, invariants, and tests as pytest collects
them), `rules check` fails naming the hazard and the control when one does not, and the risks
follow the matrix."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from triage import PROJECT_ROOT
from triage.cli import main
from triage.engine import DEFAULT_RULES_DIR, RulesInvalid
from triage.rulecheck.check import INVARIANTS
from triage.safety.hazards import HAZARDS, load_hazards
from triage.safety.testindex import index_tests

#: Enough for the project's rules to show every rule firing (as tests/test_cli.py uses).
SAMPLES = "20000"
LOG = load_hazards()
NAMED_TESTS = sorted({node_id for hazard in LOG.hazards for node_id in hazard.controls.tests})


def collected(files: list[str]) -> set[str]:
    """The node ids pytest collects from these files (parametrised cases folded into one)."""
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return {re.sub(r"\[.*\]$", "", line) for line in done.stdout.splitlines() if "::" in line}


def test_every_test_the_hazard_log_names_is_collected_by_pytest() -> None:
    files = sorted({node_id.split("::")[0] for node_id in NAMED_TESTS})
    found = collected([name for name in files if (PROJECT_ROOT / name).is_file()])
    missing = [node_id for node_id in NAMED_TESTS if node_id not in found]
    assert not missing, f"tests named in rules/{HAZARDS} that pytest does not collect: {missing}"
    # The index rules check uses (read with ast, nothing imported) sees exactly what pytest collects.
    indexed = {node_id for node_id in index_tests() if node_id.split("::")[0] in files}
    assert indexed == found


def test_every_hazard_has_a_live_control_a_test_and_a_design_feature() -> None:
    assert len(LOG.hazards) >= 14
    for hazard in LOG.hazards:
        assert hazard.controls.tests and hazard.controls.design, hazard.id
        assert hazard.residual.risk <= hazard.initial.risk, hazard.id


def test_the_test_index_finds_functions_and_methods_of_test_classes(tmp_path: Path) -> None:
    tests = tmp_path / "tests" / "area"
    tests.mkdir(parents=True)
    (tests / "test_things.py").write_text(
        "import pytest\n"
        "def helper(): pass\n"
        "def test_alone():\n    def test_inner(): pass\n"
        "@pytest.mark.parametrize('x', ['marked'])\nasync def test_async(x): pass\n"
        "class TestGroup:\n    def test_method(self): pass\n    def helper(self): pass\n"
        "class Helper:\n    def test_not_collected(self): pass\n",
        encoding="utf-8",
    )
    (tests / "helpers.py").write_text("def test_not_in_a_test_file(): pass\n", encoding="utf-8")
    index = index_tests(tmp_path / "tests", tmp_path)
    assert sorted(index) == [
        "tests/area/test_things.py::TestGroup::test_method",
        "tests/area/test_things.py::test_alone",
        "tests/area/test_things.py::test_async",
    ]
    assert "'marked'" in index["tests/area/test_things.py::test_async"].source  # decorators included


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    """A copy of the rules whose hazard H01 names a rule, an invariant and a test that do not exist."""
    copy = Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))
    path = copy / HAZARDS
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    controls = data["hazards"][0]["controls"]
    controls["rules"].append("E99")
    controls["invariants"].append("telepathy")
    controls["tests"] += ["tests/engine/test_vignettes.py::test_gone", "tests/test_cli.py::TestNone::test_x"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def test_rules_check_fails_naming_the_hazard_and_each_control_that_does_not_exist(
    runner: CliRunner, broken_copy: Path
) -> None:
    result = runner.invoke(main, ["rules", "check", "--rules-dir", str(broken_copy), "--samples", SAMPLES])
    assert result.exit_code == 1, result.output
    # Every invariant holds: the hazard log alone fails the check.
    assert re.findall(r"^\d+\. .+: (ok|VIOLATED)$", result.stdout, re.MULTILINE) == ["ok"] * len(INVARIANTS)
    assert "hazard log: BROKEN, 4 problem(s)" in result.stdout
    hazard = LOG.hazards[0].id
    for control in (
        "rule E99 is not a rule of the rule set",
        "invariant 'telepathy' is not one that rules check proves",
        "test tests/engine/test_vignettes.py::test_gone does not exist",
        "test tests/test_cli.py::TestNone::test_x does not exist",
    ):
        assert f"rules/hazards.yaml: hazard {hazard}: control: {control}" in result.stderr


def test_rules_check_names_the_hazard_log_it_checked(runner: CliRunner, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))
    (copy / HAZARDS).unlink()
    result = runner.invoke(main, ["rules", "check", "--rules-dir", str(copy), "--samples", "1"])
    assert result.exit_code == 1
    assert "rules/hazards.yaml: file is missing" in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h["initial"].update(risk=1), "give risk 4 on the matrix, not 1"),
        (lambda h: h["residual"].update(severity=5, likelihood=5, risk=5), "above the initial risk"),
        (lambda h: h["residual"].update(severity=5, likelihood=2, risk=4), "residual risk 4 is unacceptable"),
        (lambda h: h["controls"].update(tests=[]), "controls.tests: [] should be non-empty"),
        (lambda h: h.pop("harm"), "'harm' is a required property"),
    ],
    ids=["off-the-matrix", "residual-above-initial", "unacceptable-residual", "no-test", "no-harm"],
)
def test_a_hazard_log_off_the_matrix_or_without_its_parts_is_refused(
    tmp_path: Path, change: object, message: str
) -> None:
    copy = Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))
    path = copy / HAZARDS
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = data["hazards"][0]
    assert (first["initial"]["severity"], first["initial"]["likelihood"]) == (5, 3)
    change(first)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesInvalid) as refused:
        load_hazards(copy)
    assert message in str(refused.value)
    assert f"hazard {first['id']}" in str(refused.value)
