"""Linking after commit: the link queue, batch linking, and what a stopped run leaves.

Ingest stores each article (with its link_queue row) in one transaction and links the
queue in batches afterwards. These tests stop that sequence in the middle, link in
batches of different sizes, and make linking fail, and check that every article ends
linked exactly as one uninterrupted run would link it.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tracker import link
from tracker.cli import main
from tracker.db import connect, session_factory
from tracker.models import Article, ClaimGroupMember, Flag, LinkQueue, Quote, QuoteGroupMember
from tracker.pipeline import analyse, ingest, link_pending, store
from tracker.read import make_article

# Four outlets repeat one statement (verbatim, re-punctuated, trimmed) and disagree on
# 2023 trade: $240.1 billion three times, "about $176 billion" once (a conflict).
ARTICLES = [
    (
        "2024-01-12",
        "“Our trade will keep growing despite every attempt to stop it,” Wang Yi said. "
        "Trade between China and Russia reached $240.1 billion in 2023, customs data showed.",
    ),
    (
        "2024-01-13",
        "“Our trade will keep growing, despite every attempt to stop it!” Wang Yi said on Saturday. "
        "Trade between China and Russia reached $240.1 billion in 2023.",
    ),
    (
        "2024-01-14",
        "Wang Yi said trade “will keep growing despite every attempt to stop it”. "
        "Trade between China and Russia reached about $176 billion in 2023, a blogger claimed.",
    ),
    (
        "2024-01-15",
        "The minister, Wang Yi, told reporters: “Our trade will keep growing despite every attempt "
        "to stop it.” Trade between China and Russia reached $240.1 billion in 2023.",
    ),
    (
        "2024-01-16",
        "“We never discussed the price of gas,” Alexei Miller said after the talks in Beijing.",
    ),
]


def _articles():  # type: ignore[no-untyped-def]
    return [make_article(f" date {d}\n{t}", f"outlet{i}/a.txt") for i, (d, t) in enumerate(ARTICLES)]


def _store_only(engine) -> None:  # type: ignore[no-untyped-def]
    """Store every article as ingest does, each in its transaction, and stop before linking."""
    Session = session_factory(engine)
    for art in _articles():
        with Session() as s, s.begin():
            assert store(s, art, analyse(art.text, art.published, art.body_start)) is not None


def _partition(engine) -> tuple[set[frozenset[int]], set[frozenset[int]]]:  # type: ignore[no-untyped-def]
    """Quote groups and claim groups as sets of article-local positions (comparable across databases)."""
    with session_factory(engine)() as s:
        order = {qid: i for i, qid in enumerate(s.scalars(select(Quote.id).order_by(Quote.id)))}
        out = []
        for model, col in (
            (QuoteGroupMember, QuoteGroupMember.quote_id),
            (ClaimGroupMember, ClaimGroupMember.claim_id),
        ):
            groups: dict[int, set[int]] = {}
            for item, gid in s.execute(select(col, model.group_id)):
                groups.setdefault(gid, set()).add(
                    order.get(item, item) if model is QuoteGroupMember else item
                )
            out.append({frozenset(g) for g in groups.values()})
    return out[0], out[1]


def _queued(engine) -> int:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as s:
        return s.scalar(select(func.count()).select_from(LinkQueue)) or 0


def test_stored_articles_wait_in_the_queue_and_link_links_them(db_url: str) -> None:
    engine = connect(db_url)
    _store_only(engine)
    assert _queued(engine) == len(ARTICLES)
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(QuoteGroupMember)) == 0  # nothing linked yet
    engine.dispose()

    r = CliRunner().invoke(main, ["link", "--db", db_url], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "linked 5 queued articles" in r.output

    engine = connect(db_url)
    assert _queued(engine) == 0
    with session_factory(engine)() as s:
        n_quotes = s.scalar(select(func.count()).select_from(Quote))
        assert s.scalar(select(func.count()).select_from(QuoteGroupMember)) == n_quotes
        flags = s.scalars(select(Flag)).all()
        assert len(flags) == 1 and "$176 billion" in flags[0].explanation
    # Read from the texts: the statement appears in four outlets, Miller's once.
    sizes = sorted(len(g) for g in _partition(engine)[0])
    assert sizes[-1] == 4 and sizes.count(1) == n_quotes - 4
    engine.dispose()
    # Nothing left: a second run links nothing and changes nothing.
    r = CliRunner().invoke(main, ["link", "--db", db_url], catch_exceptions=False)
    assert "linked 0 queued articles" in r.output


@pytest.mark.parametrize("batch", [1, 2, 5])
def test_batch_size_does_not_change_the_links(tmp_path: Path, batch: int) -> None:
    """Linking one article at a time, two at a time or all at once gives the same groups."""
    reference = connect(str(tmp_path / "ref.db"))
    _store_only(reference)
    with session_factory(reference)() as s, s.begin():
        for aid in s.scalars(select(Article.id).order_by(Article.id)).all():
            link.link_article(s, aid)
        s.query(LinkQueue).delete()
    engine = connect(str(tmp_path / f"b{batch}.db"))
    _store_only(engine)
    res, n = link_pending(session_factory(engine), batch=batch)
    assert n == len(ARTICLES) and _queued(engine) == 0
    assert res.flags_new == 1
    assert _partition(engine) == _partition(reference)
    reference.dispose()
    engine.dispose()


def test_rebuild_empties_the_queue_and_agrees_with_batches(db_url: str) -> None:
    engine = connect(db_url)
    _store_only(engine)
    link_pending(session_factory(engine), batch=2)
    batched = _partition(engine)
    extra = make_article(" date 2024-02-01\n“We never discussed the price of gas,” Miller said.", "x.txt")
    with session_factory(engine)() as s, s.begin():
        store(s, extra, analyse(extra.text, extra.published, extra.body_start))
    assert _queued(engine) == 1
    with session_factory(engine)() as s, s.begin():
        link.rebuild(s)
    assert _queued(engine) == 0
    quotes, claims = _partition(engine)
    assert claims == batched[1]
    # The new quote (the last position) joined Miller's earlier statement; every other
    # group is exactly as the batches made it.
    new = sum(len(g) for g in batched[0])
    joined = next(g for g in quotes if new in g)
    assert len(joined) == 2
    assert quotes - {joined} == batched[0] - {joined - {new}}
    engine.dispose()


def test_linking_failure_keeps_articles_queued_and_says_so(db_url: str, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    calls = itertools.count()

    def broken(session, limit=None, prepared=None):  # type: ignore[no-untyped-def]
        next(calls)
        raise RuntimeError("linker bug")

    monkeypatch.setattr(link, "link_queued", broken)
    folder = tmp_path / "in"
    folder.mkdir()
    for i, (d, t) in enumerate(ARTICLES):
        (folder / f"a{i}.txt").write_text(f" date {d}\n{t}", encoding="utf-8")
    r = CliRunner().invoke(
        main, ["ingest", str(folder), "--db", db_url, "--jobs", "1"], catch_exceptions=False
    )
    assert r.exit_code == 1
    assert "linking failed (RuntimeError: linker bug)" in r.output
    assert "queued for `tracker link`" in r.output
    assert next(calls) == 1  # tried once, not once per batch
    engine = connect(db_url)
    assert _queued(engine) == len(ARTICLES)  # every article stored and waiting
    engine.dispose()
    monkeypatch.undo()
    r = CliRunner().invoke(main, ["link", "--db", db_url], catch_exceptions=False)
    assert r.exit_code == 0 and "linked 5 queued articles" in r.output


def test_ingest_links_what_an_earlier_run_left_queued(db_url: str, tmp_path: Path) -> None:
    engine = connect(db_url)
    _store_only(engine)
    report = ingest(engine, [])  # a run with nothing new still drains the queue
    assert report.linked == len(ARTICLES) and _queued(engine) == 0
    assert "linked 5 articles" in report.summary()
    engine.dispose()


def test_migration_queues_articles_stored_before_it(tmp_path: Path) -> None:
    """0006 queues every article with a quote or groupable figure in no group."""
    from alembic import command
    from sqlalchemy import text

    from tracker.db import alembic_config, make_engine, resolve_url

    url = resolve_url(str(tmp_path / "old.db"))
    engine = make_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO articles (id, sha256, text, body_start, encoding, ingested_at, "
                "extractor_version) VALUES (1, 'a', 'x said y', 0, 'utf-8', '2024-01-01', '1'), "
                "(2, 'b', 'z', 0, 'utf-8', '2024-01-01', '1')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO quotes (article_id, kind, text, start_char, end_char) "
                "VALUES (1, 'indirect', 'y', 7, 8)"
            )
        )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT article_id FROM link_queue")).scalars().all() == [1]
    engine.dispose()


@pytest.mark.parametrize("jobs", [1, 2])
def test_extractor_crash_costs_one_article(monkeypatch: pytest.MonkeyPatch, db_url: str, jobs: int) -> None:
    """An exception inside extraction (in a worker or in-process) fails that article alone:
    it is reported with the exception, nothing of it is stored, and the rest are stored
    and linked."""
    import tracker.pipeline as pipeline

    real = pipeline.analyse

    def fragile(text, *args):  # type: ignore[no-untyped-def]
        if "Miller" in text:
            raise RuntimeError("extractor bug")
        return real(text, *args)

    monkeypatch.setattr(pipeline, "analyse", fragile)  # workers are forked after this
    engine = connect(db_url)
    report = ingest(engine, iter(_articles()), jobs=jobs)
    assert report.new == len(ARTICLES) - 1
    assert [(f.location, f.reason) for f in report.failed] == [
        ("outlet4/a.txt", "extraction failed (RuntimeError: extractor bug)")
    ]
    with session_factory(engine)() as s:
        assert "outlet4/a.txt" not in set(s.scalars(select(Article.location)))
        assert s.scalar(select(func.count()).select_from(LinkQueue)) == 0  # the rest were linked
        assert s.scalar(select(func.count()).select_from(QuoteGroupMember)) == s.scalar(
            select(func.count()).select_from(Quote)
        )
    engine.dispose()


def test_ingest_with_workers_links_as_tracker_link_does(tmp_path: Path) -> None:
    """Ingest's workers prepare each quote's words and keys for linking (tracker.link.
    prepare_quote); linking the same stored articles without them (`tracker link`) must
    give the same groups, norms and key counts."""
    with_workers = connect(str(tmp_path / "workers.db"))
    report = ingest(with_workers, iter(_articles()), jobs=2)
    assert report.new == len(ARTICLES) and report.linked == len(ARTICLES)
    plain = connect(str(tmp_path / "plain.db"))
    _store_only(plain)
    link_pending(session_factory(plain))

    def members(engine):  # type: ignore[no-untyped-def]
        with session_factory(engine)() as s:
            return sorted(
                s.execute(
                    select(
                        Quote.start_char,
                        QuoteGroupMember.norm,
                        QuoteGroupMember.n_keys,
                        QuoteGroupMember.relation,
                    ).join(QuoteGroupMember, QuoteGroupMember.quote_id == Quote.id)
                ).all()
            )

    assert _partition(with_workers) == _partition(plain)
    assert members(with_workers) == members(plain)
    with_workers.dispose()
    plain.dispose()


def test_extraction_workers_yield_the_cpu_to_the_writer() -> None:
    """Workers run at a lower scheduling priority than the writing process (which sets the
    pace), as ingest starts them."""
    import multiprocessing as mp
    import os

    from tracker.pipeline import WORKER_NICENESS, _worker_priority

    mine = os.nice(0)
    with mp.get_context("fork").Pool(1, initializer=_worker_priority) as pool:
        theirs = pool.apply(os.nice, (0,))
    assert theirs == min(19, mine + WORKER_NICENESS)
    assert os.nice(0) == mine  # the writer's own priority is untouched


def test_ingest_collects_garbage_less_often_and_restores_the_callers_setting(db_url: str) -> None:
    """While ingest runs (in the writer and in forked workers) the collector's thresholds are
    INGEST_GC_THRESHOLD; the caller gets its own back afterwards, and after a failure too."""
    import gc
    import multiprocessing as mp

    from tracker.pipeline import INGEST_GC_THRESHOLD, _worker_priority

    assert INGEST_GC_THRESHOLD[0] > gc.get_threshold()[0]
    engine = connect(db_url)
    caller = (1234, 5, 6)
    before = gc.get_threshold()
    gc.set_threshold(*caller)
    seen: list[tuple[int, ...]] = []
    try:
        report = ingest(engine, _articles(), on_item=lambda _loc, _out: seen.append(gc.get_threshold()))
        assert report.new == len(ARTICLES)
        assert seen == [INGEST_GC_THRESHOLD] * len(ARTICLES)
        assert gc.get_threshold() == caller

        def stop(_loc: str, _out: str) -> None:
            raise RuntimeError("stop")

        more = [make_article(" date 2024-02-01\n“We will meet again,” Wang Yi said.", "x.txt")]
        with pytest.raises(RuntimeError):
            ingest(engine, more, on_item=stop)
        assert gc.get_threshold() == caller
        with mp.get_context("fork").Pool(1, initializer=_worker_priority) as pool:
            assert tuple(pool.apply(gc.get_threshold)) == INGEST_GC_THRESHOLD
    finally:
        gc.set_threshold(*before)
        engine.dispose()


def test_linking_pauses_the_collector_and_resumes_it(engine, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The cyclic collector is off while a batch is linked and on again after it, also when
    linking fails; a caller that had it off keeps it off."""
    import gc

    _store_only(engine)
    seen: list[bool] = []
    real = link._link_claims

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*a, **k)

    monkeypatch.setattr(link, "_link_claims", spy)
    Session = session_factory(engine)
    assert gc.isenabled()
    with Session() as s, s.begin():
        link.link_queued(s)
    assert seen == [False] and gc.isenabled()

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(link, "_link_claims", boom)
    with Session() as s, pytest.raises(RuntimeError):
        link.link_articles(s, [1])
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(link, "_link_claims", spy)
        with Session() as s:
            link.link_articles(s, [1])
        assert not gc.isenabled()
    finally:
        gc.enable()


# Distinct statements sharing phrases, some repeated: with MAX_POSTING lowered, the shared
# phrases' keys become stock phrases part-way through a batch.
STOCK_ARTICLES = [
    f"“The {thing} has not been affected by sanctions after the talks in Delhi,” {who} said."
    for thing, who in [
        ("border crossing", "Anna Petrova"),
        ("grain corridor", "Ivan Sokolov"),
        ("border crossing", "Anna Petrova"),
        ("payment system", "Li Wei"),
        ("timber trade", "Omar Haddad"),
        ("grain corridor", "Ivan Sokolov"),
        ("rail link", "Maria Lopez"),
        ("border crossing", "Anna Petrova"),
        ("port of Vladivostok", "Li Wei"),
        ("payment system", "Li Wei"),
    ]
]


@pytest.mark.parametrize("batch", [3, 10])
def test_batch_size_does_not_change_the_links_when_keys_turn_stock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    """A key that becomes a stock phrase part-way through a batch stops being used for the
    batch's later articles, exactly as it would had they been linked one by one."""
    monkeypatch.setattr(link, "MAX_POSTING", 2)
    arts = [make_article(f" date 2024-01-{10 + i}\n{t}", f"s{i}.txt") for i, t in enumerate(STOCK_ARTICLES)]

    def stored(name: str):  # type: ignore[no-untyped-def]
        engine = connect(str(tmp_path / name))
        for art in arts:
            with session_factory(engine)() as s, s.begin():
                store(s, art, analyse(art.text, art.published, art.body_start))
        return engine

    reference = stored("ref.db")
    with session_factory(reference)() as s, s.begin():
        for aid in s.scalars(select(Article.id).order_by(Article.id)).all():
            link.link_article(s, aid)
        s.query(LinkQueue).delete()
        assert s.scalar(select(func.count()).select_from(link.LinkStockKey)) > 0  # keys did turn stock
    engine = stored(f"b{batch}.db")
    link_pending(session_factory(engine), batch=batch)
    assert _partition(engine) == _partition(reference)
    with session_factory(engine)() as s, session_factory(reference)() as r:
        keys = select(link.LinkKey.key, link.LinkKey.item_id).order_by(link.LinkKey.key, link.LinkKey.item_id)
        stock = select(link.LinkStockKey.key).order_by(link.LinkStockKey.key)
        assert s.execute(stock).all() == r.execute(stock).all()
        assert s.execute(keys).all() == r.execute(keys).all()
    reference.dispose()
    engine.dispose()
