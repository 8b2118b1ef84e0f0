"""Named queries over the database, returning plain rows (dicts) for the CLI to render.

Every function takes a session and returns a list of dicts with stable keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.models import Article, Claim, Person, PersonAlias, Quote, Source


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
    """Quotes containing every word of ``query`` (case-insensitive), newest first."""
    stmt = (
        select(Quote, Person.name, Article.published, Article.location, Source.name)
        .join(Article, Quote.article_id == Article.id)
        .outerjoin(Person, Quote.person_id == Person.id)
        .outerjoin(Source, Article.source_id == Source.id)
    )
    for word in query.split():
        stmt = stmt.where(Quote.text.ilike(f"%{_escape_like(word)}%", escape="\\"))
    stmt = _filters(stmt, speaker=speaker, since=since, until=until, source=source, kind=kind)
    stmt = stmt.order_by(Article.published.desc().nulls_last(), Quote.id).limit(limit)
    return [
        {
            "id": q.id,
            "speaker": name,
            "kind": q.kind,
            "quote": q.text,
            "date": published,
            "source": src,
            "article": location,
        }
        for q, name, published, location, src in session.execute(stmt)
    ]


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(stmt: Any, *, speaker=None, since=None, until=None, source=None, kind=None) -> Any:  # type: ignore[no-untyped-def]
    if speaker:
        ids = select(PersonAlias.person_id).where(
            or_(PersonAlias.alias.ilike(f"%{_escape_like(speaker)}%", escape="\\"))
        )
        stmt = stmt.where(Quote.person_id.in_(ids))
    if since:
        stmt = stmt.where(Article.published >= since)
    if until:
        stmt = stmt.where(Article.published <= until)
    if source:
        stmt = stmt.where(Source.name.ilike(f"%{_escape_like(source)}%", escape="\\"))
    if kind:
        stmt = stmt.where(Quote.kind == kind)
    return stmt


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
