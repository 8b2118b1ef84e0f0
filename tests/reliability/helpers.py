"""Shared helpers for the reliability tests: real ``tracker`` processes, real files.

Nothing here mocks the database or our modules. ``run_tracker`` starts
``python -m tracker`` as a child process; ``check_database`` opens the database
through SQLAlchemy and compares every stored article with what the pure
``analyse()`` finds in its text, so "complete, not half-written" is checked
against the extractor itself rather than against counts we guessed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PG = bool(os.environ.get("TRACKER_TEST_DB"))


def skip_on_postgres(reason: str) -> None:
    if PG:
        pytest.skip(f"SQLite-specific: {reason}")


def tracker_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tracker", *args]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TRACKER_DB", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_tracker(
    *args: str, timeout: float = 120, env: dict[str, str] | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        tracker_cmd(*args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or child_env(),
        cwd=kw.pop("cwd", REPO),
        **kw,
    )


def corpus_records(n: int, seed: int) -> list[dict[str, str]]:
    """Deterministic synthetic articles from benchmarks/corpus.py."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from corpus import corpus  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return list(corpus(n, seed))


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def expected_texts(records: Sequence[dict[str, str]]) -> set[str]:
    """Texts as tracker stores them (newlines normalised; JSONL texts are otherwise kept)."""
    from tracker.read import normalise_newlines

    return {normalise_newlines(r["text"]) for r in records}


def check_database(db_url: str) -> dict[str, int]:
    """Assert every stored article is complete and consistent; return row counts.

    For each article: no duplicate text; its quotes and claims are exactly the ones
    ``analyse()`` finds in the stored text (same spans, same count — so nothing is
    half-written); every span indexes the stored text; nothing points at a missing
    article. On SQLite also ``PRAGMA integrity_check`` and, when the full-text index
    exists, that it holds exactly the stored quotes.
    """
    from sqlalchemy import func, select, text

    from tracker.db import connect, session_factory
    from tracker.models import Article, Claim, Quote
    from tracker.pipeline import analyse

    engine = connect(db_url)
    try:
        with session_factory(engine)() as s:
            if engine.dialect.name == "sqlite":
                assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert list(s.execute(text("PRAGMA foreign_key_check"))) == []
            dup = s.execute(
                select(Article.sha256, func.count()).group_by(Article.sha256).having(func.count() > 1)
            ).all()
            assert dup == [], f"duplicate articles: {dup}"
            quotes: dict[int, list[Quote]] = {}
            for q in s.scalars(select(Quote)):
                quotes.setdefault(q.article_id, []).append(q)
            claims: dict[int, list[Claim]] = {}
            for c in s.scalars(select(Claim)):
                claims.setdefault(c.article_id, []).append(c)
            articles = {a.id: a for a in s.scalars(select(Article))}
            orphans = (set(quotes) | set(claims)) - set(articles)
            assert not orphans, f"quotes/claims of missing articles {sorted(orphans)}"
            n_quotes = n_claims = 0
            for a in articles.values():
                an = analyse(a.text, a.published, a.body_start)
                got_q = sorted((q.start_char, q.end_char, q.text) for q in quotes.get(a.id, []))
                want_q = sorted((q.start, q.end, q.text) for q in an.quotes)
                assert got_q == want_q, f"article {a.id} ({a.location}): quotes differ from analyse()"
                got_c = sorted((c.start_char, c.end_char, c.surface) for c in claims.get(a.id, []))
                want_c = sorted((c.start, c.end, c.surface) for c in an.claims)
                assert got_c == want_c, f"article {a.id} ({a.location}): claims differ from analyse()"
                for st, en, surf in got_q + got_c:
                    assert a.text[st:en] == surf
                n_quotes += len(got_q)
                n_claims += len(got_c)
            if engine.dialect.name == "sqlite":
                has_fts = s.execute(
                    text("SELECT count(*) FROM sqlite_master WHERE name = 'quotes_fts'")
                ).scalar()
                if has_fts:
                    indexed = s.execute(text("SELECT count(*) FROM quotes_fts_docsize")).scalar()
                    assert indexed == n_quotes, f"full-text index holds {indexed} quotes, table {n_quotes}"
            return {"articles": len(articles), "quotes": n_quotes, "claims": n_claims}
    finally:
        engine.dispose()


def stored_texts(db_url: str) -> list[str]:
    from sqlalchemy import select

    from tracker.db import connect, session_factory
    from tracker.models import Article

    engine = connect(db_url)
    try:
        with session_factory(engine)() as s:
            return list(s.scalars(select(Article.text)))
    finally:
        engine.dispose()
