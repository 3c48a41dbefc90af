"""One field() macro renders every form field: no template but macros/forms.html writes an input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from triage import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
FIELD_MACROS = TEMPLATES / "macros" / "forms.html"
CONTROL = re.compile(r"<(input|select|textarea)\b", re.IGNORECASE)


def templates() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*.html") if path != FIELD_MACROS)


def test_there_are_templates_to_check() -> None:
    assert len(templates()) > 10
    assert CONTROL.search(FIELD_MACROS.read_text(encoding="utf-8")), "the field macros write the inputs"


@pytest.mark.parametrize("template", templates(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_template_writes_a_form_control_by_hand(template: Path) -> None:
    written = CONTROL.findall(template.read_text(encoding="utf-8"))
    assert not written, f"{template.name} writes <{written[0]}> itself: use field() from macros/forms.html"
