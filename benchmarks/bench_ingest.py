"""Ingest throughput: tracker ingest vs the raw sqlite3 floor on the same rows, same run.

    python benchmarks/bench_ingest.py --articles 10000 [--pg postgresql+psycopg://...]

Prints articles/s for one job and for all cores on SQLite (and PostgreSQL when --pg
is given), peak memory (RSS) of the ingesting process, and the raw floor: plain
sqlite3 ``executemany`` of the same article, quote and claim rows (extraction done
beforehand, untimed) — the ratio says how much of the cost is ours beyond the
extraction itself. The corpus is streamed from benchmarks/corpus.py, never loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import corpus  # noqa: E402


def write_corpus(n: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for art in corpus(n):
            fh.write(json.dumps(art, ensure_ascii=False) + "\n")


def run_ingest(corpus_path: Path, db: str, jobs: int) -> tuple[float, float, float, float]:
    """Run the real CLI in a subprocess; returns (seconds, peak RSS MiB incl. workers, CPU
    seconds of the writing process, CPU seconds of its extraction workers)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, sys; from tracker.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "sys.stderr.write(f'\\nRSS {s.ru_maxrss} {c.ru_maxrss}\\n')\n"
            "sys.stderr.write(f'CPU {s.ru_utime + s.ru_stime} {c.ru_utime + c.ru_stime}\\n'); sys.exit(code)",
            "ingest",
            str(corpus_path),
            "--db",
            db,
            "--jobs",
            str(jobs),
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed: {proc.stderr[-2000:]}")
    rss = [line for line in proc.stderr.splitlines() if line.startswith("RSS ")][-1].split()
    peak_mib = max(int(rss[1]), int(rss[2])) / 1024
    cpu = [line for line in proc.stderr.splitlines() if line.startswith("CPU ")][-1].split()
    return dt, peak_mib, float(cpu[1]), float(cpu[2])


def raw_floor(corpus_path: Path, db_path: Path, chunk: int = 5000) -> tuple[float, int]:
    """sqlite3 executemany of the same rows tracker stores, in one transaction. Extraction
    is untimed and done a chunk of articles at a time, so this script's memory stays
    bounded too (holding every row at once took 301 MiB at 20k articles, growing with the corpus)."""
    from tracker.pipeline import analyse
    from tracker.read import parse_jsonl_line

    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE a (id INTEGER PRIMARY KEY, sha TEXT UNIQUE, text TEXT, loc TEXT, pub TEXT, src TEXT)"
    )
    conn.execute("CREATE TABLE q (a INT, kind TEXT, text TEXT, s INT, e INT, who TEXT)")
    conn.execute("CREATE TABLE c (a INT, surface TEXT, s INT, e INT, v REAL, u TEXT, m TEXT)")
    timed = 0.0
    n = 0

    def write(arts: list[tuple], quotes: list[tuple], claims: list[tuple]) -> float:
        # sqlite3 opens a transaction at the first INSERT; it stays open until the commit.
        t0 = time.perf_counter()
        conn.executemany("INSERT INTO a VALUES (?,?,?,?,?,?)", arts)
        conn.executemany("INSERT INTO q VALUES (?,?,?,?,?,?)", quotes)
        conn.executemany("INSERT INTO c VALUES (?,?,?,?,?,?,?)", claims)
        return time.perf_counter() - t0

    arts: list[tuple] = []
    quotes: list[tuple] = []
    claims: list[tuple] = []
    with corpus_path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            art = parse_jsonl_line(line, f"c:{i}")
            an = analyse(art.text, art.published, art.body_start)
            arts.append((i, art.sha256, art.text, art.location, str(art.published), art.source))
            quotes.extend((i, q.kind, q.text, q.start, q.end, q.speaker) for q in an.quotes)
            claims.extend((i, c.surface, c.start, c.end, c.value, c.unit, c.metric) for c in an.claims)
            n += 1
            if len(arts) >= chunk:
                timed += write(arts, quotes, claims)
                arts, quotes, claims = [], [], []
    if arts:
        timed += write(arts, quotes, claims)
    t0 = time.perf_counter()
    conn.commit()
    timed += time.perf_counter() - t0
    conn.close()
    return timed, n


def bench(n: int, pg: str | None, job_counts: list[int] | None = None) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        cpath = Path(tmp) / "corpus.jsonl"
        write_corpus(n, cpath)
        floor_s, _ = raw_floor(cpath, Path(tmp) / "raw.db")
        floor_rate = n / floor_s
        rows.append(
            {
                "what": f"raw sqlite3 executemany floor, {n:,} articles",
                "articles/s": floor_rate,
                "seconds": floor_s,
                "peak MiB": None,
                "ratio to floor": 1.0,
                "cpu": None,
            }
        )
        targets = [("SQLite", lambda j: str(Path(tmp) / f"t{j}.db"))]
        if pg:
            targets.append(("PostgreSQL", lambda j: pg))
        for label, db_for in targets:
            for jobs in job_counts or sorted({1, cores}):
                if label == "PostgreSQL":
                    _reset_pg(pg)  # type: ignore[arg-type]
                secs, peak, writer, workers = run_ingest(cpath, db_for(jobs), jobs)
                rows.append(
                    {
                        "what": f"tracker ingest, {label}, {jobs} job(s), {n:,} articles",
                        "articles/s": n / secs,
                        "seconds": secs,
                        "peak MiB": peak,
                        "ratio to floor": (n / secs) / floor_rate,
                        "cpu": (1000 * writer / n, 1000 * workers / n),
                    }
                )
    return rows


def _reset_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--pg", default=os.environ.get("TRACKER_BENCH_PG"))
    ap.add_argument("--jobs", help="job counts to run, comma-separated (default: 1 and all cores)")
    args = ap.parse_args()
    rows = bench(args.articles, args.pg, [int(j) for j in args.jobs.split(",")] if args.jobs else None)
    for r in rows:
        peak = f"{r['peak MiB']:.0f} MiB" if r["peak MiB"] else "-"
        print(
            f"{r['what']:<58} {r['articles/s']:>10,.0f} articles/s  {r['seconds']:>8.1f} s  "
            f"peak {peak:>8}  {r['ratio to floor']:.4f} of floor"
        )
        if r["cpu"]:
            # The writing process stores and links every article itself: its CPU time per
            # article bounds the rate whatever the number of workers.
            w, x = r["cpu"]  # type: ignore[misc]
            print(
                f"    CPU per article: writer {w:.2f} ms (at most {1000 / w:,.0f} articles/s with a core"
                f" of its own), workers {x:.2f} ms"
            )
    self_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"(max RSS via getrusage; 1M-article target >= 278 articles/s; this script {self_mib} MiB)")


if __name__ == "__main__":
    main()
