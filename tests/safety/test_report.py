"""`safety report`: the safety case is produced, names every hazard with its controls, shows every
vignette agreeing in the engine, the pages and a phone call, and traces every rule."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.support.cases import VIGNETTES
from triage import PROJECT_ROOT
from triage.cli import main
from triage.engine import load_rules
from triage.safety.hazards import load_hazards

#: Where CI keeps what a run produced (as the browser tests' screenshots).
ARTIFACTS = PROJECT_ROOT / "artifacts"
#: Enough for the project's rules to show every rule firing (as tests/test_cli.py uses).
SAMPLES = "20000"


def test_the_report_is_produced_and_names_every_hazard(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "out" / "safety-case.md"
    result = runner.invoke(main, ["safety", "report", "--samples", SAMPLES, "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    rules = load_rules()
    assert rules.version.content_hash in text and rules.version.version in text
    for hazard in load_hazards().hazards:
        assert f"### {hazard.id} {hazard.title}" in text
        assert f"| {hazard.id} | {hazard.title} |" in text
        for test in hazard.controls.tests:
            assert f"`{test}`" in text
    assert "All invariants hold." in text
    assert f"**{len(VIGNETTES)} of {len(VIGNETTES)} agree.**" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and line.endswith(" | yes |")]
    assert len(rows) == len(VIGNETTES)
    for case in VIGNETTES:
        expected = case["expected_level"]
        row = next(r for r in rows if r.startswith(f"| {case['id']} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1:3] == [expected, expected]
        assert cells[3].split()[0] == expected and cells[4].split()[0] == expected
    for rule in rules.rules:
        assert f"| {rule.topic}.yaml | {rule.id} | {rule.level.value} |" in text
    assert "## 7. Open issues for the practice's clinical safety officer" in text
    assert "wrote" in result.stdout and f"{len(load_hazards().hazards)} hazards" in result.stdout
    if os.environ.get("CI", "").lower() == "true":  # CI keeps the safety case with its other artifacts
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copyfile(output, ARTIFACTS / "safety-case.md")
