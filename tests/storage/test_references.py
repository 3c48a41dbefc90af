"""Reference codes: Crockford base32, XXXX-XXXX, unique, unguessable, and forgiving when typed."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Sequence
from statistics import median

import pytest
from flask import Flask

from tests.support.cases import vignettes
from tests.support.records import assessments
from triage.engine import load_rules
from triage.storage import assessments as assessment_store
from triage.storage.references import new_reference, normalise_reference
from triage.storage.repository import StorageUnavailable, find_assessment, save_assessment

#: Crockford's base32, written out here rather than taken from the code under test.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
SAVES = 2_000
OUTCOME = load_rules().assess(vignettes()[0]["answers"])


def code_value(reference: str) -> int:
    """A reference as the 40-bit number it spells."""
    return int("".join(f"{CROCKFORD.index(ch):05b}" for ch in reference.replace("-", "")), 2)


def shared_prefix(a: str, b: str) -> int:
    """How many characters two codes share at their beginning."""
    return next((n for n, (x, y) in enumerate(zip(a, b, strict=True)) if x != y), len(a))


def assert_unpredictable(references: Sequence[str]) -> None:
    """Codes in the order drawn look like independent uniform draws over the whole alphabet."""
    codes = [reference.replace("-", "") for reference in references]
    pairs = list(itertools.pairwise(codes))
    # Consecutive codes share no prefix beyond chance (1 in 32 share the first character).
    shared = [shared_prefix(a, b) for a, b in pairs]
    assert sum(shared) / len(shared) < 0.1, "consecutive codes share their beginnings"
    assert sum(n >= 2 for n in shared) < 0.01 * len(pairs), "consecutive codes share their beginnings"
    # Not counting up (or down): half the steps go up, and a typical step is huge, not 1.
    values = [code_value(reference) for reference in references]
    ups = sum(b > a for a, b in itertools.pairwise(values)) / len(pairs)
    assert 0.4 < ups < 0.6, f"{ups:.0%} of consecutive codes are larger than the one before"
    assert median(abs(b - a) for a, b in itertools.pairwise(values)) > 2**30
    # Every character of the alphabet in every position, in about equal numbers (chi-square,
    # 31 degrees of freedom; 100 is exceeded by chance with a probability below 1e-8).
    for position in range(8):
        counts = Counter(code[position] for code in codes)
        assert set(counts) == set(CROCKFORD), f"position {position} uses only {sorted(counts)}"
        expected = len(codes) / len(CROCKFORD)
        chi_square = sum((counts[ch] - expected) ** 2 / expected for ch in CROCKFORD)
        assert chi_square < 100, f"position {position} is lopsided: {counts.most_common(3)}"


def test_the_alphabet_is_crockfords() -> None:
    assert len(CROCKFORD) == len(set(CROCKFORD)) == 32
    assert not set("ILOU") & set(CROCKFORD)
    assert all(SHAPE.match(f"{ch * 4}-{ch * 4}") for ch in CROCKFORD)


def test_new_codes_have_the_shape_and_are_unpredictable() -> None:
    references = [new_reference() for _ in range(20_000)]
    assert all(SHAPE.match(reference) for reference in references)
    assert len(set(references)) == len(references)
    assert_unpredictable(references)


def test_codes_do_not_follow_the_seed_of_random() -> None:
    """They come from the system's secure source, not from the `random` module's generator."""
    random.seed(20261124)
    first = [new_reference() for _ in range(4)]
    random.seed(20261124)
    assert [new_reference() for _ in range(4)] != first


def test_saved_codes_are_unique_well_formed_and_unpredictable(app: Flask) -> None:
    with app.app_context():
        references = [save_assessment(OUTCOME, channel="api", language="en") for _ in range(SAVES)]
    assert all(SHAPE.match(reference) for reference in references)
    assert len(set(references)) == SAVES
    assert [row["reference"] for row in assessments(app)] == references
    assert_unpredictable(references)


def test_a_taken_code_is_drawn_again(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        taken = save_assessment(OUTCOME, channel="api", language="en")
        fresh = next(code for code in iter(new_reference, None) if code != taken)
        draws = iter([taken, taken, fresh])
        monkeypatch.setattr(assessment_store, "new_reference", lambda: next(draws))
        assert save_assessment(OUTCOME, channel="online", language="en") == fresh
    rows = assessments(app)
    assert [(row["reference"], row["channel"]) for row in rows] == [(taken, "api"), (fresh, "online")]


def test_when_every_draw_is_taken_nothing_is_saved_and_storage_still_works(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        taken = save_assessment(OUTCOME, channel="api", language="en")
        with monkeypatch.context() as patch:
            patch.setattr(assessment_store, "new_reference", lambda: taken)
            with pytest.raises(StorageUnavailable):
                save_assessment(OUTCOME, channel="online", language="en")
        later = save_assessment(OUTCOME, channel="online", language="en")
    assert [row["reference"] for row in assessments(app)] == [taken, later]


@pytest.mark.parametrize(
    ("typed", "reference"),
    [
        ("7KQ3-M9TX", "7KQ3-M9TX"),
        ("7kq3-m9tx", "7KQ3-M9TX"),
        ("7KQ3M9TX", "7KQ3-M9TX"),
        ("7kq3 m9tx", "7KQ3-M9TX"),
        ("  7K Q3 - M9 TX \t", "7KQ3-M9TX"),
        ("O0o0-0000", "0000-0000"),  # O read out as 0
        ("IiLl-1111", "1111-1111"),  # I and L read out as 1
        ("a0b1-c0d1", "A0B1-C0D1"),
        ("aOb1 cOdl", "A0B1-C0D1"),
    ],
)
def test_typed_codes_are_normalised(typed: str, reference: str) -> None:
    assert normalise_reference(typed) == reference


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "-",
        "7KQ3-M9T",  # 7 characters
        "7KQ3-M9TXA",  # 9 characters
        "7KQ",
        "7KQ3-M9TU",  # U is not in the alphabet
        "7KQ3_M9TX",
        "7KQ3.M9TX",
        "7KQ3-M9T!",
        "7KQ3-M9TÉ",
        "７KQ3-M9TX",  # a full-width digit
        "'; DROP TABLE assessments; --",
    ],
)
def test_malformed_codes_are_rejected(typed: str) -> None:
    assert normalise_reference(typed) is None


def test_an_assessment_is_found_by_its_code_as_typed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        random_code = save_assessment(OUTCOME, channel="api", language="en")
        monkeypatch.setattr(assessment_store, "new_reference", lambda: "A0B1-C0D1")
        save_assessment(OUTCOME, channel="online", language="en")
        found = {
            typed: (row.reference if (row := find_assessment(typed)) else None)
            for typed in [
                random_code.lower(),
                random_code.replace("-", " "),
                "a0b1-c0d1",
                "A0B1C0D1",
                "aOb1 cOdl",
                " AOBI-COD1 ",
            ]
        }
        assert found == {
            random_code.lower(): random_code,
            random_code.replace("-", " "): random_code,
            "a0b1-c0d1": "A0B1-C0D1",
            "A0B1C0D1": "A0B1-C0D1",
            "aOb1 cOdl": "A0B1-C0D1",
            " AOBI-COD1 ": "A0B1-C0D1",
        }
        assert find_assessment("A0B1-C0D2") is None  # well formed, never issued
        assert find_assessment("not a code") is None
        assert find_assessment("") is None
