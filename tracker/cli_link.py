"""Linking commands: ``conflicts`` (the editor's queue), ``review``, ``link``, ``quotes``, ``show``.

Registered on ``tracker.cli.main`` when ``tracker.cli`` imports this module. Thin: each
command resolves the database, makes one call into ``tracker.link`` and renders rows.
SQLAlchemy, rapidfuzz and ``tracker.link`` are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from typing import Any

import click

from tracker.cli import (
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

# Evidence columns shown for each figure of a flag (table and CSV).
CLAIM_COLUMNS = ["surface", "value", "unit", "hedge", "period", "speaker", "outlet", "date", "sentence"]
# Keys of each figure in JSON output (the documented ones first).
CLAIM_KEYS = [
    "article",
    "date",
    "surface",
    "value",
    "unit",
    "hedge",
    "speaker",
    "start",
    "end",
    "outlet",
    "period",
    "sentence",
    "in_conflict",
    "claim",
]


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v


def _flag_json(rec: dict[str, Any]) -> dict[str, Any]:
    out = {k: _plain(rec[k]) for k in ("id", "status", "metric", "period", "severity", "explanation")}
    out["claims"] = [{k: _plain(c.get(k)) for k in CLAIM_KEYS} for c in rec["claims"]]
    for k in ("created_at", "updated_at"):
        if k in rec:
            out[k] = _plain(rec[k])
    if "history" in rec:
        out["history"] = [{k: _plain(v) for k, v in h.items()} for h in rec["history"]]
    return out


def _echo_flag(rec: dict[str, Any]) -> None:
    click.echo(
        f"flag {rec['id']}  [{rec['status']}]  severity {rec['severity']:.1%}  "
        f"{rec['metric']}, {rec['period']}"
    )
    click.echo(f"  {rec['explanation']}")
    rows = [{**c, "surface": ("! " if c.get("in_conflict") else "  ") + c["surface"]} for c in rec["claims"]]
    render(rows, "table", columns=CLAIM_COLUMNS)


@main.command()
@db_option
@click.option(
    "--status",
    type=click.Choice(["open", "confirmed", "dismissed", "all"]),
    default="open",
    show_default=True,
    help="Only flags with this status.",
)
@click.option("--metric", help="Only flags whose metric contains this text (e.g. 'trade').")
@click.option(
    "--since",
    callback=parse_day,
    help="Only flags with a figure from an article published on/after YYYY-MM-DD.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many flags.")
@format_option()
@click.pass_context
@handle_db_errors
def conflicts(
    ctx: click.Context,
    db: str | None,
    status: str,
    metric: str | None,
    since: dt.date | None,
    limit: int | None,
    fmt: str,
) -> None:
    """The editor's queue: figures that cannot all be true, most severe first, with evidence.

    Each flag names the figures side by side (figures marked ! conflict with another):
    surface, normalised value, hedge, period, speaker, outlet, date and sentence.
    JSON prints one flag per line; CSV one row per figure.
    """
    from tracker import link

    recs = unit_of_work(
        ctx,
        db,
        link.conflicts,
        status=None if status == "all" else status,
        metric=metric,
        since=since,
        limit=limit,
    )
    if fmt == "json":
        for rec in recs:
            click.echo(json.dumps(_flag_json(rec), ensure_ascii=False))
        return
    if fmt == "csv":
        rows = [
            {"flag": r["id"], "status": r["status"], "metric": r["metric"], "severity": r["severity"], **c}
            for r in recs
            for c in r["claims"]
        ]
        render(rows, "csv", columns=["flag", "status", "metric", "severity", *CLAIM_KEYS])
        return
    if not recs:
        click.echo("no flags", err=True)
    for i, rec in enumerate(recs):
        if i:
            click.echo()
        _echo_flag(rec)


@main.command()
@click.argument("flag_id", type=int)
@click.option("--confirm", "action", flag_value="confirm", help="A real inconsistency.")
@click.option("--dismiss", "action", flag_value="dismiss", help="Not a conflict.")
@click.option("--reopen", "action", flag_value="reopen", help="Back to the open queue.")
@click.option("--note", default=None, help="Why (kept in the audit trail).")
@click.option("--by", default=None, help="Who decides (default: $TRACKER_USER, else the login name).")
@db_option
@click.pass_context
@handle_db_errors
def review(
    ctx: click.Context, flag_id: int, action: str | None, note: str | None, by: str | None, db: str | None
) -> None:
    """Record a decision on flag FLAG_ID: --confirm, --dismiss or --reopen.

    Every decision is appended to the audit trail with who, when and the note; nothing
    is overwritten. A later re-link keeps it unless the evidence changes.
    """
    from tracker import link

    if action is None:
        raise click.UsageError("give one of --confirm, --dismiss, --reopen")
    who = by or os.environ.get("TRACKER_USER") or _login()
    status = unit_of_work(
        ctx,
        db,
        lambda s: link.review(s, flag_id, action, note, who).status,
        write=True,
        errors=(link.LinkError,),
    )
    click.echo(f"flag {flag_id}: {status} (by {who})")


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "editor"


@main.command("link")
@click.option(
    "--rebuild", is_flag=True, help="Recompute every group and flag from scratch (keeps decisions)."
)
@db_option
@click.pass_context
@handle_db_errors
def link_cmd(ctx: click.Context, rebuild: bool, db: str | None) -> None:
    """Link repeated quotes and figures and flag conflicts.

    Ingest links new articles in batches as it goes; this links any article still queued
    (an ingest stopped before linking, articles stored before linking existed), or with
    --rebuild recomputes everything. Editors' decisions survive unless a flag's evidence
    changed.
    """
    from tracker import link

    if rebuild:
        res = unit_of_work(ctx, db, link.rebuild, write=True)
    else:
        from tracker.db import session_factory
        from tracker.pipeline import link_pending

        engine = open_engine(_db(ctx, db))
        try:
            res, n = link_pending(session_factory(engine))
        finally:
            engine.dispose()
        click.echo(f"linked {n} queued articles", err=True)
    click.echo(res.summary(), err=True)


@main.command()
@db_option
@click.option("--speaker", help="Only quotations by this speaker (name or alias, partial match).")
@click.option("--since", callback=parse_day, help="Only quotations appearing on or after YYYY-MM-DD.")
@click.option("--source", help="Only quotations appearing in this outlet (partial match).")
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many rows."
)
@format_option()
@click.pass_context
@handle_db_errors
def quotes(
    ctx: click.Context,
    db: str | None,
    speaker: str | None,
    since: dt.date | None,
    source: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Each distinct quotation once, with its number of appearances and first appearance.

    Repeats across outlets (verbatim, trimmed, re-punctuated, translated differently, or
    a fragment) count as one quotation. The id is a quote id for 'tracker show quote'.
    """
    from tracker import link

    rows = unit_of_work(
        ctx, db, link.distinct_quotes, speaker=speaker, since=since, source=source, limit=limit
    )
    if not rows and fmt == "table":
        click.echo("no quotations match", err=True)
    render(rows, fmt)


@main.group()
def show() -> None:
    """Show one stored item in full: a quote with all its appearances, a flag with its history."""


@show.command("quote")
@click.argument("quote_id", type=int)
@db_option
@format_option()
@click.pass_context
@handle_db_errors
def show_quote(ctx: click.Context, quote_id: int, db: str | None, fmt: str) -> None:
    """Every appearance of the quotation QUOTE_ID belongs to, with its sentence in context."""
    from tracker import link

    rec = unit_of_work(ctx, db, link.show_quote, quote_id, errors=(link.LinkError,))
    if fmt == "table":
        n = len(rec["appearances"])
        click.echo(f"{rec['speaker'] or 'unknown speaker'}: “{rec['quote']}”")
        click.echo(f"{n} appearance{'s' if n != 1 else ''}")
        for a in rec["appearances"]:
            click.echo(
                f"\n[{_plain(a['date']) or 'undated'}] {a['outlet'] or '-'}  {a['article']}  "
                f"quote {a['quote']} ({a['relation']}"
                + (f", score {a['score']}" if a["score"] is not None else "")
                + f") chars {a['start']}-{a['end']}"
            )
            click.echo(f"  {a['context']}")
        return
    render(rec["appearances"], fmt)


@show.command("flag")
@click.argument("flag_id", type=int)
@db_option
@format_option()
@click.pass_context
@handle_db_errors
def show_flag(ctx: click.Context, flag_id: int, db: str | None, fmt: str) -> None:
    """A flag with every figure side by side and its full review history."""
    from tracker import link

    rec = unit_of_work(ctx, db, link.show_flag, flag_id, errors=(link.LinkError,))
    if fmt == "json":
        click.echo(json.dumps(_flag_json(rec), ensure_ascii=False))
        return
    if fmt == "csv":
        render(rec["claims"], "csv", columns=CLAIM_KEYS)
        return
    _echo_flag(rec)
    click.echo(f"\nflagged {_plain(rec['created_at'])}, last changed {_plain(rec['updated_at'])}")
    if rec["history"]:
        click.echo("history:")
        render(rec["history"], "table", columns=["at", "action", "from", "to", "by", "note"])
    else:
        click.echo("history: no decisions yet")
