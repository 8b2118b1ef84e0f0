"""Per-stage cost of ingest: ms per article for store(), linking and extraction, and articles/s.

    .venv/bin/python benchmarks/profile_ingest.py --articles 300 [--db /tmp/p.db]

Ingests N synthetic articles (benchmarks/corpus.py) with one job into a fresh SQLite
database (or --db URL/path), timing every store() call (median and mean ms/article for
the first and last tenth of the run, so growth with the database size shows up as a
difference between the two), every batch of link_articles() and every analyse() call
(total ms per article).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--db", default=None, help="database (default: a fresh temporary SQLite file)")
    args = ap.parse_args()

    import tracker.link as link
    import tracker.pipeline as pipeline
    from tracker.db import connect
    from tracker.read import read_inputs

    times: dict[str, list[float]] = {"store": [], "link_articles": [], "analyse": []}

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*a, **kw):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                times[name].append(time.perf_counter() - t)

        return wrapper

    link.link_articles = timed("link_articles", link.link_articles)
    pipeline.store = timed("store", pipeline.store)
    pipeline.analyse = timed("analyse", pipeline.analyse)

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "corpus.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for art in corpus(args.articles):
                fh.write(json.dumps(art, ensure_ascii=False) + "\n")
        engine = connect(args.db or str(Path(tmp) / "p.db"))
        t0 = time.perf_counter()
        report = pipeline.ingest(engine, read_inputs([str(src)]), jobs=1)
        wall = time.perf_counter() - t0
        engine.dispose()

    n = len(times["store"])
    print(f"articles: {n} stored ({report!r:.80})")
    print(f"ingest: {wall:.1f} s, {n / wall:.0f} articles/s (jobs=1)")
    tenth = max(1, n // 10)
    for name in ("link_articles", "analyse"):
        ts = times.pop(name)
        print(f"{name:>13}: {1000 * sum(ts) / max(1, n):6.2f} ms per article ({len(ts)} calls)")
    for name, ts in times.items():
        if not ts:
            continue
        first, last = ts[:tenth], ts[-tenth:]
        print(
            f"{name:>13}: median {1000 * statistics.median(ts):6.2f} ms,"
            f" mean {1000 * statistics.mean(ts):6.2f} ms"
            f" | first tenth median {1000 * statistics.median(first):6.2f}"
            f" | last tenth median {1000 * statistics.median(last):6.2f}"
        )


if __name__ == "__main__":
    main()
