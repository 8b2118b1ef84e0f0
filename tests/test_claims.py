"""Claims extraction: cases in tests/cases/claims_*.json, spans, and hostile input.

Each case is ``{"text", "date"?, "expect": [...]}``; an expected claim names its ``surface``
and any of ``value``, ``unit``, ``hedge``, ``low``, ``high``, ``period``, ``period_start``,
``period_end``, ``is_target``, ``metric``, ``metric_contains``, ``entities``.  The found claims
must be exactly the expected ones (by surface), so negatives are ``"expect": []``.
A case with ``"gap"`` (as in tests/test_quotes.py) is a known gap: it is expected to fail, and
strictly, so a fix shows up as XPASS and the note can be dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from pathlib import Path
from typing import Any

import pytest

from tracker.claims import Claim, find_claims

CASES = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("claims_*.json")):
        for i, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            marks = (
                [pytest.mark.xfail(reason=f"known gap: {case['gap']}", strict=True)]
                if case.get("gap")
                else []
            )
            out.append(pytest.param(case, id=f"{path.stem}[{i}]", marks=marks))
    return out


def assert_spans(text: str, claims: list[Claim]) -> None:
    """Every span and sub-span indexes the text it claims to."""
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    for c in claims:
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start : c.end] == c.surface
        assert c.value_start is not None and c.value_end is not None
        assert c.start <= c.value_start < c.value_end <= c.end
        assert text[c.value_start : c.value_end].strip() == text[c.value_start : c.value_end]
        for part in ("unit", "hedge", "metric"):  # a sub-span is whole or absent
            s, e = getattr(c, f"{part}_start"), getattr(c, f"{part}_end")
            assert (s is None) == (e is None), (part, s, e, c)
        if c.unit_start is not None and c.unit_end is not None:
            assert text[c.unit_start : c.unit_end] == c.surface_unit
        if c.hedge_start is not None and c.hedge_end is not None:
            assert c.start <= c.hedge_start < c.hedge_end <= c.end
            assert text[c.hedge_start : c.hedge_end].strip()
        if c.metric_start is not None and c.metric_end is not None:
            assert text[c.metric_start : c.metric_end].strip()
        if c.low is not None and c.high is not None:
            assert c.low <= c.high


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-3 if b == 0 else 0.0)


@pytest.mark.parametrize("case", _load())
def test_case(case: dict[str, Any]) -> None:
    text = case["text"]
    published = dt.date.fromisoformat(case["date"]) if case.get("date") else None
    claims = find_claims(text, published)
    assert_spans(text, claims)
    got = {c.surface: c for c in claims}
    assert sorted(got) == sorted(e["surface"] for e in case["expect"]), [
        (c.surface, c.value, c.unit) for c in claims
    ]
    for e in case["expect"]:
        c = got[e["surface"]]
        for key in ("value", "low", "high"):
            if key in e:
                assert _close(getattr(c, key), e[key]), (key, getattr(c, key), e[key])
        for key in ("unit", "hedge", "period", "is_target", "metric"):
            if key in e:
                assert getattr(c, key) == e[key], (key, getattr(c, key), e[key])
        for key in ("period_start", "period_end"):
            if key in e:
                assert getattr(c, key) == (dt.date.fromisoformat(e[key]) if e[key] else None)
        if "metric_contains" in e:
            assert c.metric and e["metric_contains"] in c.metric, c.metric
        if "entities" in e:
            assert set(e["entities"]) <= set(c.entities), c.entities
        if "entities_exact" in e:
            assert sorted(c.entities) == sorted(e["entities_exact"]), c.entities


def test_case_count() -> None:
    assert len(_load()) >= 80


def test_empty_and_plain_text() -> None:
    assert find_claims("") == []
    assert find_claims("No figures here at all.") == []


def test_claim_is_frozen_and_speaker_left_empty() -> None:
    (c,) = find_claims("Exports reached $5 billion.")
    assert c.speaker is None
    with pytest.raises(AttributeError):
        c.value = 1.0  # type: ignore[misc]


def test_offsets_survive_blanked_date_line() -> None:
    text = " " * 16 + "\nLast year trade hit $5 billion."
    (c,) = find_claims(text, dt.date(2023, 3, 1))
    assert text[c.start : c.end] == "$5 billion"
    assert c.period == "2022"


@pytest.mark.reliability
def test_hostile_input_never_raises_and_stays_linear() -> None:
    rng = random.Random(7)
    digits = "1" * 1_000_000
    start = time.perf_counter()
    assert find_claims(digits) == []
    assert time.perf_counter() - start < 5
    separated = "1,000 " * 50_000 + "tons"
    assert_spans(separated, find_claims(separated))
    alphabet = "0123456789 ,.-–$€%bnmk\u00a0\u202fabout nearly million tons 2022 June "
    noise = "".join(rng.choice(alphabet) for _ in range(200_000))
    start = time.perf_counter()
    claims = find_claims(noise, dt.date(2023, 1, 1))
    assert time.perf_counter() - start < 10
    assert_spans(noise, claims)
    uni = "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(100_000))
    try:
        uni.encode("utf-8")
    except UnicodeEncodeError:
        uni = uni.encode("utf-8", "replace").decode("utf-8")
    assert_spans(uni, find_claims(uni))


@pytest.mark.parametrize("text", ["5bn", "The fund holds 7million.", "0billion"])
def test_a_bare_scaled_count_has_no_unit_span(text: str) -> None:
    """ "5bn" is five billion of nothing named: no unit, so neither end of a unit span
    (the end was -1 while the start was None)."""
    claims = find_claims(text)
    assert claims and all(c.unit_start is None and c.unit_end is None for c in claims)
    assert_spans(text, claims)
