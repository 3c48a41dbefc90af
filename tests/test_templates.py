"""One field() macro renders every form field: no template but macros/forms.html writes an input; macros
imported without the page's context use only the app's globals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import nodes

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


#: An import without `with context`: the macros module is made once and kept, not on every page.
IMPORT = re.compile(r'\{%-?\s*(?:from|import)\s+"([^"]+)"(?:(?!%\}).)*?(with context)?\s*-?%\}', re.DOTALL)


def imported_without_context() -> set[str]:
    found = {
        match.group(1)
        for path in TEMPLATES.rglob("*.html")
        for match in IMPORT.finditer(path.read_text(encoding="utf-8"))
        if not match.group(2)
    }
    return found


def test_the_form_macros_are_imported_without_context() -> None:
    assert {"macros/forms.html", "macros/conditions.html"} <= imported_without_context()


@pytest.mark.parametrize("name", sorted(imported_without_context()))
def test_macros_imported_without_context_use_only_the_apps_globals(app: Flask, name: str) -> None:
    """Without the page's context a macro sees only the environment's globals (`_`, `g`, `request`,
    `csrf_token` …): a name from a context processor (`practice`, `current_user`) would be silently
    empty, so such a file must be imported `with context`."""
    tree = app.jinja_env.parse((TEMPLATES / name).read_text(encoding="utf-8"))
    loaded = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}
    own = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    own |= {macro.name for macro in tree.find_all(nodes.Macro)}
    own |= {arg.name for macro in tree.find_all(nodes.Macro) for arg in macro.args}
    free = loaded - own - {"loop", "caller", "varargs", "kwargs"}
    assert free, "the check reads the file's names"
    assert free <= set(app.jinja_env.globals), f"{name} uses {sorted(free - set(app.jinja_env.globals))}"
