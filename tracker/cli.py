"""The ``tracker`` command line: parse options → one library call → render → exit code.

Exit codes: 0 all good; 1 some inputs were skipped or a runtime error was reported
(each named on stderr); 2 usage error. Data goes to stdout, progress and warnings to
stderr. SQLAlchemy, Alembic and rapidfuzz are imported inside commands so that
``tracker --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from tracker import __version__

FORMAT_CHOICE = click.Choice(["table", "json", "csv"])


class Fail(click.ClickException):
    """A runtime error with a clear message (exit 1)."""

    exit_code = 1


def format_option(default: str = "table") -> Callable[[Any], Any]:
    return click.option(
        "--format",
        "fmt",
        type=FORMAT_CHOICE,
        default=default,
        show_default=True,
        help="Output format: table for people, json (one object per line) or csv for scripts.",
    )


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db",
        default=None,
        metavar="PATH|URL",
        help="Database file or SQLAlchemy URL (default: $TRACKER_DB, else ./tracker.db).",
    )(f)


def _db(ctx: click.Context, db: str | None) -> str | None:
    return db or (ctx.obj or {}).get("db")


def open_engine(db: str | None, *, readonly: bool = False):  # type: ignore[no-untyped-def]
    """Engine for the command, with clear errors instead of tracebacks."""
    from tracker import db as dbm

    try:
        engine = dbm.connect(db)
        if readonly:
            url = dbm.resolve_url(db)
            if url.startswith("sqlite"):
                engine.dispose()
                engine = dbm.make_engine(url, readonly=True)
        return engine
    except dbm.DatabaseError as exc:
        raise Fail(str(exc)) from None
    except ModuleNotFoundError as exc:
        raise Fail(
            f"missing database driver ({exc.name}); for PostgreSQL: pip install 'tracker[postgres]'"
        ) from None
    except Exception as exc:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            raise Fail(f"cannot open database: {exc}") from None
        raise


def session_for(engine):  # type: ignore[no-untyped-def]
    from tracker.db import session_factory

    return session_factory(engine)()


def unit_of_work(
    ctx: click.Context,
    db: str | None,
    fn: Callable[..., Any],
    *args: Any,
    write: bool = False,
    errors: tuple[type[Exception], ...] = (),
    **kwargs: Any,
) -> Any:
    """Run ``fn(session, *args, **kwargs)`` as one unit of work and return its result.

    Read-only by default (SQLite opens the file read-only); ``write=True`` commits on
    success and rolls back on error. Library exceptions in ``errors`` become a clear
    message (exit 1). The engine is disposed either way.
    """
    engine = open_engine(_db(ctx, db), readonly=not write)
    try:
        with session_for(engine) as s:
            if not write:
                return fn(s, *args, **kwargs)
            with s.begin():
                return fn(s, *args, **kwargs)
    except errors as exc:
        raise Fail(str(exc)) from None
    finally:
        engine.dispose()


def render(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    from tracker.output import render as _render

    _render(rows, fmt, columns=columns)


def parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def handle_db_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn database failures during a command into one clear line, not a traceback."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except click.ClickException:
            raise
        except Exception as exc:
            from sqlalchemy.exc import OperationalError, SQLAlchemyError

            if isinstance(exc, OperationalError):
                hint = ""
                if any(s in str(exc.orig).lower() for s in ("disk i/o error", "disk is full", "readonly")):
                    hint = " (check free disk space and that the database file and its folder are writable)"
                raise Fail(f"database error: {exc.orig}{hint}; articles already stored are intact") from None
            if isinstance(exc, SQLAlchemyError):
                raise Fail(f"database error: {exc}") from None
            raise

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracker")
@click.option(
    "--db",
    default=None,
    metavar="PATH|URL",
    help="Database file or SQLAlchemy URL (default: $TRACKER_DB, else ./tracker.db).",
)
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Track quotes and figures across news articles.

    Ingest plain-text articles, find who said what and which figures they cite,
    link repeated quotes and figures across outlets, and review conflicting figures.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


# --------------------------------------------------------------------------- ingest


@main.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--source", default=None, help="Outlet name for these inputs (JSONL 'source' fields win).")
@click.option(
    "--max-size",
    default="20MB",
    show_default=True,
    help="Skip inputs larger than this (bytes, or with KB/MB/GB).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for extraction (default: number of cores).",
)
@click.option("--quiet", "-q", is_flag=True, help="Only errors and the summary line.")
@click.pass_context
@handle_db_errors
def ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    db: str | None,
    source: str | None,
    max_size: str,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Store articles from PATHS: files, directories (*.txt, *.jsonl), or - for stdin.

    JSON Lines files hold one article per line: {"text": ..., "url", "title", "date", "source"}.
    The same text ingested twice is stored once. Each article is written in one
    transaction. Bad inputs are named on stderr and skipped (exit code 1).
    """
    from tracker.pipeline import ingest as run_ingest
    from tracker.read import read_inputs

    limit = parse_size(max_size)
    engine = open_engine(_db(ctx, db))
    jobs = jobs or os.cpu_count() or 1
    progress = Progress(enabled=sys.stderr.isatty() and not quiet)

    def on_item(location: str, outcome: str) -> None:
        if outcome.startswith("failed"):
            progress.clear()
            click.echo(f"skipped {location}: {outcome.removeprefix('failed: ')}", err=True)
        progress.tick()

    try:
        report = run_ingest(
            engine, read_inputs(paths, max_bytes=limit, source=source), jobs=jobs, on_item=on_item
        )
    except KeyboardInterrupt:
        progress.clear()
        click.echo("interrupted: articles stored so far are complete; re-run to finish", err=True)
        sys.exit(130)
    finally:
        engine.dispose()
    progress.clear()
    if not quiet:
        for w in report.warnings:
            click.echo(f"warning: {w}", err=True)
    click.echo(report.summary(), err=True)
    if report.link_error:
        click.echo(f"error: {report.link_error}", err=True)
    if report.failed or report.link_error:
        sys.exit(1)


class Progress:
    """A one-line counter on stderr for long runs at a terminal (the total is unknown when streaming)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.count = 0
        self.start = time.monotonic()
        self.last = 0.0

    def tick(self) -> None:
        self.count += 1
        now = time.monotonic()
        if self.enabled and now - self.last > 0.25:
            self.last = now
            rate = self.count / max(now - self.start, 1e-9)
            sys.stderr.write(f"\r{self.count:,} articles ({rate:,.0f}/s)")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled and self.last:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def parse_size(text: str) -> int:
    units = {"": 1, "B": 1, "KB": 1024, "K": 1024, "MB": 1024**2, "M": 1024**2, "GB": 1024**3, "G": 1024**3}
    t = text.strip().upper().replace(" ", "")
    num = t.rstrip("KMGB")
    try:
        value = float(num) * units[t[len(num) :]]
    except (ValueError, KeyError):
        raise click.BadParameter(f"{text!r} is not a size (e.g. 20MB)", param_hint="--max-size") from None
    if value <= 0:
        raise click.BadParameter("must be positive", param_hint="--max-size")
    return int(value)


# --------------------------------------------------------------------------- extract


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json"]),
    default="json",
    show_default=True,
    help="Output format (JSON Lines).",
)
@click.option("--max-size", default="20MB", show_default=True, help="Skip inputs larger than this.")
def extract(paths: tuple[str, ...], fmt: str, max_size: str) -> None:
    """Print the quotes and claims found in PATHS as JSON Lines, without a database.

    One object per article: {"file", "date", "quotes": [...], "claims": [...]}; every
    "start"/"end" indexes the file's text as read.
    """
    from tracker.pipeline import extract_record
    from tracker.read import ReadError, read_inputs

    failed = 0
    for item in read_inputs(paths, max_bytes=parse_size(max_size)):
        if isinstance(item, ReadError):
            failed += 1
            click.echo(f"skipped {item}", err=True)
            continue
        try:
            record = extract_record(item)
        except Exception as exc:  # one article's extractor failure must not lose the rest
            failed += 1
            click.echo(f"skipped {item.location}: extraction failed ({type(exc).__name__}: {exc})", err=True)
            continue
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        sys.exit(1)


# --------------------------------------------------------------------------- search


@main.command("who-said")
@click.argument("query")
@db_option
@click.option("--speaker", help="Only quotes by this speaker (name or alias, partial match).")
@click.option("--since", callback=parse_day, help="Only articles published on or after YYYY-MM-DD.")
@click.option("--until", callback=parse_day, help="Only articles published on or before YYYY-MM-DD.")
@click.option("--source", help="Only articles from this outlet (partial match).")
@click.option("--kind", type=click.Choice(["direct", "partial", "indirect"]), help="Only this kind of quote.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many rows."
)
@format_option()
@click.pass_context
@handle_db_errors
def who_said(
    ctx: click.Context,
    query: str,
    db: str | None,
    speaker: str | None,
    since: dt.date | None,
    until: dt.date | None,
    source: str | None,
    kind: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Find who said QUERY: full-text search over quotes, best match first.

    QUERY is words (all must match, stemmed: 'cooperate' finds 'cooperation'),
    "an exact phrase", or a prefix* ; other punctuation is searched as plain text.
    Table output shows a snippet with the matched words in [brackets].
    """
    from tracker import report
    from tracker.search import QueryError

    engine = open_engine(_db(ctx, db), readonly=True)
    try:
        with session_for(engine) as s:
            rows = report.who_said(
                s, query, speaker=speaker, since=since, until=until, source=source, kind=kind, limit=limit
            )
            unindexed = report.unindexed_articles(s)
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="QUERY") from None
    finally:
        engine.dispose()
    if not rows and fmt == "table":
        click.echo(f"no quotes match {query!r}", err=True)
    if unindexed:
        click.echo(
            f"note: {unindexed} stored article(s) are not linked yet and their quotes are not searched"
            " (an ingest still running, or one that stopped: 'tracker link' finishes them)",
            err=True,
        )
    render(rows, fmt, columns=["id", "speaker", "date", "source", "snippet"] if fmt == "table" else None)


@main.command()
@db_option
@format_option()
@click.pass_context
@handle_db_errors
def stats(ctx: click.Context, db: str | None, fmt: str) -> None:
    """Summarise what is stored: articles, sources, people, quotes, claims."""
    from tracker import report

    rows = unit_of_work(ctx, db, report.stats)
    render(rows, fmt)


# --------------------------------------------------------------------------- db


@main.group("db")
def db_group() -> None:
    """Database schema: show or upgrade its revision."""


@db_group.command("upgrade")
@db_option
@click.pass_context
@handle_db_errors
def db_upgrade(ctx: click.Context, db: str | None) -> None:
    """Upgrade the database schema to this tracker's head revision."""
    from tracker import db as dbm

    url = dbm.resolve_url(_db(ctx, db))
    try:
        engine = dbm.make_engine(url)
        before, after = dbm.upgrade(engine)
    except dbm.DatabaseError as exc:
        raise Fail(str(exc)) from None
    engine.dispose()
    if before == after:
        click.echo(f"{dbm.display_url(url)}: already at {after} (head)")
    else:
        click.echo(f"{dbm.display_url(url)}: upgraded {before or '(empty)'} -> {after}")


@db_group.command("current")
@db_option
@click.pass_context
@handle_db_errors
def db_current(ctx: click.Context, db: str | None) -> None:
    """Show the database's schema revision and this tracker's head revision."""
    from tracker import db as dbm

    url = dbm.resolve_url(_db(ctx, db))
    path = dbm.sqlite_path(url)
    if path is not None and not path.exists():
        raise Fail(f"no database at {path} yet: any tracker command creates it ('tracker db upgrade')")
    try:
        engine = dbm.make_engine(url)
        with engine.connect() as conn:
            current = dbm.current_revision(conn)
    except dbm.DatabaseError as exc:
        raise Fail(str(exc)) from None
    engine.dispose()
    head = dbm.head_revision()
    state = "up to date" if current == head else ("empty" if current is None else "behind or ahead of head")
    click.echo(f"{dbm.display_url(url)}: revision {current or '(none)'}; head {head} ({state})")


# Commands defined in their own modules register themselves on `main` when imported.
from tracker import cli_link, cli_search  # noqa: E402,F401,I001


if __name__ == "__main__":  # pragma: no cover
    main()
