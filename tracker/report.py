"""Named queries over the database, returning plain rows (dicts) for the CLI to render.

Every function takes a session (``run_sql`` a connection) and returns dicts with
stable keys, in a stable order, so JSON and CSV output can be scripted against:

* ``who_said``: full-text search over quotations (tracker.search), best match first;
* listings: ``quotes``, ``claims``, ``speakers``, ``articles``;
* records: ``quote_record``, ``claim_record``, ``article_record``, ``flag_record``, each
  with its context in the article (the sentence, the span marked);
* canned reports: :data:`REPORTS`, run with :func:`run_report`;
* ``run_sql``: a user's SELECT over a connection that cannot write (see its docstring);
* exports: ``export_rows`` (json/csv) and ``claim_reviews`` (schema.org ClaimReview).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from tracker.models import (
    Article,
    Claim,
    ClaimGroupMember,
    Flag,
    FlagClaim,
    FlagReview,
    LinkQueue,
    Person,
    PersonAlias,
    Quote,
    Source,
)


class ReportError(Exception):
    """A report request that cannot be answered (unknown id, unknown report); for the user."""


# Characters of article text shown either side of a span when the sentence is very long.
CONTEXT_CHARS = 300
# Marks around the quote or figure in a record's context; ASCII so they survive any terminal.
SPAN_START, SPAN_END = ">>", "<<"


# --------------------------------------------------------------------------- who said


def unindexed_articles(session: Session) -> int:
    """Articles stored but still in the link queue: on SQLite their quotes are added to
    the full-text index when they are linked (0 on PostgreSQL, whose index follows the
    table)."""
    from tracker import search

    if search.dialect_name(session) != "sqlite":
        return 0
    return int(session.scalar(select(func.count()).select_from(LinkQueue)) or 0)


def who_said(
    session: Session,
    query: str,
    *,
    speaker: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str | None = None,
    kind: str | None = None,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """Quotes matching ``query`` (words, "phrases", prefix*), best match first.

    Raises :class:`tracker.search.QueryError` for a query with nothing to search for.
    ``rank`` is higher for better matches; ``snippet`` marks matched words with [ ].
    """
    from tracker import search

    filtered = any(v is not None for v in (speaker, since, until, source, kind))

    def restrict(stmt: Any) -> Any:
        stmt = stmt.join(Article, Quote.article_id == Article.id)
        if source:
            stmt = stmt.outerjoin(Source, Article.source_id == Source.id)
        return _filters(stmt, speaker=speaker, since=since, until=until, source=source, kind=kind)

    hits = search.search(session, query, limit=limit, restrict=restrict if filtered else None)
    if not hits:
        return []
    stmt = (
        select(Quote, Person.name, Article.published, Article.location, Source.name)
        .join(Article, Quote.article_id == Article.id)
        .outerjoin(Person, Quote.person_id == Person.id)
        .outerjoin(Source, Article.source_id == Source.id)
        .where(Quote.id.in_([h.quote_id for h in hits]))
    )
    found = {q.id: (q, name, pub, loc, src) for q, name, pub, loc, src in session.execute(stmt)}
    rows = []
    for h in hits:
        if h.quote_id not in found:
            continue
        q, name, published, location, src = found[h.quote_id]
        rows.append(
            {
                "id": q.id,
                "speaker": name,
                "kind": q.kind,
                "quote": q.text,
                "date": published,
                "source": src,
                "article": location,
                "snippet": h.snippet,
                "rank": round(h.rank, 6),
            }
        )
    return rows


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(s: str) -> str:
    return f"%{_escape_like(s)}%"


def _speaker_ids(speaker: str) -> Any:
    from tracker.people import alias_key

    conds = [PersonAlias.alias.ilike(_like(speaker), escape="\\")]
    if key := alias_key(speaker):  # "yury  ushakov" or "Ushakov's" still find the alias
        conds.append(PersonAlias.alias_key.like(_like(key), escape="\\"))
    return (
        select(PersonAlias.person_id)
        .where(or_(*conds))
        .union(select(Person.id).where(Person.name.ilike(_like(speaker), escape="\\")))
    )


def _filters(stmt: Any, *, speaker=None, since=None, until=None, source=None, kind=None, model=Quote) -> Any:  # type: ignore[no-untyped-def]
    """Filters shared by who-said and the listings; ``stmt`` must join Article (and Source)."""
    if speaker:
        stmt = stmt.where(model.person_id.in_(_speaker_ids(speaker)))
    if since:
        stmt = stmt.where(Article.published >= since)
    if until:
        stmt = stmt.where(Article.published <= until)
    if source:
        stmt = stmt.where(Source.name.ilike(_like(source), escape="\\"))
    if kind and model is Quote:
        stmt = stmt.where(Quote.kind == kind)
    return stmt


# --------------------------------------------------------------------------- listings


def quotes(
    session: Session,
    *,
    speaker: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str | None = None,
    kind: str | None = None,
    article: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Quotes, newest article first, then in article order."""
    stmt = (
        select(Quote, Person.name, Article.published, Source.name)
        .join(Article, Quote.article_id == Article.id)
        .outerjoin(Person, Quote.person_id == Person.id)
        .outerjoin(Source, Article.source_id == Source.id)
    )
    stmt = _filters(stmt, speaker=speaker, since=since, until=until, source=source, kind=kind)
    if article is not None:
        stmt = stmt.where(Quote.article_id == article)
    stmt = stmt.order_by(Article.published.desc().nulls_last(), Article.id.desc(), Quote.start_char)
    return [
        {
            "id": q.id,
            "date": pub,
            "source": src,
            "speaker": name,
            "kind": q.kind,
            "quote": q.text,
            "article_id": q.article_id,
        }
        for q, name, pub, src in session.execute(stmt.limit(limit))
    ]


def claims(
    session: Session,
    *,
    metric: str | None = None,
    unit: str | None = None,
    speaker: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str | None = None,
    article: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Figures, newest article first; ``metric`` is a partial match, ``unit`` exact."""
    stmt = (
        select(Claim, Person.name, Article.published, Source.name)
        .join(Article, Claim.article_id == Article.id)
        .outerjoin(Person, Claim.person_id == Person.id)
        .outerjoin(Source, Article.source_id == Source.id)
    )
    stmt = _filters(stmt, speaker=speaker, since=since, until=until, source=source, model=Claim)
    if metric:
        stmt = stmt.where(Claim.metric.ilike(_like(metric), escape="\\"))
    if unit:
        stmt = stmt.where(Claim.unit == unit)
    if article is not None:
        stmt = stmt.where(Claim.article_id == article)
    stmt = stmt.order_by(Article.published.desc().nulls_last(), Article.id.desc(), Claim.start_char)
    return [
        {
            "id": c.id,
            "date": pub,
            "source": src,
            "speaker": name,
            "surface": c.surface,
            "value": c.value,
            "unit": c.unit,
            "metric": c.metric,
            "period": c.period,
            "hedge": c.hedge,
            "is_target": bool(c.is_target),
            "article_id": c.article_id,
        }
        for c, name, pub, src in session.execute(stmt.limit(limit))
    ]


def speakers(session: Session, *, name: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """People with how often they are quoted and cite figures, most quoted first."""
    nq = select(func.count()).where(Quote.person_id == Person.id).correlate(Person).scalar_subquery()
    nc = select(func.count()).where(Claim.person_id == Person.id).correlate(Person).scalar_subquery()
    stmt = select(Person, nq.label("quotes"), nc.label("claims"))
    if name:
        stmt = stmt.where(Person.id.in_(_speaker_ids(name)))
    stmt = stmt.order_by(nq.desc(), Person.name).limit(limit)
    rows = session.execute(stmt).all()
    aliases: dict[int, list[str]] = {}
    ids = [p.id for p, _, _ in rows]
    if ids:
        from tracker.people import KEY_KINDS

        for pid, alias in session.execute(
            select(PersonAlias.person_id, PersonAlias.alias)
            .where(PersonAlias.person_id.in_(ids), PersonAlias.kind.not_in(KEY_KINDS))
            .order_by(PersonAlias.person_id, PersonAlias.alias)
        ):
            aliases.setdefault(pid, []).append(alias)
    return [
        {
            "id": p.id,
            "name": p.name,
            "role": p.role,
            "quotes": n_quotes,
            "claims": n_claims,
            "aliases": "; ".join(a for a in aliases.get(p.id, []) if a != p.name),
        }
        for p, n_quotes, n_claims in rows
    ]


def articles(
    session: Session,
    *,
    source: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    title: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Articles, newest first, with how many quotes and figures each holds."""
    nq = select(func.count()).where(Quote.article_id == Article.id).correlate(Article).scalar_subquery()
    nc = select(func.count()).where(Claim.article_id == Article.id).correlate(Article).scalar_subquery()
    stmt = select(
        Article.id, Article.published, Source.name, Article.title, Article.location, nq, nc
    ).outerjoin(Source, Article.source_id == Source.id)
    stmt = _filters(stmt, since=since, until=until, source=source, model=Article)
    if title:
        stmt = stmt.where(Article.title.ilike(_like(title), escape="\\"))
    stmt = stmt.order_by(Article.published.desc().nulls_last(), Article.id.desc()).limit(limit)
    return [
        {
            "id": i,
            "date": pub,
            "source": src,
            "title": ttl,
            "location": loc,
            "quotes": n_q,
            "claims": n_c,
        }
        for i, pub, src, ttl, loc, n_q, n_c in session.execute(stmt)
    ]


# --------------------------------------------------------------------------- records


def context(text: str, start: int, end: int, body_start: int = 0) -> str:
    """The sentence(s) holding ``text[start:end]`` with the span marked >>like this<<."""
    from tracker.text import sentence_bounds

    lo, hi = sentence_bounds(text, start, end, body_start)
    lo, hi = max(lo, start - CONTEXT_CHARS), min(hi, end + CONTEXT_CHARS)
    pre = ("…" if lo > 0 and lo == start - CONTEXT_CHARS else "") + text[lo:start]
    post = text[end:hi] + ("…" if hi == end + CONTEXT_CHARS and hi < len(text) else "")
    return " ".join(f"{pre}{SPAN_START}{text[start:end]}{SPAN_END}{post}".split())


def _article_fields(session: Session, art: Article) -> dict[str, Any]:
    return {
        "article_id": art.id,
        "date": art.published,
        "source": art.source.name if art.source else None,
        "title": art.title,
        "location": art.location,
    }


def quote_record(session: Session, quote_id: int) -> dict[str, Any]:
    q = session.get(Quote, quote_id)
    if q is None:
        raise ReportError(f"no quote with id {quote_id}")
    return {
        "id": q.id,
        "speaker": q.person.name if q.person else None,
        "speaker_id": q.person_id,
        "role": q.role,
        "kind": q.kind,
        "quote": q.text,
        "mention": q.mention,
        "cue": q.cue,
        **_article_fields(session, q.article),
        "start": q.start_char,
        "end": q.end_char,
        "context": context(q.article.text, q.start_char, q.end_char, q.article.body_start),
    }


def claim_record(session: Session, claim_id: int) -> dict[str, Any]:
    """A figure with its normalised fields, group, flags and sentence in the article."""
    c = session.get(Claim, claim_id)
    if c is None:
        raise ReportError(f"no claim with id {claim_id}")
    group = session.scalar(select(ClaimGroupMember.group_id).where(ClaimGroupMember.claim_id == c.id))
    flags = session.scalars(
        select(FlagClaim.flag_id).where(FlagClaim.claim_id == c.id).order_by(FlagClaim.flag_id)
    )
    return {
        "id": c.id,
        "surface": c.surface,
        "value": c.value,
        "low": c.low,
        "high": c.high,
        "unit": c.unit,
        "quantity_kind": c.quantity_kind,
        "hedge": c.hedge,
        "metric": c.metric,
        "entities": c.entities,
        "period": c.period,
        "is_target": bool(c.is_target),
        "speaker": c.person.name if c.person else None,
        "quote_id": c.quote_id,
        "claim_group_id": group,
        "flags": ",".join(str(f) for f in flags) or None,
        **_article_fields(session, c.article),
        "start": c.start_char,
        "end": c.end_char,
        "context": context(c.article.text, c.start_char, c.end_char, c.article.body_start),
    }


def article_record(session: Session, article_id: int) -> dict[str, Any]:
    a = session.get(Article, article_id)
    if a is None:
        raise ReportError(f"no article with id {article_id}")
    n_q = session.scalar(select(func.count()).where(Quote.article_id == a.id))
    n_c = session.scalar(select(func.count()).where(Claim.article_id == a.id))
    return {
        "id": a.id,
        **{k: v for k, v in _article_fields(session, a).items() if k != "article_id"},
        "sha256": a.sha256,
        "encoding": a.encoding,
        "ingested_at": a.ingested_at,
        "extractor_version": a.extractor_version,
        "quotes": n_q,
        "claims": n_c,
        "text": a.text[a.body_start :].strip(),
    }


def flag_record(session: Session, flag_id: int) -> list[dict[str, Any]]:
    """A conflict flag as one row per figure it sets side by side, each with its context."""
    f = session.get(Flag, flag_id)
    if f is None:
        raise ReportError(f"no flag with id {flag_id}")
    rows = []
    stmt = (
        select(FlagClaim.in_conflict, Claim)
        .join(Claim, Claim.id == FlagClaim.claim_id)
        .where(FlagClaim.flag_id == f.id)
        .order_by(Claim.value, Claim.id)
    )
    for in_conflict, c in session.execute(stmt):
        rows.append(
            {
                "flag_id": f.id,
                "status": f.status,
                "metric": f.metric,
                "period": f.period,
                "severity": f.severity,
                "claim_id": c.id,
                "in_conflict": bool(in_conflict),
                "surface": c.surface,
                "value": c.value,
                "unit": c.unit,
                "speaker": c.person.name if c.person else None,
                **_article_fields(session, c.article),
                "context": context(c.article.text, c.start_char, c.end_char, c.article.body_start),
            }
        )
    return rows


# --------------------------------------------------------------------------- canned reports


@dataclass(frozen=True)
class Report:
    name: str
    description: str
    run: Callable[..., list[dict[str, Any]]]


def _period(by: str) -> Any:
    # published is a DATE: its ISO text's first 4 (year) or 7 (year-month) characters,
    # the same expression on SQLite (stored as text) and PostgreSQL.
    return func.substr(cast(Article.published, String), 1, 4 if by == "year" else 7)


def quotes_per_speaker(
    session: Session,
    *,
    by: str = "month",
    since=None,
    until=None,
    source=None,
    speaker=None,
    limit: int = 1000,
) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    period = _period(by).label("period")
    stmt = (
        select(Person.name, period, func.count(Quote.id).label("quotes"))
        .join(Quote, Quote.person_id == Person.id)
        .join(Article, Quote.article_id == Article.id)
        .outerjoin(Source, Article.source_id == Source.id)
        .where(Article.published.is_not(None))
    )
    stmt = _filters(stmt, speaker=speaker, since=since, until=until, source=source)
    stmt = stmt.group_by(Person.name, period).order_by(Person.name, period).limit(limit)
    return [{"speaker": n, "period": p, "quotes": c} for n, p, c in session.execute(stmt)]


def top_speakers_per_outlet(
    session: Session, *, top: int = 5, since=None, until=None, source=None, speaker=None, limit: int = 1000
) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    n = func.count(Quote.id)
    place = func.row_number().over(partition_by=Source.name, order_by=(n.desc(), Person.name))
    inner = (
        select(
            Source.name.label("outlet"), Person.name.label("speaker"), n.label("quotes"), place.label("place")
        )
        .join(Article, Article.source_id == Source.id)
        .join(Quote, Quote.article_id == Article.id)
        .join(Person, Quote.person_id == Person.id)
    )
    inner = _filters(inner, speaker=speaker, since=since, until=until, source=source)
    sub = inner.group_by(Source.name, Person.name).subquery()
    stmt = select(sub).where(sub.c.place <= top).order_by(sub.c.outlet, sub.c.place).limit(limit)
    return [
        {"outlet": r.outlet, "place": r.place, "speaker": r.speaker, "quotes": r.quotes}
        for r in session.execute(stmt)
    ]


def figures_per_metric(
    session: Session, *, metric=None, since=None, until=None, source=None, speaker=None, limit: int = 1000
) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    lo, hi = func.min(Claim.value), func.max(Claim.value)
    stmt = (
        select(
            Claim.metric,
            Claim.unit,
            Claim.period,
            Claim.is_target,
            func.count(Claim.id),
            lo,
            hi,
            func.count(func.distinct(Article.source_id)),
        )
        .join(Article, Claim.article_id == Article.id)
        .outerjoin(Source, Article.source_id == Source.id)
        .where(Claim.metric.is_not(None), Claim.value.is_not(None))
    )
    stmt = _filters(stmt, speaker=speaker, since=since, until=until, source=source, model=Claim)
    if metric:
        stmt = stmt.where(Claim.metric.ilike(_like(metric), escape="\\"))
    stmt = (
        stmt.group_by(Claim.metric, Claim.unit, Claim.period, Claim.is_target)
        .order_by(Claim.metric, Claim.unit, Claim.period.nulls_last(), Claim.is_target)
        .limit(limit)
    )
    rows = []
    for m, unit, period, target, n, vmin, vmax, outlets in session.execute(stmt):
        spread = vmax - vmin
        top = max(abs(vmin), abs(vmax))
        rows.append(
            {
                "metric": m,
                "unit": unit,
                "period": period,
                "is_target": bool(target),
                "figures": n,
                "outlets": outlets,
                "min": vmin,
                "max": vmax,
                "spread": spread,
                "relative_spread": round(spread / top, 4) if top else 0.0,
            }
        )
    return rows


def open_conflicts_per_metric(session: Session, *, metric=None, limit: int = 1000) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    stmt = select(
        Flag.metric,
        func.count(Flag.id),
        func.max(Flag.severity),
        func.min(Flag.period),
        func.max(Flag.period),
        func.min(Flag.id),
    ).where(Flag.status == "open")
    if metric:
        stmt = stmt.where(Flag.metric.ilike(_like(metric), escape="\\"))
    stmt = stmt.group_by(Flag.metric).order_by(func.count(Flag.id).desc(), Flag.metric).limit(limit)
    return [
        {
            "metric": m,
            "open_flags": n,
            "max_severity": round(sev, 4) if sev is not None else None,
            "first_period": p0,
            "last_period": p1,
            "example_flag": f0,
        }
        for m, n, sev, p0, p1, f0 in session.execute(stmt)
    ]


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report("quotes-per-speaker", "Quotes per speaker per month (or --by year).", quotes_per_speaker),
        Report(
            "top-speakers-per-outlet",
            "Most-quoted people per outlet (top 5, or --top N).",
            top_speakers_per_outlet,
        ),
        Report(
            "figures-per-metric",
            "Figures per metric, unit and period: how many, from how many outlets, min, max and spread.",
            figures_per_metric,
        ),
        Report(
            "open-conflicts-per-metric",
            "Open conflict flags per metric, with the worst severity and the periods they cover.",
            open_conflicts_per_metric,
        ),
    )
}


def report_list() -> list[dict[str, Any]]:
    return [{"name": r.name, "description": r.description} for r in REPORTS.values()]


def run_report(session: Session, name: str, **options: Any) -> list[dict[str, Any]]:
    """Run a canned report; options that a report does not take are ignored when None."""
    import inspect

    rep = REPORTS.get(name)
    if rep is None:
        raise ReportError(f"no report named {name!r}; 'tracker report --list' shows them")
    params = inspect.signature(rep.run).parameters
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    kwargs = {}
    for k, v in options.items():
        if v is None:
            continue
        if k not in params and not accepts_any:
            raise ReportError(f"report {name} does not take --{k.replace('_', '-')}")
        kwargs[k] = v
    return rep.run(session, **kwargs)


# --------------------------------------------------------------------------- read-only SQL


class SQLRefused(Exception):
    """A statement the read-only SQL runner will not run, or one the database refused."""


# Introspection pragmas a SQL user may run: they only read the schema (none can be set).
READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "table_list",
        "database_list",
        "collation_list",
        "function_list",
        "compile_options",
        "data_version",  # FTS5 reads it internally on every query
    }
)
# SQL functions that reach outside the database or the engine's own bookkeeping.
DENIED_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"})
# Seconds a user's query may run before it is stopped.
SQL_TIMEOUT_S = 30.0


def run_sql(
    conn: Any, sql: str, *, limit: int | None = None, timeout: float = SQL_TIMEOUT_S
) -> tuple[list[str], list[dict[str, Any]]]:
    """Run one read-only statement on ``conn`` (SQLAlchemy Connection); returns (columns, rows).

    Three guards, any one of which suffices for writes: on SQLite the connection is opened
    read-only (``mode=ro`` + ``query_only``, see tracker.db.make_engine) and an authorizer
    allows only reading — no ATTACH, no pragma assignment, no ``load_extension``; on
    PostgreSQL the statement runs in a READ ONLY transaction that is rolled back, sent
    with the extended protocol so a ``; COMMIT; DROP …`` tail is refused, with a
    statement timeout. Only one statement per call, on both.
    """
    sql = sql.strip().rstrip(";").strip()
    if not sql:
        raise SQLRefused("no SQL given")
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return _run_sql_sqlite(conn, sql, limit, timeout)
    if dialect == "postgresql":
        return _run_sql_pg(conn, sql, limit, timeout)
    raise SQLRefused(f"read-only SQL is not supported on {dialect}")


def _run_sql_sqlite(
    conn: Any, sql: str, limit: int | None, timeout: float
) -> tuple[list[str], list[dict[str, Any]]]:
    import sqlite3
    import time

    raw = conn.connection.driver_connection
    refused: list[str] = []

    def authorizer(
        action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
    ) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() in DENIED_FUNCTIONS:
                refused.append(f"the function {arg2}() is not allowed")
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in READ_PRAGMAS:
            return sqlite3.SQLITE_OK
        refused.append(_describe(action, arg1))
        return sqlite3.SQLITE_DENY

    deadline = time.monotonic() + timeout

    def progress() -> int:
        return 1 if time.monotonic() > deadline else 0

    # Connect the virtual tables (FTS5) before the authorizer is on: their constructor
    # declares a schema, which the authorizer would refuse as a write.
    for (name,) in raw.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
    ).fetchall():
        raw.execute(f'SELECT 1 FROM "{name.replace(chr(34), chr(34) * 2)}" LIMIT 0').fetchall()
    raw.set_authorizer(authorizer)
    raw.set_progress_handler(progress, 10_000)
    try:
        cur = raw.cursor()
        try:
            cur.execute(sql)
            if cur.description is None:
                raise SQLRefused("only statements that return rows (SELECT, WITH, EXPLAIN) can run here")
            columns = [d[0] for d in cur.description or ()]
            data = cur.fetchmany(limit) if limit is not None else cur.fetchall()
        except sqlite3.ProgrammingError as exc:
            raise SQLRefused(str(exc)) from None
        except sqlite3.Error as exc:
            if refused:
                raise SQLRefused(f"tracker sql is read-only: {refused[0]}; nothing was changed") from None
            if "interrupted" in str(exc):
                raise SQLRefused(f"query stopped after {timeout:g}s") from None
            if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
                raise SQLRefused(f"tracker sql is read-only: {exc}; nothing was changed") from None
            raise SQLRefused(f"SQL error: {exc}") from None
        finally:
            cur.close()
    finally:
        raw.set_authorizer(None)
        raw.set_progress_handler(None, 0)
    return columns, [dict(zip(columns, r, strict=True)) for r in data]


_ACTIONS = (
    "CREATE_INDEX CREATE_TABLE CREATE_TEMP_INDEX CREATE_TEMP_TABLE CREATE_TEMP_TRIGGER CREATE_TEMP_VIEW "
    "CREATE_TRIGGER CREATE_VIEW DELETE DROP_INDEX DROP_TABLE DROP_TEMP_INDEX DROP_TEMP_TABLE "
    "DROP_TEMP_TRIGGER DROP_TEMP_VIEW DROP_TRIGGER DROP_VIEW INSERT PRAGMA READ SELECT TRANSACTION "
    "UPDATE ATTACH DETACH ALTER_TABLE REINDEX ANALYZE CREATE_VTABLE DROP_VTABLE FUNCTION SAVEPOINT "
    "RECURSIVE"
).split()


def _describe(action: int, arg1: str | None) -> str:
    import sqlite3

    names = {getattr(sqlite3, f"SQLITE_{a}"): a for a in _ACTIONS if hasattr(sqlite3, f"SQLITE_{a}")}
    what = names.get(action, f"action {action}").replace("_", " ")
    if arg1 in ("sqlite_master", "sqlite_temp_master", "sqlite_schema"):
        return "changing the schema (CREATE, DROP, ALTER) is not allowed"
    if action == sqlite3.SQLITE_PRAGMA:
        return f"PRAGMA {arg1} is not allowed (only reading schema pragmas such as table_info)"
    return f"{what} is not allowed" + (f" ({arg1})" if arg1 else "")


def _run_sql_pg(
    conn: Any, sql: str, limit: int | None, timeout: float
) -> tuple[list[str], list[dict[str, Any]]]:
    import psycopg

    raw = conn.connection.driver_connection
    raw.rollback()
    raw.read_only = True
    try:
        with raw.cursor() as cur:
            cur.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
            try:
                # prepare=True sends Parse/Bind/Execute: one statement only, so "…; COMMIT;
                # DROP TABLE x" is refused instead of escaping the read-only transaction.
                cur.execute(sql, prepare=True)  # type: ignore[call-overload]
                if cur.description is None:
                    raise SQLRefused("only statements that return rows (SELECT, WITH, EXPLAIN) can run here")
                columns = [d.name for d in cur.description or ()]
                data = cur.fetchmany(limit) if limit is not None else cur.fetchall()
            except psycopg.errors.ReadOnlySqlTransaction as exc:
                raise SQLRefused(
                    f"tracker sql is read-only: {exc.diag.message_primary or exc}; nothing was changed"
                ) from None
            except psycopg.errors.QueryCanceled:
                raise SQLRefused(f"query stopped after {timeout:g}s") from None
            except psycopg.OperationalError as exc:
                if raw.closed or raw.broken:
                    raise SQLRefused(
                        f"the query ended its own database connection ({exc}); nothing was changed"
                    ) from None
                raise SQLRefused(f"SQL error: {exc.diag.message_primary or exc}") from None
            except psycopg.Error as exc:
                raise SQLRefused(f"SQL error: {exc.diag.message_primary or exc}") from None
    finally:
        if raw.closed or raw.broken:
            # The statement ended its own server connection (pg_terminate_backend): there
            # is nothing to roll back, and the error below says what happened.
            pass
        else:
            raw.rollback()
            raw.read_only = None
    return columns, [dict(zip(columns, r, strict=True)) for r in data]


# --------------------------------------------------------------------------- export


def export_rows(session: Session, what: str = "claims", *, limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of a view (quote_view, claim_view, conflict_view) in id order, for json/csv export."""
    from sqlalchemy import text

    views = {
        "quotes": ("quote_view", "quote_id"),
        "claims": ("claim_view", "claim_id"),
        "conflicts": ("conflict_view", "flag_id"),
    }
    if what not in views:
        raise ReportError(f"cannot export {what!r}; choose one of {', '.join(views)}")
    view, key = views[what]
    sql = f"SELECT * FROM {view} ORDER BY {key}" + (" LIMIT :n" if limit else "")
    result = session.execute(text(sql), {"n": limit} if limit else {})
    cols = list(result.keys())
    return [dict(zip(cols, r, strict=True)) for r in result]


# ClaimReview rating scale: 1 = contradicted by other outlets' figures (the editor
# confirmed the conflict), 3 = consistent (not in conflict, or the editor dismissed it).
RATING_CONFLICT = {"ratingValue": 1, "alternateName": "Conflicting figures reported elsewhere"}
RATING_CONSISTENT = {"ratingValue": 3, "alternateName": "Consistent with other reports"}
EDITOR_ACTIONS = ("confirm", "dismiss")


def claim_reviews(
    session: Session, *, publisher: str = "tracker", limit: int | None = None
) -> list[dict[str, Any]]:
    """schema.org ClaimReview objects for figures in flags an editor has decided.

    One ClaimReview per distinct figure (value and unit) of a decided flag: its
    appearances are every article carrying that figure; the rating says whether the
    editor judged it in conflict with the flag's other figures.
    """
    last_review = (
        select(FlagReview.flag_id, func.max(FlagReview.id).label("rid"))
        .where(FlagReview.action.in_(EDITOR_ACTIONS))
        .group_by(FlagReview.flag_id)
        .subquery()
    )
    stmt = (
        select(Flag, FlagReview)
        .join(last_review, last_review.c.flag_id == Flag.id)
        .join(FlagReview, FlagReview.id == last_review.c.rid)
        .where(Flag.status.in_(("confirmed", "dismissed")))
        .order_by(Flag.id)
    )
    out: list[dict[str, Any]] = []
    for flag, review in session.execute(stmt):
        figures: dict[tuple[Any, Any], list[tuple[bool, Claim]]] = {}
        for in_conflict, c in session.execute(
            select(FlagClaim.in_conflict, Claim)
            .join(Claim, Claim.id == FlagClaim.claim_id)
            .where(FlagClaim.flag_id == flag.id)
            .order_by(Claim.value, Claim.id)
        ):
            figures.setdefault((c.value, c.unit), []).append((bool(in_conflict), c))
        for members in figures.values():
            members.sort(key=lambda m: (m[1].article.published or dt.date.max, m[1].id))
            first = members[0][1]
            conflicting = flag.status == "confirmed" and any(ic for ic, _ in members)
            rating = RATING_CONFLICT if conflicting else RATING_CONSISTENT
            speakers = sorted({c.person.name for _, c in members if c.person})
            item: dict[str, Any] = {
                "@type": "Claim",
                "appearance": [_appearance(c) for _, c in members],
                "firstAppearance": _appearance(first),
            }
            if first.article.published:
                item["datePublished"] = first.article.published.isoformat()
            if speakers:
                item["author"] = [{"@type": "Person", "name": n} for n in speakers]
            out.append(
                {
                    "@context": "https://schema.org",
                    "@type": "ClaimReview",
                    "identifier": f"tracker:flag:{flag.id}:claim:{first.id}",
                    "claimReviewed": context(
                        first.article.text, first.start_char, first.end_char, first.article.body_start
                    )
                    .replace(SPAN_START, "")
                    .replace(SPAN_END, ""),
                    "datePublished": _iso(review.at),
                    "author": {"@type": "Organization", "name": publisher},
                    "reviewBody": review.note or flag.explanation,
                    "reviewRating": {"@type": "Rating", "bestRating": 3, "worstRating": 1, **rating},
                    "itemReviewed": item,
                    "about": {
                        "metric": flag.metric,
                        "period": flag.period,
                        "figure": first.surface,
                        "value": first.value,
                        "unit": first.unit,
                        "flag": flag.id,
                        "decision": flag.status,
                    },
                }
            )
            if limit is not None and len(out) >= limit:
                return out
    return out


def _iso(v: dt.date | dt.datetime | None) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime) and v.tzinfo is None:
        v = v.replace(tzinfo=dt.UTC)
    return v.isoformat()


def _appearance(c: Claim) -> dict[str, Any]:
    a = c.article
    work: dict[str, Any] = {"@type": "NewsArticle"}
    if a.location and "://" in a.location:
        work["url"] = a.location
    elif a.location:
        work["identifier"] = a.location
    if a.title:
        work["headline"] = a.title
    if a.published:
        work["datePublished"] = a.published.isoformat()
    if a.source:
        work["publisher"] = {"@type": "Organization", "name": a.source.name}
    return work


# --------------------------------------------------------------------------- stats


def stats(session: Session) -> list[dict[str, Any]]:
    """How much is stored: one row per table, plus the date range of articles."""
    rows = []
    for label, model in (
        ("articles", Article),
        ("sources", Source),
        ("people", Person),
        ("quotes", Quote),
        ("claims", Claim),
    ):
        rows.append({"what": label, "count": session.scalar(select(func.count()).select_from(model))})
    first, last = session.execute(select(func.min(Article.published), func.max(Article.published))).one()
    rows.append({"what": "published", "count": f"{first or '-'} .. {last or '-'}"})
    return rows


# --------------------------------------------------------------------------- Datasette

VIEW_DOCS: dict[str, tuple[str, str]] = {
    "quote_view": (
        "Quotes with speaker, article, outlet and date",
        "One row per quote: the quoted words, kind, speaker (people), role, cue, and the "
        "article's title, location, outlet and publication date.",
    ),
    "claim_view": (
        "Figures with normalised value, unit, metric, period and speaker",
        "One row per claim: the figure as written, its value in base units with the interval "
        "its hedge implies, unit, metric, entities, period, speaker, claim group, outlet and date.",
    ),
    "conflict_view": (
        "Conflicts between figures",
        "One row per conflict flag: status, metric, period, severity, and its claims (ids and "
        "'figure (outlet, date)' list). Join flag_claims to claim_view for one row per figure.",
    ),
}

CANNED_QUERIES: dict[str, dict[str, str]] = {
    "who_said": {
        "title": "Who said ...?",
        "description": 'Full-text search over quotes (words, "phrases", prefix*), best match first.',
        "sql": (
            "SELECT v.speaker, v.published, v.outlet, snippet(quotes_fts, 0, '[', ']', '…', 16) AS snippet, "
            "v.quote_id FROM quotes_fts JOIN quote_view v ON v.quote_id = quotes_fts.rowid "
            "WHERE quotes_fts MATCH :query ORDER BY rank LIMIT 50"
        ),
    },
    "quotes_by_speaker": {
        "title": "Quotes by a speaker",
        "sql": (
            "SELECT published, outlet, kind, quote, quote_id FROM quote_view "
            "WHERE speaker LIKE '%' || :speaker || '%' ORDER BY published DESC LIMIT 200"
        ),
    },
    "figures_for_metric": {
        "title": "Figures for a metric",
        "sql": (
            "SELECT metric, period, surface, value, unit, speaker, outlet, published, claim_id "
            "FROM claim_view WHERE metric LIKE '%' || :metric || '%' ORDER BY period, value"
        ),
    },
    "open_conflicts": {
        "title": "Open conflicts",
        "sql": "SELECT * FROM conflict_view WHERE status = 'open' ORDER BY severity DESC",
    },
    "most_quoted_per_outlet": {
        "title": "Most-quoted people per outlet",
        "sql": (
            "SELECT outlet, speaker, count(*) AS quotes FROM quote_view WHERE speaker IS NOT NULL "
            "GROUP BY outlet, speaker ORDER BY outlet, quotes DESC"
        ),
    },
}


def datasette_metadata(database: str = "tracker") -> dict[str, Any]:
    """Datasette metadata: table and view titles, column descriptions (from the models'
    comments), full-text search on quotes, and canned queries over the views."""
    from tracker.models import Base

    tables: dict[str, Any] = {}
    for t in Base.metadata.sorted_tables:
        entry: dict[str, Any] = {
            "description": t.comment or "",
            "columns": {c.name: c.comment for c in t.columns if c.comment},
        }
        if t.name == "quotes":
            entry["fts_table"] = "quotes_fts"
            entry["fts_pk"] = "id"
            entry["searchmode"] = "escaped"
            entry["label_column"] = "text"
        elif "name" in t.columns:
            entry["label_column"] = "name"
        elif t.name == "articles":
            entry["label_column"] = "title"
        tables[t.name] = entry
    tables["quotes_fts"] = {"hidden": True}
    for view, (title, description) in VIEW_DOCS.items():
        tables[view] = {"title": title, "description": description}
    return {
        "title": "tracker: quotes and figures in the news",
        "description": "Who said what, which figures, and where outlets disagree. See docs/sql.md.",
        "databases": {
            database: {
                "description": "A tracker database (migrations 0001-0003).",
                "tables": tables,
                "queries": CANNED_QUERIES,
            }
        },
    }
