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
    BigInteger,
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
        String(20),
        default="name",
        comment=(
            "name | editor (set by 'tracker speakers merge/rename') | spelling (alias_key is the"
            " name's spelling key, '~' first: transliteration variants of a full name share it)"
            " | surname (alias_key is '^' and the surname of a full name)."
        ),
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
    value_start: Mapped[int | None] = mapped_column(Integer, comment="Offset of the number as written.")
    value_end: Mapped[int | None] = mapped_column(Integer, comment="End offset of the number.")
    unit_start: Mapped[int | None] = mapped_column(Integer, comment="Offset of the unit as written.")
    unit_end: Mapped[int | None] = mapped_column(Integer, comment="End offset of the unit.")
    hedge_start: Mapped[int | None] = mapped_column(Integer, comment="Offset of the hedge ('nearly').")
    hedge_end: Mapped[int | None] = mapped_column(Integer, comment="End offset of the hedge.")
    metric_start: Mapped[int | None] = mapped_column(
        Integer, comment="Offset of the phrase the metric was normalised from."
    )
    metric_end: Mapped[int | None] = mapped_column(Integer, comment="End offset of the metric phrase.")
    scale: Mapped[float | None] = mapped_column(Float, comment="Scale word multiplier (1e9).")
    surface_unit: Mapped[str | None] = mapped_column(
        String(60), comment="Unit as written ('cubic meters', 'tonnes'), before normalisation."
    )

    article: Mapped[Article] = relationship(back_populates="claims")
    person: Mapped[Person | None] = relationship()


# --------------------------------------------------------------------------- linking (tracker/link.py)


class LinkKey(Base):
    __tablename__ = "link_keys"
    __table_args__ = (
        Index("ix_link_keys_item", "kind", "item_id"),
        {
            "comment": "Blocking keys for incremental linking: hashed rare-word shingles of quotes. "
            "Linking compares only items that share a key, never all pairs."
        },
    )

    kind: Mapped[str] = mapped_column(
        String(1), primary_key=True, comment="q = quote (quotes.id in item_id)."
    )
    key: Mapped[int] = mapped_column(
        BigInteger,
        primary_key=True,
        autoincrement=False,
        comment="63-bit hash of a winnowed content-word bigram (see tracker/link.py).",
    )
    item_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, comment="The keyed item (quotes.id for kind q)."
    )


class LinkStockKey(Base):
    __tablename__ = "link_stock_keys"
    __table_args__ = {
        "comment": "Blocking keys held by more than tracker.link.MAX_POSTING items: stock phrases, "
        "ignored by linking, so their long posting lists are never read."
    }

    kind: Mapped[str] = mapped_column(String(1), primary_key=True, comment="q = quote keys.")
    key: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, comment="The key (link_keys.key)."
    )


class LinkQueue(Base):
    __tablename__ = "link_queue"
    __table_args__ = {
        "comment": "Articles stored but not linked yet. Ingest writes each article with its queue row "
        "in one transaction and links the queue in batches; `tracker link` drains what a stopped "
        "run left."
    }

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
        comment="Article waiting to be linked (articles.id).",
    )


class QuoteGroup(Base):
    __tablename__ = "quote_groups"
    __table_args__ = {"comment": "One distinct quotation, repeated across articles and outlets."}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("quotes.id", ondelete="SET NULL"),
        comment="Representative appearance (quotes.id): the longest, earliest wording.",
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"),
        index=True,
        comment="Speaker (people.id) most appearances name; NULL = unknown.",
    )
    size: Mapped[int] = mapped_column(Integer, default=1, comment="Number of appearances (members).")
    first_published: Mapped[dt.date | None] = mapped_column(
        Date, comment="Publication date of the earliest appearance."
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When linking last changed the group (UTC)."
    )

    members: Mapped[list[QuoteGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )


class QuoteGroupMember(Base):
    __tablename__ = "quote_group_members"
    __table_args__ = {"comment": "Appearances of a distinct quotation: each quote belongs to one group."}

    quote_id: Mapped[int] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), primary_key=True, comment="The appearance (quotes.id)."
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("quote_groups.id", ondelete="CASCADE"), index=True, comment="The group (quote_groups.id)."
    )
    matched_quote_id: Mapped[int | None] = mapped_column(
        Integer, comment="The earlier appearance it was linked through (quotes.id); NULL for the first."
    )
    score: Mapped[float | None] = mapped_column(
        Float, comment="rapidfuzz score (0-100) of the link to matched_quote_id."
    )
    relation: Mapped[str] = mapped_column(
        String(10), default="first", comment="first | verbatim | variant | fragment (how it matched)."
    )
    norm: Mapped[str | None] = mapped_column(
        Text,
        comment="The quote's words as linking compares them (tracker.link.normalise_quote); "
        "NULL = not stored yet, recomputed from quotes.text.",
    )
    n_keys: Mapped[int | None] = mapped_column(
        Integer, comment="Number of the quote's blocking keys in link_keys (for the shared-key rule)."
    )

    group: Mapped[QuoteGroup] = relationship(back_populates="members")


class QuoteGroupSpeaker(Base):
    __tablename__ = "quote_group_speakers"
    __table_args__ = {
        "comment": "How many appearances of a quotation name each speaker: quote_groups.person_id is "
        "the one with most (ties: the earliest), kept without reading every member again."
    }

    group_id: Mapped[int] = mapped_column(
        ForeignKey("quote_groups.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
        comment="The group (quote_groups.id).",
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
        index=True,
        comment="A speaker its appearances name (people.id).",
    )
    quotes: Mapped[int] = mapped_column(Integer, comment="Appearances in the group naming this speaker.")
    first_quote_id: Mapped[int] = mapped_column(
        Integer, comment="The earliest of those appearances (quotes.id): breaks ties between speakers."
    )


class ClaimGroup(Base):
    __tablename__ = "claim_groups"
    __table_args__ = (
        Index("ix_claim_groups_block", "block"),
        {
            "comment": "Figures about the same metric, entities and period "
            "(and target vs actual) across articles."
        },
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    block: Mapped[int] = mapped_column(
        BigInteger, comment="63-bit hash of (unit, entities, period, is_target): the blocking key."
    )
    metric: Mapped[str] = mapped_column(Text, comment="Metric of the first claim; others match it fuzzily.")
    unit: Mapped[str | None] = mapped_column(String(20), comment="Canonical unit shared by the claims.")
    entities: Mapped[str | None] = mapped_column(Text, comment="Normalised entities ('china; russia').")
    period: Mapped[str | None] = mapped_column(String(40), comment="Period label shared by the claims.")
    period_start: Mapped[dt.date | None] = mapped_column(Date, comment="First day of the period.")
    period_end: Mapped[dt.date | None] = mapped_column(Date, comment="Last day of the period.")
    is_target: Mapped[bool] = mapped_column(Boolean, default=False, comment="Targets/forecasts vs actuals.")
    size: Mapped[int] = mapped_column(Integer, default=1, comment="Number of claims in the group.")
    verdict: Mapped[str] = mapped_column(
        String(12), default="single", comment="single | consistent | conflict (from the claims' intervals)."
    )
    # The judgement kept up to date as claims join, so linking a new claim reads the few
    # members it could conflict with, not the whole group (tracker.link._judge_added).
    conflicting: Mapped[int | None] = mapped_column(
        Integer,
        comment="Claims in conflict with another of the group; NULL = judged from all its claims"
        " (a negative figure, or a figure outside its own interval, or linked before this column).",
    )
    severity: Mapped[float | None] = mapped_column(
        Float, comment="Relative gap of the most distant conflicting pair (NULL: no conflict)."
    )
    worst_a: Mapped[int | None] = mapped_column(
        Integer, comment="Claim id of the most distant conflicting pair's first claim (claims.id)."
    )
    worst_b: Mapped[int | None] = mapped_column(
        Integer, comment="Claim id of the most distant conflicting pair's second claim (claims.id)."
    )
    evidence: Mapped[str | None] = mapped_column(
        String(64), comment="Evidence hash over the group's claims (tracker.link.evidence_hash)."
    )


class ClaimGroupMember(Base):
    __tablename__ = "claim_group_members"
    __table_args__ = (
        # A group's lowest figures, the first of equal ones by id (tracker.link._ends); the
        # highest have an index of their own, after this class.
        Index("ix_claim_group_members_group_value", "group_id", "value", "claim_id"),
        # The members a new figure puts in conflict (tracker.link._judge_added): those not in
        # conflict whose interval ends below the figure's, or starts above it.
        Index("ix_claim_group_members_calm_hi", "group_id", "in_conflict", "hi"),
        Index("ix_claim_group_members_calm_lo", "group_id", "in_conflict", "lo"),
        {"comment": "Claims in a claim group: each claim belongs to at most one group."},
    )

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True, comment="The claim (claims.id)."
    )
    # (indexed first in ix_claim_group_members_group_value)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("claim_groups.id", ondelete="CASCADE"), comment="The group (claim_groups.id)."
    )
    metric_score: Mapped[float | None] = mapped_column(
        Float, comment="rapidfuzz score (0-100) of the claim's metric against the group's metric."
    )
    # The claim's interval as judging reads it, so a new claim finds the members it
    # conflicts with by an indexed query (NULL: not recorded; a NULL bound is unbounded).
    article_id: Mapped[int | None] = mapped_column(Integer, comment="The claim's article (articles.id).")
    value: Mapped[float | None] = mapped_column(Float, comment="The claim's value in base units.")
    lo: Mapped[float | None] = mapped_column(
        Float, comment="Low end of the interval the figure allows (tracker.link.interval); NULL = none."
    )
    hi: Mapped[float | None] = mapped_column(
        Float, comment="High end of the interval the figure allows; NULL = none."
    )
    in_conflict: Mapped[bool | None] = mapped_column(
        Boolean, comment="True if the claim conflicts with another claim of its group."
    )


# A group's highest figures, the first of equal ones by id (tracker.link._ends and the
# "above" partner query). Read backwards, (group_id, value) gives equal values last id
# first, so the query sorted every member sharing the top value: in the 1M-article bench
# database 0.87 ms a group, against 0.05 ms for the lowest (_ends: 18% of the ingest writer).
Index(
    "ix_claim_group_members_group_high",
    ClaimGroupMember.group_id,
    ClaimGroupMember.value.desc(),
    ClaimGroupMember.claim_id,
)


class Flag(Base):
    __tablename__ = "flags"
    __table_args__ = (
        Index("ix_flags_status_severity", "status", "severity"),
        {"comment": "The editor's queue: a group of figures that cannot all be true."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_groups.id", ondelete="SET NULL"),
        unique=True,
        comment="The claim group judged a conflict (claim_groups.id); NULL once the group is gone.",
    )
    status: Mapped[str] = mapped_column(
        String(12), default="open", comment="open | confirmed (a real inconsistency) | dismissed (not one)."
    )
    metric: Mapped[str] = mapped_column(Text, comment="Metric of the group, for filtering.")
    period: Mapped[str | None] = mapped_column(String(40), comment="Period label of the group.")
    severity: Mapped[float] = mapped_column(
        Float, comment="Relative gap between the furthest conflicting values: |a-b| / max(|a|,|b|)."
    )
    explanation: Mapped[str] = mapped_column(Text, comment="Short readable account of the conflict.")
    evidence: Mapped[str] = mapped_column(
        String(64), comment="SHA-256 of the claims and intervals judged; a change reopens a decided flag."
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When the conflict was first flagged (UTC)."
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When linking last changed the flag (UTC)."
    )

    claims: Mapped[list[FlagClaim]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    reviews: Mapped[list[FlagReview]] = relationship(order_by="FlagReview.id", passive_deletes=True)


class FlagClaim(Base):
    __tablename__ = "flag_claims"
    __table_args__ = {"comment": "The figures a flag sets side by side."}

    flag_id: Mapped[int] = mapped_column(
        ForeignKey("flags.id", ondelete="CASCADE"), primary_key=True, comment="The flag (flags.id)."
    )
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
        comment="A claim in the flagged group (claims.id).",
    )
    in_conflict: Mapped[bool] = mapped_column(
        Boolean, default=True, comment="True if this figure conflicts with another one of the flag."
    )


class FlagReview(Base):
    __tablename__ = "flag_reviews"
    __table_args__ = {"comment": "Audit trail of flag decisions, append-only: editors' and tracker's own."}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        ForeignKey("flags.id", ondelete="CASCADE"), index=True, comment="The flag (flags.id)."
    )
    action: Mapped[str] = mapped_column(
        String(12), comment="confirm | dismiss | reopen (editor) or auto-reopen (new evidence)."
    )
    status_before: Mapped[str] = mapped_column(String(12), comment="Flag status before the decision.")
    status_after: Mapped[str] = mapped_column(String(12), comment="Flag status after the decision.")
    note: Mapped[str | None] = mapped_column(Text, comment="Editor's note, or why tracker reopened it.")
    by: Mapped[str] = mapped_column(
        String(200), comment="Who decided ($USER by default; 'tracker' if automatic)."
    )
    at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When the decision was recorded (UTC)."
    )
    evidence: Mapped[str | None] = mapped_column(
        String(64), comment="The flag's evidence hash when the decision was taken."
    )
