"""Ingest rate as the database grows: one long SQLite run, articles/s per stretch of it.

    python benchmarks/bench_ingest_curve.py --articles 1000000 [--jobs 2] [--every 60]

The issue's target is a whole run: 1,000,000 articles on SQLite in under an hour on two
cores (>= 278 articles/s) with peak memory under 1 GB. bench_ingest.py measures 10k and
100k; this runs the real CLI once over a streamed corpus (benchmarks/corpus.py, written
to a temporary file first, never held in memory) and reads the committed article count
from a separate read-only connection every ``--every`` seconds, so a rate that falls as
the database grows shows up as a falling curve, not as a lower average. At the end it
prints the whole run's rate, the writer's and workers' peak RSS and CPU per article.
Takes as long as the ingest itself: at 1M on two cores (2 jobs), 3,334 s (300 articles/s;
writer 2.92 and workers 3.16 ms of CPU an article, peak RSS 310 and 64 MiB) at e218e66.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_ingest import write_corpus  # noqa: E402

# Runs the CLI and reports its own and its workers' peak RSS and CPU on stderr.
RUNNER = (
    "import resource, sys; from tracker.cli import main\n"
    "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
    "s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.write(f'\\nRSS {s.ru_maxrss} {c.ru_maxrss}\\n')\n"
    "sys.stderr.write(f'CPU {s.ru_utime + s.ru_stime} {c.ru_utime + c.ru_stime}\\n'); sys.exit(code)"
)


def committed(db: Path) -> int:
    """Articles committed so far, read as any other reader would (WAL: no waiting)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created yet


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    args = ap.parse_args()
    n = args.articles
    with tempfile.TemporaryDirectory() as tmp:
        corpus_path, db = Path(tmp) / "corpus.jsonl", Path(tmp) / "curve.db"
        write_corpus(n, corpus_path)
        cmd = [sys.executable, "-c", RUNNER, "ingest", str(corpus_path), "--db", str(db)]
        cmd += ["--jobs", str(args.jobs), "--quiet"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        print(f"{'seconds':>8} {'articles':>10} {'articles/s in stretch':>22}", flush=True)
        last_t, last_n = 0.0, 0
        while proc.poll() is None:
            try:
                proc.wait(timeout=args.every)
            except subprocess.TimeoutExpired:
                t, k = time.perf_counter() - t0, committed(db)
                print(f"{t:8.0f} {k:10,} {(k - last_n) / (t - last_t):22.0f}", flush=True)
                last_t, last_n = t, k
        wall = time.perf_counter() - t0
        err = proc.stderr.read() if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"ingest failed ({proc.returncode}): {err[-2000:]}")
        rss = [line for line in err.splitlines() if line.startswith("RSS ")][-1].split()
        cpu = [line for line in err.splitlines() if line.startswith("CPU ")][-1].split()
        stored = committed(db)
    rate = stored / wall
    verdict = "meets" if rate >= 278 else "misses"
    print(
        f"tracker ingest, SQLite, {args.jobs} job(s): {stored:,} articles in {wall:,.0f} s"
        f" = {rate:.0f} articles/s ({verdict} the >= 278 articles/s target)"
    )
    print(f"peak RSS: writer {int(rss[1]) // 1024} MiB, largest worker {int(rss[2]) // 1024} MiB")
    print(
        f"CPU per article: writer {1000 * float(cpu[1]) / stored:.2f} ms,"
        f" workers {1000 * float(cpu[2]) / stored:.2f} ms"
    )


if __name__ == "__main__":
    main()
