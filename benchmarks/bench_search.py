"""who-said latency: FTS5 ranking vs a LIKE scan on the same synthetic database, and start-up.

    .venv/bin/python benchmarks/bench_search.py                  # 100,000 quotes
    .venv/bin/python benchmarks/bench_search.py --quotes 1000000 # the issue's target size
    .venv/bin/python benchmarks/bench_search.py --quotes 1000000 --pg postgresql+psycopg://…


Builds a SQLite database through the real migrations (so quotes_fts, its triggers and the
views are the shipped ones), fills it with Core executemany (deterministic synthetic
quotes: a Zipf-ish vocabulary, so "typical" words match ~0.1-1% of quotes), indexes it
with one FTS5 'rebuild', then times the list below. With ``--pg URL`` it does the same
on PostgreSQL as well (the database's public schema is dropped and rebuilt; its full-text
index is the migrations' tsvector GIN expression index):

* report.who_said (top 20 by relevance, snippet), with and without a --since filter,
  for two bands of word frequency — p50/p95;
* the same words as a LIKE '%word%' scan, newest first (the old who-said) — p50/p95;
  it stops after 20 hits, so it is fast for frequent words and reads every row for
  rare or absent ones (shown by the "absent word" line);
* the whole ``tracker who-said WORD`` command, wall time (subprocess);
* ``tracker --help``, wall time (subprocess).

Targets (issue): FTS p95 < 25 ms at 1M quotes; who-said command < 0.6 s; --help < 0.2 s.
Not a test: prints figures and ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACKER = str(Path(sys.executable).with_name("tracker"))

COMMON = (
    "the of and to in a is that for on it with as was he be by at from this have said are not "
    "we our will has but its they their been more would which there can all been an were"
).split()
TOPICAL = (
    "trade gas pipeline sanctions bridge border cooperation energy oil export import grain tariff "
    "security talks summit ministry agreement supply prices market currency yuan rouble dollar "
    "investment growth crisis dialogue partners neighbours railway highway nuclear wheat fertiliser "
    "shipping port arctic satellite military drills exercise visit minister president aide"
).split()
RARE = [f"term{i}" for i in range(20_000)]
# Words timed, in two bands of frequency (the Pareto tail of RARE gives the middle band):
# "common topical" words each in ~1.2% of quotes; "typical" words in ~0.1-0.5%.
BANDS = {
    "common (~1.2%)": ["pipeline", "sanctions", "bridge", "grain", "tariff", "railway", "wheat", "arctic"],
    "typical (0.1-0.5%)": ["term30", "term35", "term40", "term45", "term50", "term55", "term60", "term65"],
}
QUERIES = [w for ws in BANDS.values() for w in ws]
SPEAKERS = 2_000
QUOTES_PER_ARTICLE = 10


def sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(8, 30)):
        r = rng.random()
        if r < 0.6:
            words.append(rng.choice(COMMON))
        elif r < 0.63:
            words.append(rng.choice(TOPICAL))
        else:
            words.append(RARE[int(rng.paretovariate(1.2)) % len(RARE)])
    return " ".join(words).capitalize() + "."


def build(path: Path | str, n_quotes: int) -> float:
    from sqlalchemy import insert, text

    from tracker.db import connect
    from tracker.models import Article, Person, Quote, Source

    rng = random.Random(1234)
    engine = connect(str(path))
    sqlite = engine.dialect.name == "sqlite"
    t0 = time.perf_counter()
    n_articles = max(1, n_quotes // QUOTES_PER_ARTICLE)
    with engine.begin() as conn:
        conn.execute(insert(Source), [{"id": i + 1, "name": f"Outlet {i}"} for i in range(50)])
        conn.execute(insert(Person), [{"id": i + 1, "name": f"Speaker {i}"} for i in range(SPEAKERS)])
        day0 = dt.date(2010, 1, 1)
        chunk = 50_000
        for a0 in range(0, n_articles, chunk):
            arts = []
            quotes = []
            for a in range(a0, min(n_articles, a0 + chunk)):
                texts = [sentence(rng) for _ in range(QUOTES_PER_ARTICLE)]
                body = " ".join(f"“{t}” he said." for t in texts)
                arts.append(
                    {
                        "id": a + 1,
                        "sha256": f"{a:064x}",
                        "text": body,
                        "body_start": 0,
                        "location": f"synthetic/{a}.txt",
                        "published": day0 + dt.timedelta(days=a * 5000 // n_articles),
                        "source_id": a % 50 + 1,
                        "encoding": "utf-8",
                        "extractor_version": "bench",
                    }
                )
                pos = 0
                for t in texts:
                    quotes.append(
                        {
                            "article_id": a + 1,
                            "person_id": rng.randrange(SPEAKERS) + 1,
                            "kind": "direct",
                            "text": t,
                            "start_char": pos + 1,
                            "end_char": pos + 1 + len(t),
                        }
                    )
                    pos += len(t) + 12
            conn.execute(insert(Article), arts)
            conn.execute(insert(Quote), quotes)
            print(f"  {min(n_articles, a0 + chunk) * QUOTES_PER_ARTICLE:,} quotes", file=sys.stderr, end="\r")
        t1 = time.perf_counter()
        if sqlite:
            conn.execute(text("INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild')"))
        t2 = time.perf_counter()
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    print(f"built {n_quotes:,} quotes in {t1 - t0:.1f}s, FTS rebuild {t2 - t1:.1f}s", file=sys.stderr)
    return t2 - t1


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def time_queries(path: Path | str, rounds: int) -> dict[str, list[float]]:
    from sqlalchemy import func, select

    from tracker import report
    from tracker.db import make_engine, resolve_url, session_factory
    from tracker.models import Article, Quote

    engine = make_engine(resolve_url(str(path)), readonly=True)
    Session = session_factory(engine)
    out: dict[str, list[float]] = {}
    with Session() as s:
        for q in QUERIES:  # warm the OS page cache for both paths
            report.who_said(s, q)
        for band, words in BANDS.items():
            n = [
                s.scalar(select(func.count()).select_from(Quote).where(Quote.text.like(f"%{w} %")))
                for w in words
            ]
            print(f"{band}: {statistics.mean(n):,.0f} matching quotes on average", file=sys.stderr)
            fts, filt, like = out.setdefault(f"fts {band}", []), out.setdefault(f"fts+since {band}", []), []
            for _ in range(rounds):
                for q in words:
                    t = time.perf_counter()
                    rows = report.who_said(s, q, limit=20)
                    fts.append(time.perf_counter() - t)
                    assert len(rows) == 20, (q, len(rows))
                    t = time.perf_counter()
                    report.who_said(s, q, limit=20, since=dt.date(2015, 1, 1))
                    filt.append(time.perf_counter() - t)
            for _ in range(max(1, rounds // 5)):
                for q in words:
                    # The old who-said: LIKE over quote text, newest first, 20 rows.
                    t = time.perf_counter()
                    s.execute(
                        select(Quote.id, Quote.text, Article.published)
                        .join(Article, Article.id == Quote.article_id)
                        .where(Quote.text.ilike(f"%{q}%"))
                        .order_by(Article.published.desc(), Quote.id)
                        .limit(20)
                    ).all()
                    like.append(time.perf_counter() - t)
            out[f"like {band}"] = like
        # A word in no quote: LIKE must read every row, FTS answers from the index.
        t = time.perf_counter()
        report.who_said(s, "zzzabsent")
        out["fts absent word"] = [time.perf_counter() - t]
        t = time.perf_counter()
        s.execute(select(Quote.id).where(Quote.text.ilike("%zzzabsent%")).limit(20)).all()
        out["like absent word"] = [time.perf_counter() - t]
    engine.dispose()
    return out


def wall(args: list[str], runs: int = 5) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return times


def reset_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def report_on(label: str, n: int, t: dict[str, list[float]], cmd: list[float]) -> None:
    ms = 1000.0
    print(f"{label}, quotes: {n:,}   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for key, xs in t.items():
        print(f"{key:32s} p50 {pct(xs, 50) * ms:8.2f} ms   p95 {pct(xs, 95) * ms:8.2f} ms   (n={len(xs)})")
    print(f"tracker who-said (wall) median {statistics.median(cmd):.3f} s   max {max(cmd):.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quotes", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=20, help="Timed passes over the query words.")
    ap.add_argument("--db", type=Path, help="Reuse/keep this database file (built if missing).")
    ap.add_argument("--pg", default=os.environ.get("TRACKER_BENCH_PG"), help="Also on this PostgreSQL URL.")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = a.db or Path(tmp) / "bench.db"
        if not path.exists():
            build(path, a.quotes)
        t = time_queries(path, a.rounds)
        cmd = wall([TRACKER, "who-said", QUERIES[0], "--db", str(path)])
        helpt = wall([TRACKER, "--help"])
    report_on("SQLite", a.quotes, t, cmd)
    if a.pg:
        reset_pg(a.pg)
        build(a.pg, a.quotes)
        t = time_queries(a.pg, a.rounds)
        cmd = wall([TRACKER, "who-said", QUERIES[0], "--db", a.pg])
        report_on("PostgreSQL", a.quotes, t, cmd)
    print(f"tracker --help  (wall) median {statistics.median(helpt):.3f} s   max {max(helpt):.3f} s")


if __name__ == "__main__":
    main()
