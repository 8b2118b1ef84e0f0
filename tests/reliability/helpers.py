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


_EXPECTED: dict[str, tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]] = {}


def _expected(text: str, published: Any, body_start: int, sha: str) -> tuple[list, list]:  # type: ignore[type-arg]
    """Quote and claim spans the pure extractor finds (cached per text: it is deterministic)."""
    from tracker.pipeline import analyse

    if sha not in _EXPECTED:
        an = analyse(text, published, body_start)
        _EXPECTED[sha] = (
            sorted((q.start, q.end, q.text) for q in an.quotes),
            sorted((c.start, c.end, c.surface) for c in an.claims),
        )
    return _EXPECTED[sha]


def check_database(db_url: str) -> dict[str, int]:
    """Assert every stored article is complete and consistent; return row counts.

    For each article: no duplicate text; its quotes and claims are exactly the ones
    ``analyse()`` finds in the stored text (same spans, same count — so nothing is
    half-written); every span indexes the stored text; nothing points at a missing
    article. Links: every quote belongs to exactly one quote group, every groupable
    claim to one claim group, and group sizes equal their members. On SQLite also
    ``PRAGMA integrity_check`` and that the full-text index holds the quotes of every linked
    article and nothing else.
    """
    from sqlalchemy import func, inspect, select, text

    from tracker.db import connect, current_revision, head_revision, session_factory
    from tracker.models import Article, Claim, Quote

    # Never migrate here: after a kill, the next tracker run must do any repair itself.
    engine = connect(db_url, migrate=False)
    try:
        with engine.connect() as conn:
            revision = current_revision(conn)
            tables = set(inspect(conn).get_table_names())
        if revision is None:
            # Killed before the first migration committed: it must have left nothing.
            assert not tables - {"alembic_version"}, f"half-created schema: {sorted(tables)}"
            return {"articles": 0, "quotes": 0, "claims": 0}
        assert revision == head_revision(), f"database left at revision {revision}"
        with session_factory(engine)() as s:
            if engine.dialect.name == "sqlite":
                assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert list(s.execute(text("PRAGMA foreign_key_check"))) == []
            dup = s.execute(
                select(Article.sha256, func.count()).group_by(Article.sha256).having(func.count() > 1)
            ).all()
            assert dup == [], f"duplicate articles: {dup}"
            quotes: dict[int, list[tuple[int, int, str]]] = {}
            for aid, st, en, tx in s.execute(
                select(Quote.article_id, Quote.start_char, Quote.end_char, Quote.text)
            ):
                quotes.setdefault(aid, []).append((st, en, tx))
            claims: dict[int, list[tuple[int, int, str]]] = {}
            for aid, st, en, tx in s.execute(
                select(Claim.article_id, Claim.start_char, Claim.end_char, Claim.surface)
            ):
                claims.setdefault(aid, []).append((st, en, tx))
            articles = s.execute(
                select(
                    Article.id,
                    Article.text,
                    Article.published,
                    Article.body_start,
                    Article.sha256,
                    Article.location,
                )
            ).all()
            orphans = (set(quotes) | set(claims)) - {a.id for a in articles}
            assert not orphans, f"quotes/claims of missing articles {sorted(orphans)}"
            n_quotes = n_claims = 0
            for a in articles:
                want_q, want_c = _expected(a.text, a.published, a.body_start, a.sha256)
                got_q = sorted(quotes.get(a.id, []))
                got_c = sorted(claims.get(a.id, []))
                assert got_q == want_q, _diff(a, "quotes", got_q, want_q)
                assert got_c == want_c, _diff(a, "claims", got_c, want_c)
                for st, en, surf in got_q + got_c:
                    assert a.text[st:en] == surf
                n_quotes += len(got_q)
                n_claims += len(got_c)
            if "quote_group_members" in tables:
                _check_links(s, tables)
            if engine.dialect.name == "sqlite" and "quotes_fts" in tables:
                # Quotes are indexed as their articles leave the link queue: every quote of
                # a linked article is in the index, and nothing else.
                not_queued = (
                    " AND q.article_id NOT IN (SELECT article_id FROM link_queue)"
                    if "link_queue" in tables
                    else ""
                )
                missing = s.execute(
                    text(
                        "SELECT count(*) FROM quotes q WHERE NOT EXISTS "
                        "(SELECT 1 FROM quotes_fts_docsize d WHERE d.id = q.id)" + not_queued
                    )
                ).scalar()
                stale = s.execute(
                    text(
                        "SELECT count(*) FROM quotes_fts_docsize d WHERE NOT EXISTS "
                        "(SELECT 1 FROM quotes q WHERE q.id = d.id)"
                    )
                ).scalar()
                assert missing == 0, f"{missing} quotes of linked articles are not in the full-text index"
                assert stale == 0, f"{stale} index rows name no quote"
            return {"articles": len(articles), "quotes": n_quotes, "claims": n_claims}
    finally:
        engine.dispose()


def _diff(a: Any, kind: str, got: list, want: list) -> str:  # type: ignore[type-arg]
    missing = sorted(set(want) - set(got))[:5]
    extra = sorted(set(got) - set(want))[:5]
    return (
        f"article {a.id} ({a.location}): stored {kind} differ from analyse(): "
        f"{len(got)} stored, {len(want)} expected; missing {missing}; unexpected {extra}"
    )


def _check_links(s: Any, tables: set[str]) -> None:
    from sqlalchemy import text

    # Linking runs in batches after articles commit: an article not linked yet must still be
    # in link_queue (a later run links it), and a queued article is not linked at all.
    queued = "link_queue" in tables
    not_queued = " AND q.article_id NOT IN (SELECT article_id FROM link_queue)" if queued else ""
    unlinked = s.execute(
        text(
            "SELECT count(*) FROM quotes q LEFT JOIN quote_group_members m ON m.quote_id = q.id "
            "WHERE m.quote_id IS NULL" + not_queued
        )
    ).scalar()
    assert unlinked == 0, f"{unlinked} quotes belong to no quote group and are not queued (linking lost)"
    if queued:
        half = s.execute(
            text(
                "SELECT count(*) FROM quote_group_members m JOIN quotes q ON q.id = m.quote_id "
                "WHERE q.article_id IN (SELECT article_id FROM link_queue)"
            )
        ).scalar()
        assert half == 0, f"{half} quotes of queued articles are linked (a half-committed link batch)"
    bad_q = s.execute(
        text(
            "SELECT g.id, g.size, count(m.quote_id) FROM quote_groups g "
            "LEFT JOIN quote_group_members m ON m.group_id = g.id GROUP BY g.id, g.size "
            "HAVING g.size <> count(m.quote_id)"
        )
    ).all()
    assert bad_q == [], f"quote groups whose size is not their member count: {bad_q[:5]}"
    ungrouped = s.execute(
        text(
            "SELECT count(*) FROM claims c LEFT JOIN claim_group_members m ON m.claim_id = c.id "
            "WHERE m.claim_id IS NULL AND c.value IS NOT NULL AND c.metric IS NOT NULL "
            "AND c.metric <> '' AND c.period_start IS NOT NULL AND c.period_end IS NOT NULL"
            + not_queued.replace("q.article_id", "c.article_id")
        )
    ).scalar()
    assert ungrouped == 0, f"{ungrouped} groupable claims belong to no claim group"
    bad_c = s.execute(
        text(
            "SELECT g.id, g.size, count(m.claim_id) FROM claim_groups g "
            "LEFT JOIN claim_group_members m ON m.group_id = g.id GROUP BY g.id, g.size "
            "HAVING g.size <> count(m.claim_id)"
        )
    ).all()
    assert bad_c == [], f"claim groups whose size is not their member count: {bad_c[:5]}"
    flagless = s.execute(
        text(
            "SELECT count(*) FROM claim_groups g LEFT JOIN flags f ON f.group_id = g.id "
            "WHERE g.verdict = 'conflict' AND f.id IS NULL"
        )
    ).scalar()
    assert flagless == 0, f"{flagless} conflicting claim groups have no flag"


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
