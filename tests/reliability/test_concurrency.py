"""Two ingesters and a searcher at once against one database (SQLite WAL or PostgreSQL).

Real processes: two ``tracker ingest`` on overlapping inputs (the overlap walked in
opposite directions, so both reach the same articles at the same time), a searcher
process that runs full-text searches in a loop, and ``tracker who-said`` from the
command line meanwhile. No "database is locked" may reach the user, every article
must be stored once, nothing lost, and every search must see a consistent snapshot:
each hit is a stored quote whose span indexes its article, each article seen holds
all the quotes it holds at the end, and the number of hits never goes down.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import (
    REPO,
    check_database,
    child_env,
    corpus_records,
    expected_texts,
    run_tracker,
    stored_texts,
    tracker_cmd,
    write_jsonl,
)

pytestmark = pytest.mark.reliability

SEED = 424242
N = 72
QUERY = "cooperation"

SEARCHER = r"""
import json, sys, time
from pathlib import Path
from sqlalchemy import select
from tracker import db as dbm, search
from tracker.models import Article, Quote

url, stop = dbm.resolve_url(sys.argv[1]), Path(sys.argv[2])
if url.startswith("sqlite"):
    engine = dbm.make_engine(url, readonly=True)
else:
    engine = dbm.make_engine(url)
Session = dbm.session_factory(engine)
seen = {}
errors, counts = [], []
iterations = 0
while not stop.exists() or iterations < 3:
    iterations += 1
    try:
        with Session() as s, s.begin():
            hits = search.search(s, sys.argv[3], limit=100000)
            ids = [h.quote_id for h in hits]
            rows = s.execute(
                select(Quote.id, Quote.article_id, Quote.start_char, Quote.end_char, Quote.text)
                .where(Quote.id.in_(ids))
            ).all() if ids else []
            if len(rows) != len(set(ids)):
                errors.append(f"{len(set(ids)) - len(rows)} hits are not stored quotes")
            wanted = {r.article_id for r in rows}
            arts = {a.id: a for a in s.scalars(select(Article).where(Article.id.in_(wanted)))}
            for r in rows:
                if arts[r.article_id].text[r.start_char:r.end_char] != r.text:
                    errors.append(f"quote {r.id}: span does not index its article")
            for a in arts.values():
                n = len(s.scalars(select(Quote.id).where(Quote.article_id == a.id)).all())
                seen.setdefault(str(a.id), set()).add(n)
            if counts and len(ids) < counts[-1]:
                errors.append(f"hits went down from {counts[-1]} to {len(ids)}")
            counts.append(len(ids))
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    if errors:
        break
    time.sleep(0.2)
summary = {"iterations": iterations, "hits_first_last": counts[:1] + counts[-1:], "errors": errors[:10]}
print(json.dumps({**summary, "seen": {k: sorted(v) for k, v in seen.items()}}))
sys.exit(1 if errors else 0)
"""


def test_two_ingesters_and_a_searcher(db_url: str, tmp_path: Path, record_property) -> None:  # type: ignore[no-untyped-def]
    records = corpus_records(N, SEED)
    a = write_jsonl(tmp_path / "a.jsonl", records[: 2 * N // 3])
    b = write_jsonl(tmp_path / "b.jsonl", list(reversed(records[N // 3 :])))
    up = run_tracker("db", "upgrade", "--db", db_url)
    assert up.returncode == 0, up.stderr
    stop = tmp_path / "stop"
    script = tmp_path / "searcher.py"
    script.write_text(SEARCHER, encoding="utf-8")
    env = child_env()
    popen = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "env": env, "cwd": REPO}
    searcher = subprocess.Popen([sys.executable, str(script), db_url, str(stop), QUERY], **popen)  # type: ignore[call-overload]
    ing = [
        subprocess.Popen([*tracker_cmd("ingest", str(p), "--db", db_url, "--jobs", "1")], **popen)  # type: ignore[call-overload]
        for p in (a, b)
    ]
    cli_searches = 0
    deadline = time.monotonic() + 300
    while any(p.poll() is None for p in ing) and time.monotonic() < deadline:
        r = run_tracker("who-said", QUERY, "--db", db_url, "--format", "json", "--limit", "5")
        assert r.returncode == 0, f"who-said during ingest failed: {r.stderr}"
        assert "locked" not in r.stderr.lower()
        cli_searches += 1
    outs = [p.communicate(timeout=max(1.0, deadline - time.monotonic())) for p in ing]
    stop.touch()
    s_out, s_err = searcher.communicate(timeout=120)
    for p, (_out, err) in zip(ing, outs, strict=True):
        assert p.returncode == 0, f"ingester failed ({p.returncode}):\n{err}"
        assert "locked" not in err.lower() and "Traceback" not in err, err
    assert searcher.returncode == 0, f"searcher saw an inconsistent state: {s_out} {s_err}"
    report = json.loads(s_out)
    # Every article the searcher saw mid-ingest already held all of its quotes.
    final_quotes = _quote_counts(db_url)
    partial = {a: n for a, n in report.pop("seen").items() if n != [final_quotes[int(a)]]}
    assert not partial, f"searcher saw articles with some of their quotes: {partial} vs {final_quotes}"
    texts = stored_texts(db_url)
    assert len(texts) == len(set(texts)), "an article was stored twice"
    assert set(texts) == expected_texts(records), "an article was lost"
    counts = check_database(db_url)
    summaries = [err.strip().splitlines()[-1] for _out, err in outs]
    print(f"\nconcurrency: {summaries}; searcher {report}; {cli_searches} who-said runs; final {counts}")
    record_property("searcher_iterations", report["iterations"])
    assert report["iterations"] >= 3


def _quote_counts(db_url: str) -> dict[int, int]:
    from sqlalchemy import func, select

    from tracker.db import connect, session_factory
    from tracker.models import Quote

    engine = connect(db_url)
    try:
        with session_factory(engine)() as s:
            rows = s.execute(select(Quote.article_id, func.count()).group_by(Quote.article_id)).all()
            return {int(a): int(n) for a, n in rows}
    finally:
        engine.dispose()
