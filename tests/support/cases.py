"""The clinical vignettes (tests/cases/vignettes.yaml): answers in the contract of spec.md and the
level a careful clinician expects, each with an id and a story."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"


def vignettes() -> list[dict[str, Any]]:
    """The clinical vignettes (tests/cases/vignettes.yaml), each with id, story, expected_level, answers."""
    data = yaml.safe_load((CASES_DIR / "vignettes.yaml").read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["cases"]
    return cases


#: The vignettes, read once for the tests that parametrise over them; and each by its id.
VIGNETTES = vignettes()
VIGNETTE = {case["id"]: case for case in VIGNETTES}
