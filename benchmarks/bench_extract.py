"""Extraction throughput of the pure pipeline (what `tracker extract` runs per article).

    python benchmarks/bench_extract.py --articles 2000

Prints articles/s and KB/s for analyse() as a whole and for quotes and claims alone,
on the synthetic corpus (benchmarks/corpus.py) and on the seed articles.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import corpus  # noqa: E402

from tracker.claims import find_claims  # noqa: E402
from tracker.pipeline import analyse  # noqa: E402
from tracker.quotes import find_quotes  # noqa: E402


def rate(label: str, texts: list[str], fn, repeat: int = 1) -> None:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    for _ in range(repeat):
        for t in texts:
            fn(t)
    dt = time.perf_counter() - t0
    n = len(texts) * repeat
    kb = sum(len(t) for t in texts) * repeat / 1024
    print(f"{label:<42} {n / dt:>9,.0f} articles/s  {kb / dt:>9,.0f} KB/s  ({n:,} articles, {dt:.2f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    args = ap.parse_args()
    texts = [a["text"] for a in corpus(args.articles)]
    print(f"synthetic corpus: {len(texts):,} articles, mean {sum(map(len, texts)) / len(texts):,.0f} chars")
    rate("analyse (quotes + claims + attribution)", texts, analyse)
    rate("find_quotes", texts, find_quotes)
    rate("find_claims", texts, find_claims)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((HERE.parent / "seeds").glob("*.txt"))]
    rate("analyse on the 5 seeds (x50)", seeds, analyse, repeat=50)


if __name__ == "__main__":
    main()
