"""The span invariant every extraction test checks: text[start:end] == surface."""

from __future__ import annotations


def assert_spans(text: str, items, fields=(("start", "end", "text"),)) -> None:  # type: ignore[no-untyped-def]
    """Every (start, end, surface) triple named in ``fields`` must satisfy text[start:end] == surface."""
    for it in items:
        for s, e, surf in fields:
            get = it.get if isinstance(it, dict) else lambda k, it=it: getattr(it, k)
            if get(s) is None:
                continue
            assert text[get(s) : get(e)] == get(surf), (s, e, get(surf), text[get(s) : get(e)])
