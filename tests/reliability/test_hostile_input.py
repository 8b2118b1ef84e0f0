"""Hostile input to the pure extractors: never raise, spans exact, time linear.

Property tests (hypothesis, bounded) feed any Unicode text and a "newsy noise"
strategy built from quote marks of every script, control characters, right-to-left
marks and letters, digits, currency signs, scale words and reporting verbs. Every
quote, claim and sub-span must index the text exactly.

Time: for each pathological pattern the extractor's time on a text of N characters
is compared with its time on a normal article text of N characters, and with its own
time on 4N characters. Catastrophic backtracking or a quadratic loop shows up as a
large ratio to normal text or a growth ratio near 16 instead of 4. Times are the
best of several runs, so a busy machine makes them noisier, not slower.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.claims import find_claims
from tracker.pipeline import analyse
from tracker.quotes import find_quotes_with_warnings

from .helpers import corpus_records

pytestmark = pytest.mark.reliability

QUOTE_MARKS = list("\"'“”„‟«»‹›‘’‚‛「」『』〝〞＂")
CONTROL = [chr(c) for c in range(32) if chr(c) not in "\n"] + ["\x7f", "\u0085", "\u2028", "\u2029"]
RTL = ["\u200f", "\u202e", "\u202b", "\u2067", "שלום", "مرحبا", "قال", "אמר"]
WORDS = [
    "said", "told reporters", "according to", "added", "he", "she", "the minister", "Vladimir Putin",
    "Mr.", "Dr.", "that", "and", "billion", "million", "bn", "trillion", "%", "per cent", "percent",
    "$", "€", "£", "₽", "¥", "USD", "RUB", "tonnes", "bcm", "barrels a day", "nearly", "about",
    "up to", "more than", "in 2023", "2024", "Q3", "January–November", " date 2024-01-01",
]  # fmt: skip
DIGITS = ["0", "1", "12", "1,234", "1.5", "1 000", "3,5", "٣", "１２", "½", "¹", "-", "+", "10⁹", "1e9", "…"]
NOISE = st.lists(
    st.one_of(
        st.sampled_from(QUOTE_MARKS),
        st.sampled_from(CONTROL),
        st.sampled_from(RTL),
        st.sampled_from(WORDS),
        st.sampled_from(DIGITS),
        st.sampled_from(
            [" ", "  ", "\n", "\n\n", ".", ",", ":", ";", "—", "(", ")", "\u0301", "🎄", "\ufeff"]
        ),
        st.text(max_size=8),
    ),
    max_size=200,
).map("".join)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _within(text: str, s: Any, e: Any) -> None:
    if s is None and e is None:
        return
    assert s is not None and e is not None, (s, e)
    assert 0 <= s <= e <= len(text), (s, e, len(text))


def check_quotes(text: str) -> None:
    quotes, warnings = find_quotes_with_warnings(text)
    assert all(isinstance(w, str) for w in warnings)
    for q in quotes:
        assert text[q.start : q.end] == q.text, q
        for s, e, surface in ((q.mention_start, q.mention_end, q.mention), (q.cue_start, q.cue_end, q.cue)):
            _within(text, s, e)
            if s is not None:
                assert text[s:e] == surface, (s, e, surface, q)


def check_claims(text: str, published: dt.date | None = None) -> None:
    claims = find_claims(text, published)
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    for c in claims:
        assert text[c.start : c.end] == c.surface, c
        for part in ("value", "unit", "hedge", "metric"):
            _within(text, getattr(c, f"{part}_start", None), getattr(c, f"{part}_end", None))


@SETTINGS
@given(st.text(max_size=400))
def test_quotes_any_unicode(text: str) -> None:
    check_quotes(text)


@SETTINGS
@given(st.text(max_size=400), st.one_of(st.none(), st.dates()))
def test_claims_any_unicode(text: str, published: dt.date | None) -> None:
    check_claims(text, published)


@SETTINGS
@given(NOISE)
def test_quotes_newsy_noise(text: str) -> None:
    check_quotes(text)


@SETTINGS
@given(NOISE, st.one_of(st.none(), st.dates()))
def test_claims_newsy_noise(text: str, published: dt.date | None) -> None:
    check_claims(text, published)


@settings(max_examples=60, deadline=None)
@given(NOISE, st.integers(min_value=0, max_value=40))
def test_analyse_noise_with_date_line(text: str, cut: int) -> None:
    body_start = min(cut, len(text))
    a = analyse(text, dt.date(2024, 1, 1), body_start)
    for q in a.quotes:
        assert text[q.start : q.end] == q.text
        assert q.start >= body_start  # the masked date line never yields a quote
    for c in a.claims:
        assert text[c.start : c.end] == c.surface
        assert c.start >= body_start
    assert len(a.claim_quote) == len(a.claims)


# --------------------------------------------------------------------------- time

N = 10_000


def _normal(n: int) -> str:
    text = "\n\n".join(r["text"] for r in corpus_records(max(4, n // 2500), 5))
    while len(text) < n:
        text += "\n\n" + text
    return text[:n]


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


PATTERNS: dict[str, Callable[[int], str]] = {
    "straight double quotes": _repeat('"'),
    "open curly quotes only": _repeat("“"),
    "alternating guillemets and words": _repeat("« a » b "),
    "unbalanced mixed marks": _repeat('“a" ‘b’ «c ”d„ '),
    "apostrophes in words": _repeat("Putin's O'Neil rock'n'roll '90s "),
    "digits without spaces": _repeat("1234567890"),
    "digits with separators": _repeat("1,234.5 "),
    "money everywhere": _repeat("$1.5 billion, "),
    "hedge and scale words": _repeat("nearly about up to more than billion million "),
    "reporting verbs": _repeat("said told added according to "),
    "control characters": _repeat("a\x01\x02\x0b\x0c\x1b b "),
    "right-to-left text": _repeat("\u202e\u05e9\u05dc\u05d5\u05dd \u0642\u0627\u0644 12% \u200f"),
    "one long word": _repeat("a"),
    "whitespace only": _repeat(" \t"),
    "sentence dots": _repeat("Mr. Dr. U.S. e.g. 1. 2. "),
    "nested brackets": _repeat("(([[{{"),
    "one long line of prose": lambda n: _normal(n).replace("\n", " "),
}
PATTERNS["said that with quotes"] = _repeat('The minister said that "trade" grew. ')
PATTERNS["figures in one long sentence"] = _repeat("$1.5 billion, ")

# Cases found by this test and reported to their owners go here as strict xfail, so a
# fix is noticed. Empty now: claims.py's target-cue look-back (quadratic in a long
# figure-dense sentence) was bounded, and quotes.py's indirect-speech pass was fixed.
KNOWN: dict[tuple[str, str], tuple[str, bool]] = {}


def _best(f: Callable[[str], Any], text: str, runs: int = 3) -> float:
    """Best CPU time of ``runs`` calls: CPU time, not wall time, so other processes on a
    busy 2-core machine (the rest of the suite, other engineers) do not inflate ratios.

    The cyclic garbage collector is off while timing: its passes cost in proportion to
    every object the test process holds (hundreds of tests' worth late in a run), not to
    the text, and in CI they made a linear 4x longer input cost 10.5x (0.013 s -> 0.137 s;
    0.018 s -> 0.064 s in a fresh process)."""
    import gc

    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            t0 = time.process_time()
            f(text)
            best = min(best, time.process_time() - t0)
    finally:
        gc.enable()
    return best


EXTRACTORS: dict[str, Callable[[str], Any]] = {
    "quotes": find_quotes_with_warnings,
    "claims": lambda t: find_claims(t, None),
}
# Four times the length may cost at most about four times the time: 4 for linear, 16
# for quadratic; 10 leaves room for timer noise and cache effects on a loaded 2-core
# machine (measured up to 8.3 for plainly linear code), and a failing measurement is
# repeated once. The ratio to prose of the same length only catches explosive (backtracking)
# cases: dense pathological text legitimately yields far more quotes or figures per
# character than prose.
GROWTH = 4
MAX_GROWTH_RATIO = 10.0
MAX_RATIO_TO_NORMAL = 60.0
FLOOR = 0.01  # seconds: below this, ratios are timer noise
MIN_TIMED = 0.02  # seconds: the smaller measurement is made at least this long when cheap


def _ratios(extractor: str, pattern: Callable[[int], str], n: int) -> tuple[float, float, str]:
    f = EXTRACTORS[extractor]
    normal = max(_best(f, _normal(n)), FLOOR)
    t1 = max(_best(f, pattern(n)), FLOOR)
    t2 = _best(f, pattern(GROWTH * n), runs=3)
    detail = f"normal {n} chars {normal:.3f}s; pattern {n}: {t1:.3f}s, {GROWTH * n}: {t2:.3f}s"
    return t1 / normal, t2 / t1, detail


def _assert_linear(extractor: str, pattern: Callable[[int], str], known: bool = False) -> None:
    # A known quadratic case is measured once and smaller: it only has to stay visible.
    n, attempts = (N // 2, 1) if known else (N, 3)
    # Grow a pattern that is too quick to time reliably: a ratio of two ~5 ms timings is
    # mostly scheduler noise (measured 8.9 for plainly linear code).
    while _best(EXTRACTORS[extractor], pattern(n), runs=2) < MIN_TIMED and n < 8 * N:
        n *= 2
    for _attempt in range(attempts):
        to_normal, growth, detail = _ratios(extractor, pattern, n)
        if to_normal <= MAX_RATIO_TO_NORMAL and growth <= MAX_GROWTH_RATIO:
            return
    raise AssertionError(f"not linear: {detail}")


def _cases() -> list[Any]:
    cases = []
    for pattern in PATTERNS:
        for extractor in EXTRACTORS:
            known = KNOWN.get((pattern, extractor))
            marks = [pytest.mark.xfail(strict=known[1], reason=known[0])] if known else []
            cases.append(pytest.param(pattern, extractor, marks=marks, id=f"{extractor}-{pattern}"))
    return cases


@pytest.mark.parametrize(("pattern", "extractor"), _cases())
def test_pathological_input_is_linear(pattern: str, extractor: str) -> None:
    text = PATTERNS[pattern](N)
    (check_quotes if extractor == "quotes" else check_claims)(text)
    _assert_linear(extractor, PATTERNS[pattern], known=(pattern, extractor) in KNOWN)


def test_one_megabyte_single_line() -> None:
    """A 1 MB line with no newline (a minified feed): never raises, spans exact, bounded time."""
    line = (_normal(200_000).replace("\n", " ") * 6)[: 1024 * 1024]
    t0 = time.perf_counter()
    check_claims(line)
    claims_s = time.perf_counter() - t0
    assert claims_s < 30, f"find_claims took {claims_s:.1f}s on a 1 MB line"
    # find_quotes on 256 KB: its quadratic passes (KNOWN) make 1 MB too slow for this suite.
    t0 = time.perf_counter()
    check_quotes(line[: 256 * 1024])
    quotes_s = time.perf_counter() - t0
    assert quotes_s < 30, f"find_quotes took {quotes_s:.1f}s on a 256 KB line"


def test_thousands_of_quote_marks_and_digits() -> None:
    text = "".join(f'"{i}" “{i}% ”«{i} billion»„' for i in range(1500))
    check_quotes(text)
    check_claims(text)
