"""Full-text search over quotations: one interface, two engines.

SQLite: an FTS5 table ``quotes_fts`` with external content (``content=[quotes]``, so
the text is stored once and Datasette detects the index), porter + unicode61 tokenizer,
ranked with bm25 and marked up with ``snippet()``. PostgreSQL: a stored generated column
``quotes.search_vector`` = ``to_tsvector('english', text)`` (always in step with the
table; migration 0008) with a GIN index, ranked with ``ts_rank`` and marked up with
``ts_headline``. Neither is in the models: they are the engines' own objects.

Keeping the SQLite index in step: ingest stores an article's quotes, and its row in the
link queue, in the article's transaction; the linking step that takes a batch of
articles off the queue indexes their quotes first with :func:`index_articles`, in one
``INSERT … SELECT`` per 500 articles (a per-row INSERT trigger measured about 10× slower
than a plain insert, and a commit per article writes an index segment per article).
Quotes are found by search once their article is linked: during an ingest, batch by
batch; after it, all of them (``tracker link`` drains what a stopped run left queued).
Deletes and text updates are rare and go through cheap triggers created by migration
0003. The triggers and :func:`index_articles` both look in ``quotes_fts_docsize`` first,
so a quote written by some other path can still be deleted without corrupting the
index; :func:`index_missing` catches such quotes up.

User queries never reach the engine's query language as typed: :func:`parse_query`
keeps words, ``"phrases"`` and ``prefix*`` and turns everything else (``NEAR(``,
``AND``, ``-``, ``:`` …) into plain words, each rendered quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FTS_TABLE = "quotes_fts"
PG_INDEX = "ix_quotes_search_vector"
PG_VECTOR = "search_vector"  # generated column of quotes, PostgreSQL only
# PostgreSQL text-search configuration; English stemming matches the SQLite porter stemmer.
PG_CONFIG = "english"
# Marks around matched words in snippets. Plain ASCII so they survive every terminal and CSV.
MARK_START, MARK_END = "[", "]"
ELLIPSIS = "…"
# Words of context in a snippet: enough to read a clause around the match on one table line.
SNIPPET_TOKENS = 16
# A query longer than this is not a search anyone types; refusing it bounds the work.
MAX_QUERY_CHARS = 500
MAX_TERMS = 32

# unicode61 splits on everything that is not a letter, digit or private-use character.
_TOKEN = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'"(?P<phrase>[^"]*)("|$)|(?P<word>[^\s"]+)')


class QueryError(ValueError):
    """A search query that cannot be run; the message is for the user."""


@dataclass(frozen=True)
class Term:
    """One search term: a word or a phrase (several tokens in order), maybe a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """Split a user's query into terms; every term must match (implicit AND).

    ``"exact phrase"`` keeps its words together, ``word*`` matches words starting with
    ``word``; any other punctuation only separates words, so FTS syntax typed by a
    user (``NEAR(``, ``OR``, ``col:``, ``^``, ``-``) is searched for as text.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query is longer than {MAX_QUERY_CHARS} characters")
    terms: list[Term] = []
    for m in _PIECE.finditer(query):
        if m.group("phrase") is not None:
            raw, prefix = m.group("phrase").rstrip(), False
            if raw.endswith("*"):
                raw, prefix = raw.rstrip("*"), True
            tokens = tuple(_TOKEN.findall(raw))
            if tokens:
                terms.append(Term(tokens, prefix and bool(re.search(r"[^\W_]$", raw))))
            continue
        word = m.group("word")
        tokens = tuple(_TOKEN.findall(word))
        if not tokens:
            continue
        prefix = bool(re.search(r"[^\W_]\*+$", word))
        if len(tokens) == 1 or not prefix:
            terms.append(Term(tokens, prefix))
        else:  # "state-own*": a phrase whose last word is a prefix
            terms.append(Term(tokens, True))
    if not terms:
        raise QueryError(f"nothing to search for in {query!r}: give at least one word")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"too many search terms ({len(terms)}; at most {MAX_TERMS})")
    return terms


def fts5_query(terms: list[Term]) -> str:
    """The FTS5 MATCH expression: every term a double-quoted string, ANDed."""
    parts = []
    for t in terms:
        body = " ".join(t.tokens).replace('"', '""')
        parts.append(f'"{body}"' + ("*" if t.prefix else ""))
    return " AND ".join(parts)


def pg_tsquery(terms: list[Term]) -> str:
    """The ``to_tsquery`` text: each token single-quoted, phrases with ``<->``, prefixes ``:*``."""
    parts = []
    for t in terms:
        toks = [f"'{tok.replace(chr(39), chr(39) * 2)}'" for tok in t.tokens]
        if t.prefix:
            toks[-1] += ":*"
        parts.append(toks[0] if len(toks) == 1 else "(" + " <-> ".join(toks) + ")")
    return " & ".join(parts)


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class Hit:
    quote_id: int
    rank: float
    snippet: str | None = None


def search(
    session: Session, query: str, *, limit: int = 20, restrict: Callable[[Any], Any] | None = None
) -> list[Hit]:
    """Best ``limit`` quotes matching ``query``, best first, with a marked snippet.

    ``restrict`` receives a ``select`` that already has ``quotes`` in its FROM and returns
    it with more joins and WHERE clauses (speaker, date, outlet filters). ``rank`` is
    higher for better matches on both engines (the scales differ).
    """
    terms = parse_query(query)
    if dialect_name(session) == "postgresql":
        return _search_pg(session, terms, limit, restrict)
    return _search_sqlite(session, terms, limit, restrict)


def _search_sqlite(
    session: Session, terms: list[Term], limit: int, restrict: Callable[[Any], Any] | None
) -> list[Hit]:
    from sqlalchemy import String, bindparam, column, func, literal_column, select, table, text

    from tracker.models import Quote

    match = fts5_query(terms)
    fts = table(FTS_TABLE, column("rowid"), column("rank"))
    cond = literal_column(FTS_TABLE).op("MATCH")(bindparam("match", match))
    snippet = func.snippet(
        literal_column(FTS_TABLE), 0, MARK_START, MARK_END, ELLIPSIS, SNIPPET_TOKENS, type_=String
    )
    if restrict is None:
        # Only the index. FTS5 consumes "ORDER BY rank LIMIT n" itself: bm25 once per match,
        # snippet() only for the rows returned.
        stmt = select(fts.c.rowid, fts.c.rank, snippet).where(cond).order_by(fts.c.rank).limit(limit)
        return [Hit(int(qid), -float(rank), snip) for qid, rank, snip in session.execute(stmt)]
    # Filters join per match; snippet() is left to a second query over the rows shown, since
    # with a join SQLite may compute result columns for every match before sorting.
    stmt = restrict(select(fts.c.rowid, fts.c.rank).where(cond).join(Quote, Quote.id == fts.c.rowid))
    rows = session.execute(stmt.order_by(fts.c.rank).limit(limit)).all()
    if not rows:
        return []
    snips = dict(
        session.execute(
            text(
                f"SELECT rowid, snippet({FTS_TABLE}, 0, :a, :b, :e, {SNIPPET_TOKENS}) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH :match AND rowid IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"match": match, "a": MARK_START, "b": MARK_END, "e": ELLIPSIS, "ids": [r[0] for r in rows]},
        ).all()
    )
    return [Hit(int(qid), -float(rank), snips.get(qid)) for qid, rank in rows]


def _search_pg(
    session: Session, terms: list[Term], limit: int, restrict: Callable[[Any], Any] | None
) -> list[Hit]:
    from sqlalchemy import func, literal_column, select

    from tracker.models import Quote

    config = literal_column(f"'{PG_CONFIG}'")
    tsq = func.to_tsquery(config, pg_tsquery(terms))
    # The stored vector: ranking reads it instead of parsing each match's text again.
    vec = literal_column(f"{Quote.__tablename__}.{PG_VECTOR}")
    rank = func.ts_rank(vec, tsq).label("score")
    inner = select(Quote.id, Quote.text, rank).where(vec.op("@@")(tsq))
    if restrict is not None:
        inner = restrict(inner)
    inner = inner.order_by(rank.desc(), Quote.id).limit(limit).subquery()
    opts = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_TOKENS}, MinWords=5, "
        f'FragmentDelimiter="{ELLIPSIS}", MaxFragments=2'
    )
    head = func.ts_headline(config, inner.c.text, tsq, opts)
    stmt = select(inner.c.id, inner.c.score, head).order_by(inner.c.score.desc(), inner.c.id)
    return [Hit(int(i), float(r), h) for i, r, h in session.execute(stmt)]


# --------------------------------------------------------------------------- index upkeep


def index_articles(session: Session, article_ids: Sequence[int]) -> int:
    """Add the quotes of these articles to the index, skipping any already in it (a
    statement per 500 articles); returns how many were added.

    Ingest stores an article's quotes in its own transaction and indexes them later,
    with the linking step that takes the article off the link queue
    (:func:`tracker.link.link_queued`): a commit that adds to an FTS5 index writes a new
    index segment, and one per article cost a fifth of storing it (0.33 of 1.7 ms). A
    no-op on PostgreSQL, whose expression index follows the table by itself.
    """
    if dialect_name(session) != "sqlite" or not article_ids:
        return 0
    from sqlalchemy import bindparam, text

    stmt = text(
        f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT q.id, q.text FROM quotes q "
        f"WHERE q.article_id IN :ids AND NOT EXISTS "
        f"(SELECT 1 FROM {FTS_TABLE}_docsize d WHERE d.id = q.id)"
    ).bindparams(bindparam("ids", expanding=True))
    added = 0
    ids = sorted(article_ids)
    for i in range(0, len(ids), 500):
        result = session.execute(stmt, {"ids": ids[i : i + 500]})
        added += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return added


def index_missing(session: Session) -> int:
    """Index every quote not yet in the index (quotes written by a path that skipped it)."""
    if dialect_name(session) != "sqlite":
        return 0
    from sqlalchemy import text

    result = session.execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT q.id, q.text FROM quotes q "
            f"WHERE NOT EXISTS (SELECT 1 FROM {FTS_TABLE}_docsize d WHERE d.id = q.id)"
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def rebuild(session: Session) -> None:
    """Rebuild the whole index from the quotes table (after bulk loads or repairs)."""
    if dialect_name(session) != "sqlite":
        return
    from sqlalchemy import text

    session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))


def check(session: Session) -> list[str]:
    """Problems with the index: quotes missing from it or stale rows; empty when in step."""
    if dialect_name(session) != "sqlite":
        return []
    from sqlalchemy import text

    problems = []
    missing = session.scalar(
        text(
            f"SELECT count(*) FROM quotes q WHERE NOT EXISTS "
            f"(SELECT 1 FROM {FTS_TABLE}_docsize d WHERE d.id = q.id)"
        )
    )
    stale = session.scalar(
        text(
            f"SELECT count(*) FROM {FTS_TABLE}_docsize d WHERE NOT EXISTS "
            f"(SELECT 1 FROM quotes q WHERE q.id = d.id)"
        )
    )
    if missing:
        problems.append(f"{missing} quotes are not in the full-text index")
    if stale:
        problems.append(f"{stale} deleted quotes are still in the full-text index")
    # rank 1 also compares the index with the quotes table, which only makes sense once
    # the counts agree; rank 0 checks the index's own structure.
    full = 0 if problems else 1
    try:
        session.execute(
            text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', :r)"), {"r": full}
        )
    except Exception as exc:  # the engine's own verdict on index vs content
        problems.append(f"integrity-check failed: {exc}")
    return problems


def is_search_object(name: str | None, type_: str) -> bool:
    """True for the search objects migrations 0003 and 0008 make outside the models.

    For Alembic's ``include_name`` hook (env.py and the models-vs-migrations test):
    without it autogenerate would propose dropping ``quotes_fts`` and its shadow
    tables, or PostgreSQL's search vector column and its index.
    """
    if not name:
        return False
    if type_ == "table":
        return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
    if type_ == "column":
        return name == PG_VECTOR
    return type_ == "index" and name == PG_INDEX
