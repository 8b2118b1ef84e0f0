"""Search and reporting commands: claims, speakers, articles, show claim/article, report, sql,
export, datasette-metadata.

Registered on ``tracker.cli.main`` by importing this module (last line of cli.py). Each
command resolves the database, makes one call into ``tracker.report``, renders the rows.
SQLAlchemy and the models are imported inside the commands so ``tracker --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from tracker.cli import (
    Fail,
    _db,
    db_option,
    format_option,
    handle_db_errors,
    main,
    open_engine,
    parse_day,
    render,
    unit_of_work,
)

try:
    from tracker.cli_link import show  # the linking engineer's group: show quote, show flag
except ModuleNotFoundError as exc:  # pragma: no cover - only until cli_link lands
    if exc.name != "tracker.cli_link":
        raise

    @main.group()
    def show() -> None:
        """Print one record with its context in the article (the span marked >>like this<<)."""


def limit_option(default: int = 50) -> Any:
    return click.option(
        "--limit",
        type=click.IntRange(min=1),
        default=default,
        show_default=True,
        help="At most this many rows.",
    )


def since_until(f: Any) -> Any:
    f = click.option("--until", callback=parse_day, help="Only articles published on or before YYYY-MM-DD.")(
        f
    )
    return click.option(
        "--since", callback=parse_day, help="Only articles published on or after YYYY-MM-DD."
    )(f)


def _read(ctx: click.Context, db: str | None, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn(session, ...)`` read-only; ReportError becomes a clear message."""
    from tracker.report import ReportError

    return unit_of_work(ctx, db, fn, *args, errors=(ReportError,), **kwargs)


# --------------------------------------------------------------------------- listings


@main.command()
@db_option
@click.option("--metric", help="Only figures whose metric contains this (e.g. 'trade').")
@click.option("--unit", help="Only figures in this canonical unit (USD, m3, %, ...).")
@click.option("--speaker", help="Only figures stated by this speaker (name or alias, partial match).")
@since_until
@click.option("--source", help="Only articles from this outlet (partial match).")
@click.option("--article", type=int, help="Only figures in this article (articles.id).")
@limit_option()
@format_option()
@click.pass_context
@handle_db_errors
def claims(ctx: click.Context, db: str | None, fmt: str, **filters: Any) -> None:
    """List figures (claims), newest article first, with value, unit, metric and period."""
    from tracker import report

    cols = ["id", "date", "source", "speaker", "surface", "metric", "period"] if fmt == "table" else None
    render(_read(ctx, db, report.claims, **filters), fmt, columns=cols)


@main.group(invoke_without_command=True)
@db_option
@click.option("--name", help="Only speakers whose name or an alias contains this.")
@limit_option()
@format_option()
@click.pass_context
@handle_db_errors
def speakers(ctx: click.Context, db: str | None, name: str | None, limit: int, fmt: str) -> None:
    """List speakers with quote and figure counts, roles and aliases (most quoted first).

    Subcommands fix the people list: 'merge' two speakers, 'rename' one.
    """
    ctx.obj = {**(ctx.obj or {}), "db": _db(ctx, db)}
    if ctx.invoked_subcommand is not None:
        return
    from tracker import report

    render(_read(ctx, db, report.speakers, name=name, limit=limit), fmt)


def _edit_people(ctx: click.Context, db: str | None, fn_name: str, a: str, b: str) -> Any:
    from tracker import people

    def change(s: Any) -> tuple[int, str]:
        person = getattr(people, fn_name)(s, a, b)
        return person.id, person.name

    return unit_of_work(ctx, db, change, write=True, errors=(people.PeopleError,))


@speakers.command("merge")
@click.argument("keep")
@click.argument("drop")
@db_option
@click.pass_context
@handle_db_errors
def speakers_merge(ctx: click.Context, keep: str, drop: str, db: str | None) -> None:
    """Fold speaker DROP into KEEP: quotes, figures and aliases move to KEEP.

    Later ingests that meet DROP's name attribute to KEEP.
    """
    pid, name = _edit_people(ctx, db, "merge", keep, drop)
    click.echo(f"merged {drop!r} into {name} (id {pid})", err=True)


@speakers.command("rename")
@click.argument("old")
@click.argument("new")
@db_option
@click.pass_context
@handle_db_errors
def speakers_rename(ctx: click.Context, old: str, new: str, db: str | None) -> None:
    """Give speaker OLD the canonical name NEW; OLD stays as an alias."""
    pid, name = _edit_people(ctx, db, "rename", old, new)
    click.echo(f"renamed {old!r} to {name} (id {pid})", err=True)


@main.command()
@db_option
@click.option("--source", help="Only articles from this outlet (partial match).")
@since_until
@click.option("--title", help="Only articles whose title contains this.")
@limit_option()
@format_option()
@click.pass_context
@handle_db_errors
def articles(ctx: click.Context, db: str | None, fmt: str, **filters: Any) -> None:
    """List articles, newest first, with outlet, title and how many quotes and figures each holds."""
    from tracker import report

    render(_read(ctx, db, report.articles, **filters), fmt)


# --------------------------------------------------------------------------- show


def show_record(record: dict[str, Any], fmt: str, long_field: str | None = None) -> None:
    """One record: aligned 'field: value' lines for people, one object/row for scripts."""
    if fmt != "table":
        render([record], fmt)
        return
    from tracker.output import _cell

    width = max(len(k) for k in record)
    for k, v in record.items():
        if k != long_field:
            click.echo(f"{k.rjust(width)}: {_cell(v)}")
    if long_field and record.get(long_field):
        click.echo("")
        click.echo(record[long_field])


@show.command("claim")
@click.argument("claim_id", type=int)
@db_option
@format_option()
@click.pass_context
@handle_db_errors
def show_claim(ctx: click.Context, claim_id: int, db: str | None, fmt: str) -> None:
    """Print figure CLAIM_ID: value, unit, metric, period, speaker, and its sentence in the article."""
    from tracker import report

    show_record(_read(ctx, db, report.claim_record, claim_id), fmt)


@show.command("article")
@click.argument("article_id", type=int)
@db_option
@format_option()
@click.pass_context
@handle_db_errors
def show_article(ctx: click.Context, article_id: int, db: str | None, fmt: str) -> None:
    """Print article ARTICLE_ID: outlet, date, title, counts, and its text."""
    from tracker import report

    show_record(_read(ctx, db, report.article_record, article_id), fmt, long_field="text")


# --------------------------------------------------------------------------- report


@main.command("report")
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the reports and what they show.")
@db_option
@click.option("--by", type=click.Choice(["month", "year"]), help="Time bucket (quotes-per-speaker).")
@click.option("--top", type=click.IntRange(min=1), help="People per outlet (top-speakers-per-outlet).")
@click.option("--metric", help="Only metrics containing this (figure and conflict reports).")
@click.option("--speaker", help="Only this speaker (name or alias, partial match).")
@since_until
@click.option("--source", help="Only articles from this outlet (partial match).")
@limit_option(1000)
@format_option()
@click.pass_context
@handle_db_errors
def report_cmd(
    ctx: click.Context, name: str | None, list_: bool, db: str | None, fmt: str, **options: Any
) -> None:
    """Run the canned report NAME; 'tracker report --list' names them.

    \b
    quotes-per-speaker         quotes per speaker per month (--by year)
    top-speakers-per-outlet    most-quoted people per outlet (--top N)
    figures-per-metric         figures per metric/unit/period with min, max, spread
    open-conflicts-per-metric  open conflict flags per metric
    """
    from tracker import report

    if list_ or not name:
        if not list_:
            raise click.UsageError("give a report NAME, or --list to see them")
        render(report.report_list(), fmt)
        return
    if name not in report.REPORTS:
        raise click.BadParameter(
            f"no report named {name!r}; choose from: {', '.join(report.REPORTS)}", param_hint="NAME"
        )
    try:
        rows = _read(ctx, db, report.run_report, name, **options)
    except Fail as exc:
        if "does not take" in exc.message:
            raise click.UsageError(exc.message) from None
        raise
    render(rows, fmt)


# --------------------------------------------------------------------------- sql


@main.command("sql")
@click.argument("query")
@db_option
@limit_option(1000)
@format_option()
@click.pass_context
@handle_db_errors
def sql_cmd(ctx: click.Context, query: str, db: str | None, limit: int, fmt: str) -> None:
    """Run one read-only SQL statement (SELECT, WITH, EXPLAIN) and print the rows.

    The connection cannot write: INSERT, UPDATE, DELETE, DROP, ATTACH, pragma changes
    and extensions are refused with a message and change nothing. Views quote_view,
    claim_view and conflict_view are the easiest place to start (see docs/sql.md).
    """
    from tracker.report import SQLRefused, run_sql

    engine = open_engine(_db(ctx, db), readonly=True)
    try:
        with engine.connect() as conn:
            columns, rows = run_sql(conn, query, limit=limit + 1)
    except SQLRefused as exc:
        raise Fail(str(exc)) from None
    finally:
        engine.dispose()
    if len(rows) > limit:
        rows = rows[:limit]
        click.echo(f"showing the first {limit} rows (--limit to change)", err=True)
    render(rows, fmt, columns=columns)


# --------------------------------------------------------------------------- export


@main.command("export")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "claimreview"]),
    default="json",
    show_default=True,
    help="json (one object per line), csv, or claimreview (schema.org JSON-LD array).",
)
@click.option(
    "--what",
    type=click.Choice(["claims", "quotes", "conflicts"]),
    default="claims",
    show_default=True,
    help="Rows to export as json/csv (one per row of claim_view, quote_view, conflict_view).",
)
@click.option("--publisher", default="tracker", show_default=True, help="ClaimReview author (your newsroom).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many rows.")
@click.pass_context
@handle_db_errors
def export_cmd(
    ctx: click.Context, db: str | None, fmt: str, what: str, publisher: str, limit: int | None
) -> None:
    """Export claims, quotes or conflicts for other tools.

    --format claimreview writes schema.org ClaimReview JSON-LD for the figures in
    conflict flags an editor has confirmed or dismissed ('tracker review').
    """
    from tracker import report

    if fmt == "claimreview":
        reviews = _read(ctx, db, report.claim_reviews, publisher=publisher, limit=limit)
        click.echo(json.dumps(reviews, ensure_ascii=False, indent=2))
        if not reviews:
            click.echo("no reviewed claims yet: decide flags with 'tracker review' first", err=True)
        return
    render(_read(ctx, db, report.export_rows, what, limit=limit), fmt)


# --------------------------------------------------------------------------- datasette


@main.command("datasette-metadata")
@click.option("--database", default="tracker", show_default=True, help="Database name as Datasette shows it.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
def datasette_metadata_cmd(database: str, output: str | None) -> None:
    """Print Datasette metadata (titles, column descriptions, canned queries) as JSON.

    \b
    tracker datasette-metadata -o metadata.json
    datasette tracker.db -m metadata.json
    """
    from tracker.report import datasette_metadata

    text = json.dumps(datasette_metadata(database), ensure_ascii=False, indent=2) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text)
