"""The clinical vignettes (tests/cases/vignettes.yaml): answer sets and the level a clinician expects.

The safety report's agreement table and the bank of `rules diff` use every public vignette. They
are read from the test data by default (`--vignettes` names another file): the vignettes are the
project's clinical test cases, kept in one place, and a report that read a copy could drift from
what the tests check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from triage import PROJECT_ROOT

DEFAULT_VIGNETTES = PROJECT_ROOT / "tests" / "cases" / "vignettes.yaml"
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["cases"],
    "properties": {
        "cases": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "story", "expected_level", "answers"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "story": {"type": "string"},
                    "expected_level": {"type": "string"},
                    "answers": {"type": "object"},
                },
            },
        }
    },
}


class VignettesInvalid(Exception):
    """The vignettes file cannot be read."""


@dataclass(frozen=True)
class Vignette:
    """One clinical vignette."""

    id: str
    story: str
    expected_level: str
    answers: dict[str, Any]


def load_vignettes(path: Path | str = DEFAULT_VIGNETTES) -> list[Vignette]:
    """Every vignette of the file, in its order; raises VignettesInvalid saying why not."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        jsonschema.validate(data, _SCHEMA)
    except OSError as exc:
        raise VignettesInvalid(f"{path}: cannot be read ({exc.strerror})") from exc
    except (yaml.YAMLError, jsonschema.ValidationError) as exc:
        raise VignettesInvalid(f"{path}: not a vignettes file ({exc})") from exc
    return [Vignette(c["id"], c["story"], c["expected_level"], dict(c["answers"])) for c in data["cases"]]
