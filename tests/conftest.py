"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL via TRACKER_TEST_DB).

Tests never create tables themselves: every database is brought to head by the
Alembic migrations, the same path a user's database takes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("TRACKER_TEST_DB")


def _fresh_pg_database(base_url: str) -> tuple[str, str]:
    """Create an empty PostgreSQL database for one test; returns (url, name)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(base_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """URL (or file path) of an empty database; tracker upgrades it on first use."""
    if PG_URL:
        url, name = _fresh_pg_database(PG_URL)
        yield url
        _drop_pg_database(PG_URL, name)
    else:
        yield str(tmp_path / "tracker.db")


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    from tracker.db import connect

    eng = connect(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):  # type: ignore[no-untyped-def]
    from tracker.db import session_factory

    with session_factory(engine)() as s:
        yield s


def pytest_report_header(config: pytest.Config) -> str:
    backend = "PostgreSQL (TRACKER_TEST_DB)" if PG_URL else "SQLite only (set TRACKER_TEST_DB for PostgreSQL)"
    return f"tracker test database: {backend}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if PG_URL:
        terminalreporter.write_line("database backend: PostgreSQL (TRACKER_TEST_DB)")
    else:
        terminalreporter.write_line(
            "database backend: SQLite only; PostgreSQL not tested (TRACKER_TEST_DB unset)"
        )
