"""Faults during ingest: a full disk and a read-only database file (SQLite; real processes).

Full disk: the child ``tracker ingest`` runs with ``RLIMIT_FSIZE`` a little above the
database's current size and SIGXFSZ ignored, so SQLite's writes past the limit fail
with EFBIG exactly as on a full volume — without root, loop devices or quotas.

A second test fills a real, small tmpfs (ENOSPC) where mounting is allowed (root).

Read-only: ``chmod 0444`` on the database file. Tests run as root in CI, where chmod
alone stops nothing (CAP_DAC_OVERRIDE); the child therefore runs under ``setpriv``
with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its bounding set, so the
permission bits apply as they would to any user. Skipped when neither is possible.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from .helpers import (
    check_database,
    child_env,
    corpus_records,
    expected_texts,
    run_tracker,
    skip_on_postgres,
    stored_texts,
    tracker_cmd,
    write_jsonl,
)

pytestmark = pytest.mark.reliability


def _seed_database(db: Path, tmp_path: Path, n: int) -> tuple[list[dict[str, str]], set[str]]:
    records = corpus_records(n, 11)
    first = write_jsonl(tmp_path / "first.jsonl", records[: n // 4])
    r = run_tracker("ingest", str(first), "--db", str(db), "--quiet", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    return records, set(stored_texts(str(db)))


def _files(db: Path) -> list[Path]:
    return [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]


def test_disk_full_during_ingest(tmp_path: Path) -> None:
    skip_on_postgres("file size limit on the SQLite file")
    db = tmp_path / "t.db"
    records, before = _seed_database(db, tmp_path, 40)
    limit = max(p.stat().st_size for p in _files(db)) + 96 * 1024

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    rest = write_jsonl(tmp_path / "rest.jsonl", records)
    proc = subprocess.run(
        tracker_cmd("ingest", str(rest), "--db", str(db), "--quiet", "--jobs", "1"),
        capture_output=True,
        text=True,
        timeout=300,
        env=child_env(),
        preexec_fn=limit_file_size,
    )
    assert proc.returncode != 0, f"ingest past a full disk reported success:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    print(f"\nfull disk: exit {proc.returncode}: {proc.stderr.strip()}")
    msg = proc.stderr.lower()
    assert "full" in msg or "too large" in msg or "disk" in msg, f"unclear message: {proc.stderr}"
    # Articles stored before are intact, each stored article complete.
    after = set(stored_texts(str(db)))
    assert before <= after
    counts = check_database(str(db))
    assert counts["articles"] < len(records), "the size limit never bit; raise the corpus or lower it"
    # With space again, the same ingest completes the set.
    again = run_tracker("ingest", str(rest), "--db", str(db), "--quiet", "--jobs", "1", timeout=300)
    assert again.returncode == 0, again.stderr
    assert set(stored_texts(str(db))) == expected_texts(records)
    check_database(str(db))


def _mount_small_tmpfs(where: Path, size: int) -> bool:
    where.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    return r.returncode == 0


def test_really_full_filesystem_during_ingest(tmp_path: Path) -> None:
    """ENOSPC from a real, small tmpfs (root only; skipped where mounting is not allowed)."""
    skip_on_postgres("a full volume under the SQLite file")
    seed_db = tmp_path / "seed.db"
    records, before = _seed_database(seed_db, tmp_path, 40)
    fs = tmp_path / "small"
    size = seed_db.stat().st_size + 160 * 1024
    if not _mount_small_tmpfs(fs, size):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount permission)")
    try:
        db = fs / "t.db"
        shutil.copyfile(seed_db, db)
        rest = write_jsonl(tmp_path / "rest.jsonl", records)
        proc = run_tracker("ingest", str(rest), "--db", str(db), "--quiet", "--jobs", "1", timeout=300)
        print(f"\nENOSPC: exit {proc.returncode}: {proc.stderr.strip()}")
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        assert "full" in proc.stderr.lower(), f"unclear message: {proc.stderr}"
        assert before <= set(stored_texts(str(db)))
        assert check_database(str(db))["articles"] < len(records)
        # Free space again (grow the volume): the same ingest completes the set.
        subprocess.run(["mount", "-o", "remount,size=64m", str(fs)], check=True)
        again = run_tracker("ingest", str(rest), "--db", str(db), "--quiet", "--jobs", "1", timeout=300)
        assert again.returncode == 0, again.stderr
        assert set(stored_texts(str(db))) == expected_texts(records)
        check_database(str(db))
    finally:
        subprocess.run(["umount", str(fs)], check=False)


def _no_root_file_access() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("running as root without setpriv: a read-only file cannot be enforced")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def _digest(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_read_only_database_file(tmp_path: Path) -> None:
    skip_on_postgres("file permissions of the SQLite file")
    prefix = _no_root_file_access()
    db = tmp_path / "t.db"
    records, before = _seed_database(db, tmp_path, 20)
    files = _files(db)
    digest = _digest(files)
    for p in files:
        p.chmod(0o444)
    try:
        rest = write_jsonl(tmp_path / "rest.jsonl", records)
        proc = subprocess.run(
            [*prefix, *tracker_cmd("ingest", str(rest), "--db", str(db), "--quiet", "--jobs", "1")],
            capture_output=True,
            text=True,
            timeout=120,
            env=child_env(),
        )
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        print(f"\nread-only: exit {proc.returncode}: {proc.stderr.strip()}")
        assert "readonly" in proc.stderr.lower() or "read-only" in proc.stderr.lower(), proc.stderr
        # Reading still works on a read-only file.
        stats = subprocess.run(
            [*prefix, *tracker_cmd("stats", "--db", str(db), "--format", "json")],
            capture_output=True,
            text=True,
            timeout=120,
            env=child_env(),
        )
        assert stats.returncode == 0, stats.stderr
    finally:
        for p in files:
            p.chmod(0o644)
    # Byte for byte as it was (the read-only child could not write a page).
    assert _digest([db]) == {db.name: digest[db.name]}
    assert set(stored_texts(str(db))) == before
    check_database(str(db))
