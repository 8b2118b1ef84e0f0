"""``tracker sql`` cannot write, attach, load extensions or change pragmas; FTS queries stay queries.

Each hostile statement runs through a real ``tracker sql`` process against a database
holding real articles. Afterwards the database must be unchanged: on SQLite the file
bytes are identical and no side file was created (ATTACH / VACUUM INTO targets); on
PostgreSQL every table's row count, the set of tables and the server files are the same.
Search queries typed by users go through ``tracker who-said`` and through
``search.search`` with hypothesis-generated text: a refused query is a usage error,
never an FTS syntax error or a traceback.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import PG, corpus_records, run_tracker, write_jsonl

pytestmark = pytest.mark.reliability


def _snapshot(db_url: str) -> object:
    from sqlalchemy import inspect, text

    from tracker.db import connect

    if not PG:
        path = Path(db_url)
        # The read-only connection may leave an empty -wal file and a -shm index behind;
        # neither holds data.
        files = [p for p in sorted(path.parent.iterdir()) if p.is_file()]
        data = [p for p in files if not p.name.endswith("-shm") and p.stat().st_size > 0]
        return (
            {
                p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in data
                if p.name.startswith(path.name)
            },
            sorted(p.name for p in data),
        )
    engine = connect(db_url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
            return tables, counts
    finally:
        engine.dispose()


@pytest.fixture
def filled_db(db_url: str, tmp_path: Path) -> str:
    feed = write_jsonl(tmp_path / "feed.jsonl", corpus_records(12, 3))
    r = run_tracker("ingest", str(feed), "--db", db_url, "--quiet", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    return db_url


def _evil(tmp_path: Path) -> list[str]:
    side = tmp_path / "side"
    return [
        "INSERT INTO sources (name, created_at) VALUES ('evil', '2024-01-01')",
        "UPDATE articles SET text = 'gone'",
        "DELETE FROM quotes",
        "DROP TABLE quotes",
        "DROP VIEW quote_view",
        "CREATE TABLE evil (x)",
        "CREATE TEMP TABLE evil (x)",
        "ALTER TABLE quotes RENAME TO q2",
        "WITH x AS (SELECT 1) DELETE FROM quotes",
        "SELECT 1; DROP TABLE quotes",
        "SELECT 1; COMMIT; DROP TABLE quotes",
        "COMMIT; DELETE FROM quotes",
        "BEGIN; DELETE FROM quotes; COMMIT",
        f"ATTACH DATABASE '{side}-attached.db' AS evil",
        f"VACUUM INTO '{side}-copy.db'",
        "VACUUM",
        "REINDEX",
        "ANALYZE",
        f"SELECT load_extension('{side}-ext.so')",
        "SELECT load_extension('fts5')",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA user_version = 42",
        "PRAGMA writable_schema = ON",
        "PRAGMA foreign_keys = OFF",
        "PRAGMA query_only = OFF",
        "SELECT * FROM pragma_journal_mode('delete')",
        "INSERT INTO quotes_fts (quotes_fts) VALUES ('delete-all')",
        "INSERT INTO quotes_fts (quotes_fts) VALUES ('rebuild')",
        "SELECT fts3_tokenizer('simple')",
        f"SELECT writefile('{side}-written.txt', 'x')",
        # PostgreSQL
        "SET default_transaction_read_only = off",
        "SET TRANSACTION READ WRITE",
        f"COPY (SELECT 1) TO '{side}-copy.csv'",
        f"COPY quotes FROM '{side}-missing.csv'",
        "SELECT lo_from_bytea(0, 'x')",
        "SELECT nextval(pg_get_serial_sequence('quotes', 'id'))",
        "SELECT setval(pg_get_serial_sequence('quotes', 'id'), 1)",
        "CREATE EXTENSION IF NOT EXISTS dblink",
        "DO $$ BEGIN DELETE FROM quotes; END $$",
        "PREPARE p AS DELETE FROM quotes",
        "LOCK TABLE quotes",
        "SELECT * FROM quotes FOR UPDATE",
        "NOTIFY evil",
    ]


def _cli(*args: str) -> tuple[int, str, str]:
    """The real CLI in-process (CliRunner), as tests/test_cli.py does: ~50x faster than a process."""
    from click.testing import CliRunner

    from tracker.cli import main

    r = CliRunner().invoke(main, list(args))
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"{args}: uncaught {type(r.exception).__name__}: {r.exception}") from r.exception
    return r.exit_code, r.stdout, r.stderr


def test_sql_cannot_change_anything(filled_db: str, tmp_path: Path) -> None:
    before = _snapshot(filled_db)
    outcomes = []
    for stmt in _evil(tmp_path):
        code, out, err = _cli("sql", stmt, "--db", filled_db, "--format", "json")
        assert "Traceback" not in err, f"{stmt!r}: {err}"
        assert code in (0, 1, 2), f"{stmt!r}: exit {code} {err}"
        outcomes.append((stmt, code, (err.strip().splitlines() or [""])[-1][:100]))
        assert _snapshot(filled_db) == before, f"{stmt!r} changed the database: {out} {err}"
    assert not list(tmp_path.glob("side*")), "a statement wrote a file"
    allowed = [o for o in outcomes if o[1] == 0]
    # Statements that 'succeeded' did so without effect (checked above); say which.
    print("\nsql guard: " + "; ".join(f"{s[:40]!r}->{c}" for s, c, _ in outcomes))
    assert not [s for s, *_ in allowed if s.split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "DROP"}]
    # Reading still works (and a real process refuses a write too).
    r = run_tracker("sql", "DELETE FROM quotes", "--db", filled_db)
    assert r.returncode == 1 and "Traceback" not in r.stderr and _snapshot(filled_db) == before
    r = run_tracker("sql", "SELECT count(*) AS n FROM quotes", "--db", filled_db, "--format", "json")
    assert r.returncode == 0 and '"n"' in r.stdout, r.stderr


@pytest.mark.skipif(not PG, reason="PostgreSQL only")
def test_sql_that_kills_its_own_connection_is_a_clear_error(filled_db: str) -> None:
    before = _snapshot(filled_db)
    code, _out, err = _cli("sql", "SELECT pg_terminate_backend(pg_backend_pid())", "--db", filled_db)
    assert code == 1 and "Traceback" not in err
    assert _snapshot(filled_db) == before


FTS_HOSTILE = [
    "NEAR(trade growth)",
    "trade OR 1=1",
    "trade AND",
    "AND OR NOT",
    '"unterminated phrase',
    'text: "x"',
    "quotes_fts: trade",
    "{text}: trade",
    "*",
    "^trade",
    "-trade",
    "trade -- comment",
    "'; DROP TABLE quotes; --",
    ")))(((",
    "trade* *growth",
    "\x00",
    "\x01\x7f",
    "\u202e\u05e9\u05dc\u05d5\u05dd",
    "x" * 600,
    " ".join(["w"] * 100),
]


def test_fts_queries_cannot_break_out(filled_db: str) -> None:
    before = _snapshot(filled_db)
    for q in FTS_HOSTILE:
        code, out, err = _cli("who-said", q, "--db", filled_db, "--format", "json")
        assert "Traceback" not in err, f"{q!r}: {err}"
        assert code in (0, 1, 2), f"{q!r}: exit {code}"
        low = (err + out).lower()
        assert "syntax error" not in low and "fts5" not in low and "tsquery" not in low, f"{q!r}: {err}"
    assert _snapshot(filled_db) == before


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(
                ['"', "*", "(", ")", "NEAR", "OR", "AND", "NOT", ":", "^", "-", "+", "trade", " ", "{"]
            ),
            max_size=20,
        ).map("".join),
    )
)
def test_search_any_query_is_results_or_a_clear_refusal(filled_db: str, query: str) -> None:
    from tracker import search
    from tracker.db import connect, session_factory

    engine = _engines.get(filled_db) or _engines.setdefault(filled_db, connect(filled_db))
    with session_factory(engine)() as s:
        try:
            hits = search.search(s, query, limit=5)
        except search.QueryError as exc:
            assert str(exc)
            return
    assert isinstance(hits, list)


_engines: dict[str, object] = {}
