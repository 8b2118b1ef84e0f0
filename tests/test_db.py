"""tracker.db.insert_rows: the bulk insert of ingest and linking.

On SQLite it bypasses SQLAlchemy's per-row work (one DBAPI executemany, ids counted
from the table's highest id); these tests hold it to what SQLAlchemy's own insert
stores, byte for byte in the file, and to returning each row's id in row order.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from tracker.db import insert_rows
from tracker.models import ClaimGroup, LinkStockKey, QuoteGroup

UTC = dt.UTC


def _groups(n: int, start: int) -> list[dict]:
    return [
        {
            "quote_id": None,
            "person_id": None,
            "size": start + i,
            "first_published": dt.date(2024, 1, 1) + dt.timedelta(days=i) if i % 3 else None,
            "updated_at": dt.datetime(2024, 5, 6, 7, 8, 9, 123 * i, tzinfo=UTC),
        }
        for i in range(n)
    ]


def _raw(session, table: str, ids: list[int]) -> list[tuple]:
    """The rows as the database holds them (on SQLite: the stored text of dates)."""
    cols = (
        "size, first_published, updated_at" if table == "quote_groups" else "size, is_target, verdict, block"
    )
    rows = session.execute(text(f"SELECT id, {cols} FROM {table}")).all()
    by_id = {r[0]: tuple(r[1:]) for r in rows}
    return [by_id[i] for i in ids]


def test_ids_come_back_in_row_order_and_values_match_sqlalchemys_insert(session) -> None:
    ours = insert_rows(session.connection(), QuoteGroup.__table__, _groups(7, 100), ids=True)
    stmt = insert(QuoteGroup.__table__).returning(QuoteGroup.id, sort_by_parameter_order=True)
    theirs = list(session.execute(stmt, _groups(7, 100)).scalars())
    session.commit()
    assert len(ours) == len(set(ours)) == 7 and not set(ours) & set(theirs)
    # Each id holds the row given at its position (size tells the rows apart).
    sizes = dict(session.execute(select(QuoteGroup.id, QuoteGroup.size)).all())
    assert [sizes[i] for i in ours] == list(range(100, 107))
    # Stored exactly as SQLAlchemy stores them: dates and aware datetimes through the
    # column types' bind processors, NULLs as NULLs.
    assert _raw(session, "quote_groups", ours) == _raw(session, "quote_groups", theirs)
    back = {g.id: g for g in session.scalars(select(QuoteGroup))}
    assert back[ours[1]].first_published == dt.date(2024, 1, 2)
    assert back[ours[0]].first_published is None
    assert back[ours[2]].updated_at.replace(tzinfo=UTC) == dt.datetime(2024, 5, 6, 7, 8, 9, 246, tzinfo=UTC)


def test_ids_continue_after_rows_inserted_otherwise(session) -> None:
    first = insert_rows(session.connection(), QuoteGroup.__table__, _groups(3, 1), ids=True)
    session.add(QuoteGroup(size=50, updated_at=dt.datetime(2024, 1, 1, tzinfo=UTC)))
    session.flush()
    later = insert_rows(session.connection(), QuoteGroup.__table__, _groups(2, 60), ids=True)
    session.commit()
    sizes = dict(session.execute(select(QuoteGroup.id, QuoteGroup.size)).all())
    assert len(sizes) == 6
    assert [sizes[i] for i in first + later] == [1, 2, 3, 60, 61]
    assert min(later) > max(first)


def test_omitted_columns_take_their_defaults(session) -> None:
    row = {"block": 42, "metric": "trade", "unit": "USD", "entities": None, "period": None}
    ours = insert_rows(session.connection(), ClaimGroup.__table__, [row], ids=True)
    theirs = list(
        session.execute(
            insert(ClaimGroup.__table__).returning(ClaimGroup.id), [{**row, "block": 43}]
        ).scalars()
    )
    session.commit()
    ours_raw, theirs_raw = _raw(session, "claim_groups", ours + theirs)
    assert ours_raw[:3] == theirs_raw[:3]
    g = session.get(ClaimGroup, ours[0])
    assert (g.size, g.is_target, g.verdict) == (1, False, "single")
    # A Python-computed default (QuoteGroup.updated_at is utcnow) is filled in too.
    before = dt.datetime.now(UTC)
    (gid,) = insert_rows(session.connection(), QuoteGroup.__table__, [{"size": 3}], ids=True)
    session.commit()
    stamp = session.get(QuoteGroup, gid).updated_at
    assert stamp is not None and stamp.replace(tzinfo=UTC) >= before - dt.timedelta(seconds=1)


def test_sqlite_takes_the_executemany_path(session) -> None:
    """The fast path is the point: on SQLite, full rows and rows leaning on scalar
    defaults are planned for executemany; only a Python-computed default falls back."""
    from tracker.db import _sqlite_insert_plan

    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the executemany path is SQLite's; PostgreSQL uses SQLAlchemy's insert")
    dialect = session.get_bind().dialect
    full = tuple(_groups(1, 1)[0])
    assert _sqlite_insert_plan(QuoteGroup.__table__, full, True, dialect) is not None
    assert _sqlite_insert_plan(ClaimGroup.__table__, ("block", "metric"), True, dialect) is not None
    assert (
        _sqlite_insert_plan(QuoteGroup.__table__, ("size",), True, dialect) is None
    )  # updated_at = utcnow()
    assert _sqlite_insert_plan(QuoteGroup.__table__, ("id", "size"), True, dialect) is None  # ids given


def test_rows_without_ids_and_an_empty_list(session) -> None:
    assert insert_rows(session.connection(), LinkStockKey.__table__, []) == []
    assert (
        insert_rows(
            session.connection(), LinkStockKey.__table__, [{"kind": "q", "key": 5}, {"kind": "c", "key": 5}]
        )
        == []
    )
    session.commit()
    assert sorted(session.execute(select(LinkStockKey.kind, LinkStockKey.key)).all()) == [("c", 5), ("q", 5)]


def test_a_failing_row_inserts_nothing_of_its_statement(session) -> None:
    insert_rows(session.connection(), LinkStockKey.__table__, [{"kind": "q", "key": 9}])
    session.commit()
    with pytest.raises(IntegrityError):
        insert_rows(
            session.connection(), LinkStockKey.__table__, [{"kind": "q", "key": 8}, {"kind": "q", "key": 9}]
        )
    session.rollback()
    assert sorted(session.execute(select(LinkStockKey.key)).scalars()) == [9]
