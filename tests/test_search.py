"""Full-text search: query parsing, hostile input, and the index staying in step with quotes.

Runs on the conftest database (SQLite file, or PostgreSQL with TRACKER_TEST_DB); the
index-sync checks are SQLite-only where they look at the FTS5 table itself.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, text, update

from tracker import report, search
from tracker.db import session_factory
from tracker.models import Article, Quote
from tracker.pipeline import ingest
from tracker.read import make_article

ARTICLES = [
    (
        "a.txt",
        "Agency",
        dt.date(2023, 3, 1),
        '"Cooperation between our countries is growing," Wang Yi said. '
        '"The parties involved in the Ukrainian crisis must resume dialogue," he added.',
    ),
    (
        "b.txt",
        "Daily",
        dt.date(2023, 5, 2),
        '"Trade is cooperating well and the pipeline is nearly ready," Vladimir Putin said. '
        '"We oppose unilateral sanctions," Putin added.',
    ),
]

HOSTILE = [
    '"',
    '""',
    "*",
    "***",
    "NEAR(",
    "NEAR(a b",
    'NEAR("a" "b", 2)',
    '\\"',
    "'",
    "a' OR '1'='1",
    "crisis'; DROP TABLE quotes; --",
    "SELECT * FROM quotes",
    "AND",
    "OR NOT",
    "text:crisis",
    "^crisis",
    "-crisis",
    "crisis)",
    "(crisis",
    "{text}: crisis",
    "crisis + dialogue",
    "%_%",
    "\x00",
    "ü*",
    "🙂",
    "a" * 400,
]


def load(engine, articles=ARTICLES) -> None:  # type: ignore[no-untyped-def]
    items = [make_article(body, loc, published=day, source=src) for loc, src, day, body in articles]
    report_ = ingest(engine, items)
    assert not report_.failed


def ids(rows: list[dict]) -> set[int]:  # type: ignore[type-arg]
    return {r["id"] for r in rows}


def is_sqlite(session) -> bool:  # type: ignore[no-untyped-def]
    return session.get_bind().dialect.name == "sqlite"


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("wang yi", '"wang" AND "yi"'),
        ('"Ukrainian crisis"', '"Ukrainian crisis"'),
        ("coop*", '"coop"*'),
        ('"state own*"', '"state own"*'),
        ("NEAR(", '"NEAR"'),
        ('a" OR "b', '"a" AND "OR" AND "b"'),
        ("col:word", '"col word"'),
        ("don't", '"don t"'),
        ("x -y ^z", '"x" AND "y" AND "z"'),
    ],
)
def test_parse_query_to_fts5(query: str, expect: str) -> None:
    assert search.fts5_query(search.parse_query(query)) == expect


def test_pg_tsquery_quotes_every_token() -> None:
    terms = search.parse_query('"ukrainian crisis" coop* it\'s')
    assert search.pg_tsquery(terms) == "('ukrainian' <-> 'crisis') & 'coop':* & ('it' <-> 's')"


@pytest.mark.parametrize("query", ['"', "***", "", "   ", "-- ;", "\\", "()"])
def test_query_without_words_is_a_clear_error(query: str) -> None:
    with pytest.raises(search.QueryError, match="nothing to search"):
        search.parse_query(query)


def test_overlong_query_is_refused() -> None:
    with pytest.raises(search.QueryError, match="longer than"):
        search.parse_query("word " * 200)


# --------------------------------------------------------------------------- searching


def test_words_phrase_prefix_and_stemming(session, engine) -> None:  # type: ignore[no-untyped-def]
    load(engine)
    rows = report.who_said(session, "Ukrainian crisis")
    assert [r["speaker"] for r in rows] == ["Wang Yi"]
    assert "[Ukrainian]" in rows[0]["snippet"] or "[Ukrainian crisis]" in rows[0]["snippet"]
    assert rows[0]["rank"] > 0
    assert len(report.who_said(session, '"Ukrainian crisis"')) == 1
    assert report.who_said(session, '"crisis Ukrainian"') == []
    # stemming: "cooperation" also finds "cooperating"; a prefix matches stems ("coop*")
    assert len(report.who_said(session, "cooperation")) == 2
    assert len(report.who_said(session, "coop*")) == 2
    assert len(report.who_said(session, "sanc*")) == 1
    assert report.who_said(session, "zebra") == []


def test_filters(session, engine) -> None:  # type: ignore[no-untyped-def]
    load(engine)
    assert {r["speaker"] for r in report.who_said(session, "coop*", speaker="putin")} == {"Vladimir Putin"}
    assert {r["source"] for r in report.who_said(session, "coop*", source="agen")} == {"Agency"}
    assert {r["speaker"] for r in report.who_said(session, "coop*", since=dt.date(2023, 4, 1))} == {
        "Vladimir Putin"
    }
    assert report.who_said(session, "coop*", until=dt.date(2023, 1, 1)) == []
    assert report.who_said(session, "coop*", kind="indirect") == []
    assert report.who_said(session, "coop*", speaker="%") == []  # LIKE wildcards are literal


def test_relevance_orders_results(session, engine) -> None:  # type: ignore[no-untyped-def]
    load(
        engine,
        [
            ("c.txt", "X", None, '"Gas, gas and more gas for everyone," Alexei Miller said.'),
            (
                "d.txt",
                "X",
                None,
                '"We discussed many things including gas prices and the weather," Ivan Petrov said.',
            ),
        ],
    )
    rows = report.who_said(session, "gas")
    assert [r["speaker"] for r in rows] == ["Alexei Miller", "Ivan Petrov"]
    assert rows[0]["rank"] > rows[1]["rank"]
    assert len(report.who_said(session, "gas", limit=1)) == 1


@pytest.mark.reliability
@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_break_out(session, engine, query: str) -> None:  # type: ignore[no-untyped-def]
    load(engine)
    before = session.scalar(select(func.count()).select_from(Quote))
    try:
        rows = report.who_said(session, query)
    except search.QueryError:
        rows = []
    assert isinstance(rows, list)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Quote)) == before


# --------------------------------------------------------------------------- index in step


def fts_ids(session) -> set[int]:  # type: ignore[no-untyped-def]
    return set(session.scalars(text("SELECT id FROM quotes_fts_docsize")))


def assert_in_step(session) -> None:  # type: ignore[no-untyped-def]
    assert search.check(session) == []
    if is_sqlite(session):
        assert fts_ids(session) == set(session.scalars(select(Quote.id)))


def test_index_follows_ingest_reingest_delete_and_edit(engine) -> None:  # type: ignore[no-untyped-def]
    Session = session_factory(engine)

    def said(query: str) -> list[dict]:  # type: ignore[type-arg]
        # A fresh session each time: on SQLite an open read transaction would block the writes.
        with Session() as s:
            assert_in_step(s)
            return report.who_said(s, query)

    load(engine)
    assert len(said("sanctions")) == 1
    load(engine)  # re-ingest: nothing new, nothing indexed twice
    assert len(said("sanctions")) == 1

    with Session() as s, s.begin():  # delete one quote
        qid = s.scalar(select(Quote.id).where(Quote.text.like("%sanctions%")))
        s.execute(delete(Quote).where(Quote.id == qid))
    assert said("sanctions") == []

    with Session() as s, s.begin():  # an editor's text fix
        s.execute(update(Quote).where(Quote.text.like("%pipeline%")).values(text="The pipeline is finished"))
    assert said("nearly ready") == []
    assert len(said("finished")) == 1

    with Session() as s, s.begin():  # delete an article: its quotes go by cascade
        s.execute(delete(Article).where(Article.location == "a.txt"))
    assert said("Ukrainian") == []
    assert len(said("finished")) == 1


def test_quote_written_without_index_is_caught_up_and_deletable(engine) -> None:  # type: ignore[no-untyped-def]
    load(engine)
    Session = session_factory(engine)
    with Session() as s:
        if not is_sqlite(s):
            pytest.skip("PostgreSQL's expression index follows the table by itself")
    with Session() as s, s.begin():
        art = s.scalar(select(Article.id))
        s.add(Quote(article_id=art, kind="direct", text="an unindexed remark", start_char=0, end_char=1))
    with Session() as s:
        assert search.check(s) == ["1 quotes are not in the full-text index"]
    with Session() as s, s.begin():  # deleting a quote the index never saw must not corrupt it
        s.execute(delete(Quote).where(Quote.text == "an unindexed remark"))
        s.add(Quote(article_id=art, kind="direct", text="another remark", start_char=0, end_char=1))
    with Session() as s, s.begin():
        assert search.index_missing(s) == 1
    with Session() as s:
        assert_in_step(s)
        assert len(report.who_said(s, "remark")) == 1
    with Session() as s, s.begin():
        search.rebuild(s)
    with Session() as s:
        assert_in_step(s)


def test_store_rolls_back_index_with_the_article(engine) -> None:  # type: ignore[no-untyped-def]
    from tracker.pipeline import analyse, store

    art = make_article('"Exports of grain rose sharply," the minister said.', "x.txt")
    Session = session_factory(engine)
    with pytest.raises(RuntimeError), Session() as s, s.begin():
        store(s, art, analyse(art.text))
        raise RuntimeError("crash before commit")
    with Session() as s:
        assert report.who_said(s, "grain") == []
        assert_in_step(s)


def test_is_search_object() -> None:
    assert search.is_search_object("quotes_fts", "table")
    assert search.is_search_object("quotes_fts_docsize", "table")
    assert search.is_search_object("ix_quotes_search_vector", "index")
    assert search.is_search_object("search_vector", "column")
    assert not search.is_search_object("text", "column")
    assert not search.is_search_object("quotes", "table")


def test_postgresql_search_reads_a_stored_vector_that_follows_the_text(engine) -> None:  # type: ignore[no-untyped-def]
    """Migration 0008: ranking reads quotes.search_vector, generated by PostgreSQL from the
    text, so an edited quotation is found by its new words only."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL search column")
    Session = session_factory(engine)
    ingest(engine, [make_article("“Grain exports will double,” the minister said.", "a.txt")])
    with Session() as s:
        generated = s.scalar(
            text(
                "SELECT is_generated FROM information_schema.columns "
                "WHERE table_name = 'quotes' AND column_name = 'search_vector'"
            )
        )
        assert generated == "ALWAYS"
        index = "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_quotes_search_vector'"
        assert s.scalar(text(index)) == 1
        assert [h.quote_id for h in search.search(s, "grain")] != []
    with Session() as s, s.begin():
        s.execute(update(Quote).values(text="Timber exports will double"))
    with Session() as s:
        assert search.search(s, "grain") == []
        assert len(search.search(s, "timber")) == 1
