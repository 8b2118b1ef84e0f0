"""output.py: how values read in the terminal tables editors look at."""

from __future__ import annotations

import pytest

from tracker.output import _cell


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2.401e11, "240,100,000,000"),  # "$240.1 billion" in a flag's table, not 2.401e+11
        (283.5e6, "283,500,000"),
        (1234567.5, "1,234,568"),
        (90000.0, "90,000"),
        (26.3, "26.3"),
        (0.5, "0.5"),
        (-5.0, "-5"),
        (1e16, "1e+16"),  # beyond any figure in the news: short form
        (None, ""),
        ("two  words\n", "two words"),
    ],
)
def test_cell(value: object, shown: str) -> None:
    assert _cell(value) == shown
