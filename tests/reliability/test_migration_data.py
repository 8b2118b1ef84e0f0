"""Migrations keep data: a database at every past revision, filled, upgraded to head.

For each revision the database is upgraded to exactly that revision through Alembic
(the user's path), then every table that exists there is filled with rows built from
its reflected columns — so a table added by a future revision is filled too without
editing this test. Articles, quotes and claims get real text and real spans. After
``upgrade head`` every row must still be there with the same values, and every span
must still index its article's text. The latest revision is then downgraded (data in
place) and upgraded again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, NamedTuple

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)

from tracker.db import alembic_config, make_engine, resolve_url, upgrade

pytestmark = pytest.mark.reliability

ROWS = 3
ARTICLE_TEXTS = [
    ' date 2023-05-01\n"Trade grew by 26%," the economy minister said. Exports hit $240 billion.',
    "Ёлка «стоит», — сказал он. Рост составил 3,5%. 🎄 “Quoted,” she said.",
    'Line one.\n\u200f\u05e9\u05dc\u05d5\u05dd said "hello 12 times" and left; 40 tonnes moved.',
]


def _span(article: str, surface: str) -> tuple[int, int]:
    start = article.index(surface)
    return start, start + len(surface)


QUOTE_SURFACES = ["Trade grew by 26%,", "стоит", "hello 12 times"]
CLAIM_SURFACES = ["$240 billion", "3,5%", "40 tonnes"]


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    revs = [r.revision for r in script.walk_revisions("base", "heads")]
    return list(reversed(revs))  # oldest first


def _value(table: Table, col: Any, i: int) -> Any:
    """A deterministic value for column ``col`` of row ``i`` that satisfies its type and keys."""
    name = table.name
    if col.foreign_keys:
        return i + 1  # rows 1..ROWS of the referenced table exist (filled first)
    special = _special(name, col.name, i)
    if special is not _NONE:
        return special
    t = col.type
    if isinstance(t, Boolean):
        return i % 2 == 0
    if isinstance(t, (Integer, BigInteger)):
        return (i + 1) * 1000 + 7 if not col.primary_key else i + 1
    if isinstance(t, (Float, Numeric)):
        return i + 0.25
    if isinstance(t, DateTime):
        return dt.datetime(2024, 1, i + 1, 12, 30, tzinfo=dt.UTC)
    if isinstance(t, Date):
        return dt.date(2024, 1, i + 1)
    if isinstance(t, String) and not isinstance(t, Text) and t.length:
        v = f"{col.name[:4]}{i}"
        return v[-t.length :] if len(v) > t.length else v
    return f"{name}.{col.name} row {i} — «ü»"


_NONE = object()


def _special(table: str, col: str, i: int) -> Any:
    art = ARTICLE_TEXTS[i]
    if table == "articles":
        return {
            "text": art,
            "sha256": hashlib.sha256(art.encode()).hexdigest(),
            "body_start": 17 if art.startswith(" date") else 0,
            "encoding": "utf-8",
            "published": dt.date(2023, 5, i + 1),
        }.get(col, _NONE)
    if table == "quotes":
        s, e = _span(art, QUOTE_SURFACES[i])
        return {"text": QUOTE_SURFACES[i], "start_char": s, "end_char": e, "kind": "direct"}.get(col, _NONE)
    if table == "claims":
        s, e = _span(art, CLAIM_SURFACES[i])
        return {"surface": CLAIM_SURFACES[i], "start_char": s, "end_char": e}.get(col, _NONE)
    return _NONE


def _data_tables(conn: Any) -> list[Table]:
    md = MetaData()
    md.reflect(conn)
    skip = {"alembic_version"}
    if conn.dialect.name == "sqlite":
        # FTS5 virtual tables and their shadow tables are an index, not data.
        virtual = [
            r[0]
            for r in conn.execute(text("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'"))
        ]
        skip |= {t for t in md.tables if any(t == v or t.startswith(v + "_") for v in virtual)}
    return [t for t in md.sorted_tables if t.name not in skip]


def _fill(conn: Any) -> dict[str, list[dict[str, Any]]]:
    filled: dict[str, list[dict[str, Any]]] = {}
    for table in _data_tables(conn):
        # Generated columns (PostgreSQL's quotes.search_vector) are written by the database.
        cols = [c for c in table.columns if c.computed is None]
        rows = [{c.name: _value(table, c, i) for c in cols} for i in range(ROWS)]
        conn.execute(table.insert(), rows)
        filled[table.name] = rows
    if conn.dialect.name == "sqlite" and inspect(conn).has_table("quotes_fts"):
        # Ingest indexes each article's quotes itself (no insert trigger); do the same
        # for these rows, as a database written by tracker at this revision would be.
        conn.execute(text("INSERT INTO quotes_fts (rowid, text) SELECT id, text FROM quotes"))
    if conn.dialect.name == "postgresql":
        # Explicit ids leave the sequences behind; keep them past the rows, as a real
        # database would be.
        for table in _data_tables(conn):
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement in (True, "auto"):
                seq = conn.execute(
                    text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
                ).scalar()
                if seq:
                    conn.execute(text(f"SELECT setval('{seq}', {ROWS})"))
    return filled


def _normalise(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None) if v.tzinfo else v
    if isinstance(v, bool):
        return int(v)
    return v


def _assert_kept(
    conn: Any,
    filled: dict[str, list[dict[str, Any]]],
    where: str,
    rewritten: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """Every row filled is still there with the same values (``rewritten``: columns a
    migration on the way rewrote on purpose, checked by _assert_rewritten instead)."""
    md = MetaData()
    md.reflect(conn, only=list(filled))
    for name, rows in filled.items():
        assert name in md.tables, f"{where}: table {name} with data was dropped"
        table = md.tables[name]
        cols = [c for c in table.columns if c.name in rows[0] and (name, c.name) not in rewritten]
        stmt = select(*cols)
        if name in ADDED_BY_MIGRATIONS:
            col, values = ADDED_BY_MIGRATIONS[name]
            stmt = stmt.where(table.c[col].not_in(values))
        got = sorted(
            (tuple(_normalise(v) for v in r) for r in conn.execute(stmt)),
            key=repr,
        )
        want = sorted((tuple(_normalise(r[c.name]) for c in cols) for r in rows), key=repr)
        assert got == want, f"{where}: rows of {name} changed"
    # Spans still index the stored text.
    for kind, col in (("quotes", "text"), ("claims", "surface")):
        if kind not in filled:
            continue
        for body, s, e, surf in conn.execute(
            text(
                f"SELECT a.text, x.start_char, x.end_char, x.{col} "
                f"FROM {kind} x JOIN articles a ON a.id = x.article_id"
            )
        ):
            assert body[s:e] == surf, f"{where}: {kind} span [{s}:{e}] no longer matches {surf!r}"


# Rows a migration adds on purpose, beside the ones kept: (column, value) marking them.
# 0009 records spelling and surname aliases for every full-name alias already stored.
ADDED_BY_MIGRATIONS = {"person_aliases": ("kind", ("spelling", "surname"))}


# Values a migration rewrites on purpose, by revision, checked by _assert_rewritten
# instead: 0010 puts flags' evidence hashes (and those recorded with the decisions on
# them) in a new formula. A database already at that revision has them so: kept as they are.
REWRITTEN_BY_MIGRATIONS = {"0010": frozenset({("flags", "evidence"), ("flag_reviews", "evidence")})}


def _rewritten_after(revision: str) -> frozenset[tuple[str, str]]:
    """Columns the migrations after ``revision`` rewrite on purpose."""
    revs = _revisions()
    later = revs[revs.index(revision) + 1 :]
    return frozenset().union(*(REWRITTEN_BY_MIGRATIONS.get(r, frozenset()) for r in later))


def _assert_rewritten(
    conn: Any, filled: dict[str, list[dict[str, Any]]], where: str, rewritten: frozenset[tuple[str, str]]
) -> None:
    """Where a migration on the way rewrote them (``rewritten``): a flag's evidence is the
    hash of the claims it holds; a decision taken on the hash a flag had still carries the
    flag's hash."""
    if "flags" not in filled or ("flags", "evidence") not in rewritten:
        return
    from tracker.link import evidence_hash

    held: dict[int, list[Any]] = {}
    for row in conn.execute(
        text(
            "SELECT fc.flag_id, c.id, c.value, c.low, c.high, c.unit, c.hedge "
            "FROM flag_claims fc JOIN claims c ON c.id = fc.claim_id"
        )
    ):
        held.setdefault(row[0], []).append(row[1:])
    old = {r["id"]: r["evidence"] for r in filled["flags"]}
    now = dict(conn.execute(text("SELECT id, evidence FROM flags")).all())
    for fid, evidence in now.items():
        want = evidence_hash([_ClaimKey(*c) for c in held[fid]]) if fid in held else old[fid]
        assert evidence == want, f"{where}: flag {fid} evidence"
    for r in filled.get("flag_reviews", []):
        got = conn.execute(text("SELECT evidence FROM flag_reviews WHERE id = :i"), {"i": r["id"]}).scalar()
        fid = r["flag_id"]
        assert got == (now[fid] if r["evidence"] == old.get(fid) and fid in held else r["evidence"]), where


class _ClaimKey(NamedTuple):
    id: int
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    hedge: str | None


def _fresh_engine(db_url: str):  # type: ignore[no-untyped-def]
    return make_engine(resolve_url(db_url))


@pytest.mark.parametrize("revision", _revisions()[:-1] or ["(no past revision)"])
def test_upgrade_from_past_revision_keeps_data(db_url: str, revision: str) -> None:
    if revision.startswith("("):
        pytest.skip("only one revision exists")
    engine = _fresh_engine(db_url)
    try:
        upgrade(engine, revision)
        with engine.begin() as conn:
            filled = _fill(conn)
        assert {"articles", "quotes", "claims"} <= set(filled)
        before, after = upgrade(engine)
        assert before == revision and after == _revisions()[-1]
        with engine.connect() as conn:
            rewritten = _rewritten_after(revision)
            _assert_kept(conn, filled, f"{revision} -> head", rewritten)
            _assert_rewritten(conn, filled, f"{revision} -> head", rewritten)
            if conn.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert list(conn.execute(text("PRAGMA foreign_key_check"))) == []
        _search_finds_migrated_quotes(engine)
    finally:
        engine.dispose()


def _search_finds_migrated_quotes(engine) -> None:  # type: ignore[no-untyped-def]
    """Quotes stored before the full-text index existed must be searchable after upgrade."""
    try:
        from tracker import search
    except ImportError:
        return
    from tracker.db import session_factory

    if not hasattr(search, "search"):
        return
    with session_factory(engine)() as s:
        hits = search.search(s, "hello times")
        assert hits, "a quote stored before the search revision is not found after upgrade"
        if hasattr(search, "check"):
            assert search.check(s) == [], search.check(s)


def test_downgrade_latest_revision_keeps_data(db_url: str) -> None:
    revs = _revisions()
    if len(revs) < 2:
        pytest.skip("only one revision exists")
    from alembic import command

    engine = _fresh_engine(db_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            filled = _fill(conn)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revs[-2])
        with engine.connect() as conn:
            insp = inspect(conn)
            present = set(insp.get_table_names())
            # Columns the downgrade removed take their data with them; the rest must stay.
            kept = {}
            for name, rows in filled.items():
                if name in present:
                    cols = {c["name"] for c in insp.get_columns(name)}
                    kept[name] = [{k: v for k, v in r.items() if k in cols} for r in rows]
            assert {"articles", "quotes", "claims"} <= set(kept)
            _assert_kept(conn, kept, f"head -> {revs[-2]}")
        before, after = upgrade(engine)
        assert (before, after) == (revs[-2], revs[-1])
        with engine.connect() as conn:
            _assert_kept(conn, kept, "downgrade then upgrade")
        _search_finds_migrated_quotes(engine)
    finally:
        engine.dispose()
