"""Crashes: SIGKILL a real ``tracker ingest`` / ``tracker db upgrade`` at random points.

Seeded, bounded loops. After every kill the database is checked article by article
(helpers.check_database): each stored article has exactly the quotes and claims the
extractor finds in it, its quotes are linked and indexed, nothing is duplicated. The
final uninterrupted run must complete the set: every input stored exactly once.
Runs on SQLite and, with TRACKER_TEST_DB, on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .helpers import (
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

SEED = 20240601
ARTICLES = 400
KILLS = 18
MIGRATION_KILLS = 6


def _spawn(cmd: list[str]) -> subprocess.Popen[str]:
    """``cmd`` in its own process group: the kill takes extraction workers with it, like an
    OOM kill."""
    return subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        start_new_session=True,
    )


def _kill_or_collect(proc: subprocess.Popen[str]) -> tuple[bool, int | None, str]:
    """SIGKILL the group if still running. Returns (killed while running, exit code if it
    finished first, stderr)."""
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    return killed, None if killed else proc.returncode, err


def _kill_after(cmd: list[str], delay: float) -> tuple[bool, int | None, str]:
    """Run ``cmd``; SIGKILL its process group after ``delay`` seconds."""
    proc = _spawn(cmd)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        pass
    return _kill_or_collect(proc)


def _kill_when_stored(
    cmd: list[str], db_url: str, target: int, jitter: float
) -> tuple[bool, int | None, str]:
    """Run ``cmd``; SIGKILL its process group ``jitter`` seconds after ``target`` articles are stored.

    Kills follow the ingest's real progress, read from the database by a second connection,
    not a guess at this machine's speed: every round lands at a chosen point of the corpus
    whether the machine is fast or slow. The jitter moves the kill off the commit itself,
    into the next article's writes or a link batch.
    """
    from sqlalchemy import text

    from tracker.db import make_engine, resolve_url

    proc = _spawn(cmd)
    # Read-only: the tool's read-write SQLite connections BEGIN IMMEDIATE, and the
    # poller must not queue behind the ingest for the write lock.
    engine = make_engine(resolve_url(db_url), readonly=True)
    try:
        while proc.poll() is None:
            try:
                with engine.connect() as conn:
                    stored = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
            except Exception:  # not created yet, or mid-migration
                stored = -1
            if stored >= target:
                time.sleep(jitter)
                break
            time.sleep(0.005)
    finally:
        engine.dispose()
    return _kill_or_collect(proc)


def test_sigkill_during_ingest_loses_nothing(db_url: str, tmp_path: Path, record_property) -> None:  # type: ignore[no-untyped-def]
    records = corpus_records(ARTICLES, SEED)
    feed = write_jsonl(tmp_path / "feed.jsonl", records)
    want = expected_texts(records)
    rng = random.Random(SEED)
    cmd = tracker_cmd("ingest", str(feed), "--db", db_url, "--quiet")
    killed = 0
    progress: list[int] = []
    for round_no in range(KILLS):
        stored = progress[-1] if progress else 0
        jobs = "2" if round_no % 3 == 2 else "1"  # sometimes with the extraction worker pool
        if round_no < 2:  # during start-up and the first migration
            was_killed, code, err = _kill_after([*cmd, "--jobs", jobs], rng.uniform(0.05, 0.6))
        else:
            # Spread the remaining kill points over what is left of the corpus.
            step = max(1, (ARTICLES - stored) // (KILLS - round_no))
            target = min(ARTICLES, stored + rng.randint(1, step))
            jitter = rng.uniform(0.0, 0.05)
            was_killed, code, err = _kill_when_stored([*cmd, "--jobs", jobs], db_url, target, jitter)
        if was_killed:
            killed += 1
        else:
            assert code == 0, f"ingest finished with {code} before the kill:\n{err}"
        assert "Traceback" not in err, err
        counts = _check_if_created(db_url)
        progress.append(counts["articles"])
        assert progress == sorted(progress), f"stored articles went down after a kill: {progress}"
    final = run_tracker("ingest", str(feed), "--db", db_url, "--quiet", "--jobs", "2", timeout=300)
    assert final.returncode == 0, final.stderr
    assert "Traceback" not in final.stderr
    texts = stored_texts(db_url)
    assert len(texts) == len(set(texts)) == ARTICLES
    assert set(texts) == want
    counts = check_database(db_url)
    record_property("kills", killed)
    record_property("stored_after_each_kill", progress)
    print(f"\nSIGKILL during ingest: {killed}/{KILLS} kills landed; stored after each kill: {progress}")
    print(f"final: {counts}")
    assert killed >= KILLS * 2 // 3, f"only {killed} of {KILLS} kills hit a running ingest"


def _check_if_created(db_url: str) -> dict[str, int]:
    """After a kill during the very first start-up the database may not exist yet, or be empty."""
    if "://" not in db_url and not Path(db_url).exists():
        return {"articles": 0}
    return check_database(db_url)


def test_sigkill_during_migration_recovers(db_url: str, record_property) -> None:  # type: ignore[no-untyped-def]
    """A killed ``tracker db upgrade`` leaves a database that the next upgrade brings to head."""
    from alembic import command

    from tracker.db import alembic_config, head_revision, make_engine, resolve_url, upgrade

    from .test_migration_data import _assert_kept, _fill, _revisions

    revs = _revisions()
    if len(revs) < 2:
        pytest.skip("only one revision: nothing to interrupt between revisions")
    rng = random.Random(SEED + 1)
    url = resolve_url(db_url)
    killed = 0
    # Time one full upgrade so the kills spread over it.
    engine = make_engine(url)
    upgrade(engine, revs[0])
    engine.dispose()
    t0 = time.perf_counter()
    r = run_tracker("db", "upgrade", "--db", db_url)
    full = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    for _ in range(MIGRATION_KILLS):
        engine = make_engine(url)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        upgrade(engine, revs[0])
        with engine.begin() as conn:
            filled = _fill(conn)
        engine.dispose()
        was_killed, code, err = _kill_after(
            tracker_cmd("db", "upgrade", "--db", db_url), rng.uniform(0.1, full)
        )
        killed += was_killed
        assert "Traceback" not in err, err
        again = run_tracker("db", "upgrade", "--db", db_url)
        assert again.returncode == 0, again.stderr + again.stdout
        assert head_revision() in again.stdout
        engine = make_engine(url)
        with engine.connect() as conn:
            _assert_kept(conn, filled, "after a killed upgrade")
        engine.dispose()
    record_property("migration_kills", killed)
    print(f"\nSIGKILL during db upgrade: {killed}/{MIGRATION_KILLS} kills landed (full upgrade {full:.2f}s)")
