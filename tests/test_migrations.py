"""Migrations are the only way the schema is made: they must agree with the models."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main


def test_upgrade_empty_database_matches_models(engine) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tracker.db import current_revision, head_revision
    from tracker.models import Base
    from tracker.search import is_search_object

    opts = {
        "compare_type": True,
        "include_name": lambda name, type_, _parents: not is_search_object(name, type_),
    }
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    from alembic import command

    from tracker.db import alembic_config, connect, current_revision, head_revision, make_engine, resolve_url

    engine = connect(db_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with engine.connect() as conn:
        assert current_revision(conn) is None
    engine.dispose()
    engine = make_engine(resolve_url(db_url))
    engine.dispose()
    engine = connect(db_url)
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    engine.dispose()


def test_db_commands(db_url: str) -> None:
    r = CliRunner().invoke(main, ["db", "upgrade", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "upgraded" in r.output
    r = CliRunner().invoke(main, ["db", "upgrade", "--db", db_url])
    assert "already at" in r.output
    r = CliRunner().invoke(main, ["db", "current", "--db", db_url])
    assert r.exit_code == 0 and "up to date" in r.output


def test_database_newer_than_code_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert CliRunner().invoke(main, ["db", "upgrade", "--db", str(db)]).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    r = CliRunner().invoke(main, ["stats", "--db", str(db)])
    assert r.exit_code == 1
    assert "newer tracker" in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("bad", ["/nonexistent-dir/x.db"])
def test_unusable_database_path_is_a_clear_error(bad: str) -> None:
    r = CliRunner().invoke(main, ["stats", "--db", bad])
    assert r.exit_code == 1 and "does not exist" in r.output


def test_sqlite_pragmas(engine) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def _main_file_has(path: Path, marker: bytes) -> bool:
    """Whether ``marker`` reached the database file itself (not only its -wal file)."""
    return marker in path.read_bytes()


@pytest.mark.parametrize("in_background", [False, True])
def test_long_writes_checkpoint_the_wal_beside_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_background: bool
) -> None:
    """A commit no longer checkpoints after SQLite's default 1,000 pages; an ingest's thread
    copies committed pages into the database file while the writer goes on."""
    import time

    from tracker import db as dbmod

    monkeypatch.setattr(dbmod, "CHECKPOINT_EVERY", 0.01)
    path = tmp_path / "ck.db"
    engine = dbmod.connect(str(path))
    marker = b"wal-checkpoint-marker-7f3a"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == dbmod.WAL_AUTOCHECKPOINT
    ctx = dbmod.background_checkpoints(engine) if in_background else contextlib.nullcontext()
    with ctx:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE ck (x TEXT)")
            conn.exec_driver_sql("INSERT INTO ck VALUES (?)", (marker.decode(),))
        deadline = time.monotonic() + (5 if in_background else 0.3)  # 30 checkpoint periods
        while not _main_file_has(path, marker) and time.monotonic() < deadline:
            time.sleep(0.02)
        # The writer's pooled connection is still open: nothing else checkpoints meanwhile.
        assert _main_file_has(path, marker) is in_background
    engine.dispose()


def test_shipped_head_read_from_files_matches_alembic() -> None:
    from tracker.db import head_revision, shipped_head

    assert shipped_head() == head_revision()


def test_db_current_on_a_missing_file_does_not_create_it(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    r = CliRunner().invoke(main, ["db", "current", "--db", str(db)])
    assert r.exit_code == 1 and "no database at" in r.output
    assert not db.exists()


def test_judging_a_figure_reads_index_ranges_not_whole_groups(engine) -> None:  # type: ignore[no-untyped-def]
    """The reads that judge a figure joining a claim group (tracker.link._judge_added) stay
    index ranges however large the group grows: its highest members come in index order
    (not by sorting every member that shares the top value), and the members a figure puts
    in conflict come from the interval indexes (not from all members not in conflict)."""
    from tracker import link

    if engine.dialect.name == "postgresql":  # plans there depend on table statistics
        with engine.connect() as conn:
            defs = dict(
                conn.exec_driver_sql(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'claim_group_members'"
                ).all()
            )
        assert "(group_id, value DESC, claim_id)" in defs["ix_claim_group_members_group_high"]
        assert "(group_id, value, claim_id)" in defs["ix_claim_group_members_group_value"]
        assert "(group_id, in_conflict, hi)" in defs["ix_claim_group_members_calm_hi"]
        assert "(group_id, in_conflict, lo)" in defs["ix_claim_group_members_calm_lo"]
        return

    def plan(name: str) -> str:
        compiled = link._claim_stmt(name).compile(dialect=engine.dialect)
        values = compiled.construct_params({"g": 1, "lo": 1.0, "hi": 2.0, "art": 1})
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", tuple(values[k] for k in compiled.positiontup or ())
            ).all()
        return "\n".join(r[-1] for r in rows)

    for name in ("ends", "below", "above"):
        assert "TEMP B-TREE" not in plan(name), (name, plan(name))
    assert "ix_claim_group_members_group_high" in plan("above")
    flips = plan("flips")
    assert "ix_claim_group_members_calm_hi (group_id=? AND in_conflict=? AND hi<?)" in flips, flips
    assert "ix_claim_group_members_calm_lo (group_id=? AND in_conflict=? AND lo>?)" in flips, flips
