"""Text → figures (claims) with value, unit, scale, hedge, metric and period. Pure.

Contract: ``find_claims(text, published) -> list[Claim]``; ``text[c.start:c.end] == c.surface``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    start: int
    end: int
    surface: str  # the figure as written, hedge included: "nearly $ 108 billion"
    value: float | None  # in base units, scale applied (108e9 for "$108 billion")
    low: float | None  # interval implied by value + hedge
    high: float | None
    unit: str | None  # canonical unit: USD, EUR, RUB, CNY, m3, t, bbl, bbl/d, %, pp, h, d, ...
    kind: str | None  # money | volume | mass | percent | duration | count | ...
    hedge: str | None  # canonical hedge: "nearly", "up to", "about", "more than", ...
    metric: str | None = None  # normalised metric phrase ("bilateral trade")
    entities: tuple[str, ...] = ()
    period: str | None = None  # label: "2022", "2023-01..2023-11"
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    is_target: bool = False
    speaker: str | None = None  # filled by the pipeline from the quote that contains it
