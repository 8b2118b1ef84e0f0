"""Throughput of quote extraction alone (``find_quotes``), best of N runs.

    python benchmarks/bench_quotes.py --articles 500 --repeat 3 [--profile]

Prints articles/s and ms per article on the synthetic corpus (benchmarks/corpus.py) and on the
seed articles; ``--profile`` adds the top of a cProfile run on the corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import corpus  # noqa: E402

from tracker.quotes import find_quotes  # noqa: E402


def best_rate(label: str, texts: list[str], fn: Callable[[str], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    rate = len(texts) / best
    kb = sum(len(t) for t in texts) / 1024
    print(f"{label:<34} {rate:>8,.0f} articles/s  {1000 / rate:>6.2f} ms/article  {kb / best:>8,.0f} KB/s")
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    texts = [a["text"] for a in corpus(args.articles)]
    seeds = [p.read_text(encoding="utf-8") for p in sorted((HERE.parent / "seeds").glob("*.txt"))]
    print(
        f"corpus: {len(texts)} articles, mean {sum(map(len, texts)) / len(texts):,.0f} chars; "
        f"seeds: {len(seeds)}, mean {sum(map(len, seeds)) / len(seeds):,.0f} chars; best of {args.repeat}"
    )
    best_rate("find_quotes, corpus", texts, find_quotes, args.repeat)
    best_rate("find_quotes, seeds (x20)", seeds * 20, find_quotes, args.repeat)
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for t in texts:
            find_quotes(t)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
