"""The practice's demo details (triage/practice_demo.yaml) read naturally where texts put them:
mid-sentence ("Call … today on …") and at the start of a line (the footer, the contact block, the PDF)."""

from __future__ import annotations

import re

import pytest

from triage.config import practice_values
from triage.engine import load_rules

LANGUAGES = sorted(load_rules().languages)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_demo_practice_detail_has_brackets_that_break_the_sentence_it_is_put_in(lang: str) -> None:
    bracketed = {
        name: value for name, value in practice_values({}, lang).items() if re.search(r"[()\[\]]", value)
    }
    assert not bracketed, "read mid-sentence as 'Call the spine surgery practice (demo) today'"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_demo_practice_name_reads_as_a_name_mid_sentence_and_at_the_start_of_a_line(lang: str) -> None:
    name = practice_values({}, lang)["practice_name"]
    assert name[0].isupper(), f"{name!r} starts the footer and the PDF's header"
    assert "," not in name, f"{name!r} adds a clause to the sentence it is put in"
