"""SQLAlchemy 2.0 typed models: the source of truth for the schema.

Tables are named plainly for SQL users and every column carries a comment, which
Alembic copies into the database (PostgreSQL shows them with ``\\d+``; README lists
them for SQLite users). Nothing here creates tables: migrations do.

Offsets: ``start_char``/``end_char`` on quotes and claims index into
``articles.text`` exactly as stored, so ``substr(text, start_char + 1, end_char -
start_char)`` in SQL, or ``text[start_char:end_char]`` in Python, is the surface.
(``end`` is a reserved word in SQL, hence the ``_char`` suffix.)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so migrations can drop and alter them on every dialect.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = {"comment": "Outlets that published articles (a news agency, a site, a feed)."}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(
        String(200), unique=True, comment="Outlet name as given at ingest (or derived from the path/URL)."
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When tracker first saw this outlet (UTC)."
    )

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = {"comment": "One row per distinct article text; re-ingesting the same text is a no-op."}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(
        String(64), unique=True, comment="SHA-256 (hex) of text; the identity of an article."
    )
    text: Mapped[str] = mapped_column(
        Text, comment="Full text as read (decoded, BOM removed, newlines as \\n); offsets index into it."
    )
    body_start: Mapped[int] = mapped_column(
        Integer, default=0, comment="Offset where the body starts (after a ' date YYYY-MM-DD' line)."
    )
    location: Mapped[str | None] = mapped_column(
        Text, comment="Path or URL the article was ingested from (first seen)."
    )
    title: Mapped[str | None] = mapped_column(Text, comment="Title, when the input gave one.")
    published: Mapped[dt.date | None] = mapped_column(
        Date, index=True, comment="Publication date from the date line or the input's 'date' field."
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id"), index=True, comment="Outlet (sources.id)."
    )
    encoding: Mapped[str] = mapped_column(
        String(40), default="utf-8", comment="Encoding the bytes were decoded from (utf-8, cp1251, ...)."
    )
    ingested_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When the article was stored (UTC)."
    )
    extractor_version: Mapped[str] = mapped_column(
        String(20), comment="Version of the extraction rules that produced its quotes and claims."
    )

    source: Mapped[Source | None] = relationship(back_populates="articles")
    quotes: Mapped[list[Quote]] = relationship(back_populates="article", cascade="all, delete-orphan")
    claims: Mapped[list[Claim]] = relationship(back_populates="article", cascade="all, delete-orphan")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = {"comment": "Canonical speakers (people and organisations), merged across articles."}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(
        String(200), unique=True, comment="Canonical name, e.g. 'Yury Ushakov'."
    )
    role: Mapped[str | None] = mapped_column(
        Text, comment="Most recent role or title seen, e.g. 'Kremlin aide'."
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When the person was first stored (UTC)."
    )

    aliases: Mapped[list[PersonAlias]] = relationship(back_populates="person", cascade="all, delete-orphan")


class PersonAlias(Base):
    __tablename__ = "person_aliases"
    __table_args__ = (
        UniqueConstraint("person_id", "alias_key", name="uq_person_aliases_person_alias"),
        Index("ix_person_aliases_alias_key", "alias_key"),
        {"comment": "Names seen for a person. A surname shared by several people maps to each of them."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True, comment="The person (people.id)."
    )
    alias: Mapped[str] = mapped_column(String(300), comment="The name as written, e.g. 'Putin'.")
    alias_key: Mapped[str] = mapped_column(
        String(300), comment="Normalised alias used for lookup (lowercase, single spaces)."
    )
    kind: Mapped[str] = mapped_column(
        String(20), default="name", comment="name | role | editor (set by 'tracker speakers merge/rename')."
    )

    person: Mapped[Person] = relationship(back_populates="aliases")


class Quote(Base):
    __tablename__ = "quotes"
    __table_args__ = (
        Index("ix_quotes_article_span", "article_id", "start_char"),
        {"comment": "Attributed quotations: direct, partial and reported speech."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), comment="Article (articles.id)."
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"),
        index=True,
        comment="Speaker (people.id); NULL = unknown.",
    )
    kind: Mapped[str] = mapped_column(String(10), comment="direct | partial | indirect.")
    text: Mapped[str] = mapped_column(Text, comment="The quoted words, without quote marks.")
    start_char: Mapped[int] = mapped_column(
        Integer, comment="Offset of the first character in articles.text."
    )
    end_char: Mapped[int] = mapped_column(Integer, comment="Offset just past the last character.")
    mention: Mapped[str | None] = mapped_column(
        Text, comment="Speaker mention as written ('he', 'the Kremlin assistant')."
    )
    mention_start: Mapped[int | None] = mapped_column(Integer, comment="Offset of the speaker mention.")
    mention_end: Mapped[int | None] = mapped_column(Integer, comment="End offset of the speaker mention.")
    cue: Mapped[str | None] = mapped_column(String(80), comment="Reporting verb ('said', 'according to').")
    cue_start: Mapped[int | None] = mapped_column(Integer, comment="Offset of the cue.")
    cue_end: Mapped[int | None] = mapped_column(Integer, comment="End offset of the cue.")
    role: Mapped[str | None] = mapped_column(Text, comment="Role/title of the speaker seen in this article.")

    article: Mapped[Article] = relationship(back_populates="quotes")
    person: Mapped[Person | None] = relationship()


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_article_span", "article_id", "start_char"),
        {"comment": "Figures: a value with unit, scale, hedge, metric and period."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), comment="Article (articles.id)."
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"),
        index=True,
        comment="Who states it (people.id); NULL = the article/outlet itself.",
    )
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("quotes.id", ondelete="SET NULL"), comment="Quote the figure appears in, if any."
    )
    surface: Mapped[str] = mapped_column(Text, comment="The figure as written, hedge included.")
    start_char: Mapped[int] = mapped_column(
        Integer, comment="Offset of the first character in articles.text."
    )
    end_char: Mapped[int] = mapped_column(Integer, comment="Offset just past the last character.")
    value: Mapped[float | None] = mapped_column(Float, comment="Value in base units, scale applied.")
    low: Mapped[float | None] = mapped_column(Float, comment="Lower bound implied by value and hedge.")
    high: Mapped[float | None] = mapped_column(Float, comment="Upper bound implied by value and hedge.")
    unit: Mapped[str | None] = mapped_column(
        String(20), index=True, comment="Canonical unit: USD, EUR, RUB, CNY, m3, t, bbl, %, h, ..."
    )
    quantity_kind: Mapped[str | None] = mapped_column(
        String(20), comment="money | volume | mass | percent | duration | count | ..."
    )
    hedge: Mapped[str | None] = mapped_column(
        String(30), comment="Canonical hedge: nearly, about, up to, ..."
    )
    metric: Mapped[str | None] = mapped_column(
        Text, index=True, comment="Normalised metric phrase, e.g. 'bilateral trade'."
    )
    entities: Mapped[str | None] = mapped_column(
        Text, comment="Entities involved, sorted and joined with '; ' (e.g. 'China; Russia')."
    )
    period: Mapped[str | None] = mapped_column(
        String(40), comment="Period label: '2022', '2023-01..2023-11'."
    )
    period_start: Mapped[dt.date | None] = mapped_column(Date, comment="First day of the period.")
    period_end: Mapped[dt.date | None] = mapped_column(Date, comment="Last day of the period.")
    is_target: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="True for targets and forecasts, which are not actuals."
    )

    article: Mapped[Article] = relationship(back_populates="claims")
    person: Mapped[Person | None] = relationship()
