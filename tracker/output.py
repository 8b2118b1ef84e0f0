"""Render rows (lists of dicts) as a terminal table, JSON Lines or CSV.

JSON is one object per line with the same keys in the same order for every row, and
CSV has a header row: both are stable for scripts. Tables are cut to the terminal
width, longest columns first, so they stay readable.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMATS = ("table", "json", "csv")
# Narrowest a text column gets before the table gives up and lets lines wrap.
MIN_COL = 8


def _plain(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


def render(
    rows: Iterable[dict[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    out: TextIO | None = None,
    width: int | None = None,
) -> int:
    """Write rows in ``fmt``; returns how many rows were written."""
    out = out or sys.stdout
    rows = list(rows)
    cols = list(columns) if columns else (list(rows[0]) if rows else [])
    if fmt == "json":
        for r in rows:
            out.write(json.dumps({k: _plain(r.get(k)) for k in (columns or r)}, ensure_ascii=False) + "\n")
        return len(rows)
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        if cols:
            w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else _plain(r.get(c)) for c in cols])
        return len(rows)
    if not rows:
        return 0
    width = width or shutil.get_terminal_size((120, 24)).columns
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    total = sum(widths) + 2 * (len(cols) - 1)
    while total > width:
        i = max(range(len(widths)), key=lambda j: widths[j])
        if widths[i] <= MIN_COL:
            break
        cut = min(total - width, widths[i] - MIN_COL)
        widths[i] -= cut
        total -= cut
    out.write("  ".join(c[: widths[i]].ljust(widths[i]) for i, c in enumerate(cols)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(_fit(v, widths[i]) for i, v in enumerate(row)).rstrip() + "\n")
    return len(rows)


def _cell(v: Any) -> str:
    v = _plain(v)
    if v is None:
        return ""
    if isinstance(v, float):
        # Figures in full for an editor ("240,100,000,000", not "2.401e+11"); six
        # significant digits below a million, where decimals matter.
        if abs(v) >= 1e15 or v != v:
            return f"{v:.4g}"
        return f"{v:,.0f}" if abs(v) >= 1e6 else f"{v:,.6g}"
    return " ".join(str(v).split())


def _fit(s: str, w: int) -> str:
    return s.ljust(w) if len(s) <= w else s[: max(w - 1, 0)] + "…"
