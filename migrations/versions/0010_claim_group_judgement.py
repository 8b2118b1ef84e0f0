"""claim groups: the judgement kept up to date, and an evidence hash that adds up

Linking judged a group by reading every claim in it each time one joined, so its cost per
new claim grew with the group: a much-reported figure gathers a claim from most articles
about its subject (the benchmark corpus: 90 claims a group at 100k articles, about 900 at
1M). Members now record their interval (``article_id``, ``value``, ``lo``, ``hi``,
``in_conflict``) and groups their judgement (``conflicting``, ``severity``, ``worst_a``,
``worst_b``, ``evidence``), and a new claim is judged by indexed queries for the members
it could conflict with (tracker.link._judge_added).

Existing groups keep NULL here: the first time a claim joins one, linking judges it from
all its claims as before and records the result, so no interval logic is copied into
this migration.

The evidence hash changes from a SHA-256 of the sorted claims to the sum of each claim's
SHA-256 modulo 2**256, which a new claim updates without reading the others. Flags' (and
their decisions') hashes are recomputed here from the claims each flag holds, so editors'
decisions stand: a rebuild compares hashes to decide whether the evidence changed. The
formula is copied, not imported, as a migration must keep doing what it did.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 14:05:00.000000
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _part(cid, value, low, high, unit, hedge) -> int:  # type: ignore[no-untyped-def]
    text = f"{cid}:{value!r}:{low!r}:{high!r}:{unit}:{hedge}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def _rehash_flags() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT fc.flag_id, c.id, c.value, c.low, c.high, c.unit, c.hedge "
            "FROM flag_claims fc JOIN claims c ON c.id = fc.claim_id ORDER BY fc.flag_id"
        )
    )
    total: dict[int, int] = defaultdict(int)
    for fid, *claim in rows:
        total[fid] += _part(*claim)
    olds = dict(conn.execute(sa.text("SELECT id, evidence FROM flags")).all())
    for fid, s in total.items():
        new = f"{s % (1 << 256):064x}"
        conn.execute(sa.text("UPDATE flags SET evidence = :e WHERE id = :i"), {"e": new, "i": fid})
        conn.execute(
            sa.text("UPDATE flag_reviews SET evidence = :e WHERE flag_id = :i AND evidence = :old"),
            {"e": new, "i": fid, "old": olds.get(fid)},
        )


def upgrade() -> None:
    with op.batch_alter_table("claim_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conflicting", sa.Integer(), nullable=True, comment="Claims in conflict with another of the group; NULL = judged from all its claims (a negative figure, or a figure outside its own interval, or linked before this column)."))
        batch_op.add_column(sa.Column("severity", sa.Float(), nullable=True, comment="Relative gap of the most distant conflicting pair (NULL: no conflict)."))
        batch_op.add_column(sa.Column("worst_a", sa.Integer(), nullable=True, comment="Claim id of the most distant conflicting pair's first claim (claims.id)."))
        batch_op.add_column(sa.Column("worst_b", sa.Integer(), nullable=True, comment="Claim id of the most distant conflicting pair's second claim (claims.id)."))
        batch_op.add_column(sa.Column("evidence", sa.String(length=64), nullable=True, comment="Evidence hash over the group's claims (tracker.link.evidence_hash)."))
    with op.batch_alter_table("claim_group_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("article_id", sa.Integer(), nullable=True, comment="The claim's article (articles.id)."))
        batch_op.add_column(sa.Column("value", sa.Float(), nullable=True, comment="The claim's value in base units."))
        batch_op.add_column(sa.Column("lo", sa.Float(), nullable=True, comment="Low end of the interval the figure allows (tracker.link.interval); NULL = none."))
        batch_op.add_column(sa.Column("hi", sa.Float(), nullable=True, comment="High end of the interval the figure allows; NULL = none."))
        batch_op.add_column(sa.Column("in_conflict", sa.Boolean(), nullable=True, comment="True if the claim conflicts with another claim of its group."))
        batch_op.drop_index(batch_op.f("ix_claim_group_members_group_id"))
        batch_op.create_index("ix_claim_group_members_group_value", ["group_id", "value"], unique=False)
        batch_op.create_index("ix_claim_group_members_group_conflict", ["group_id", "in_conflict"], unique=False)
    _rehash_flags()


def downgrade() -> None:
    # The flags keep the new hashes: the next rebuild at the older revision finds the
    # evidence "changed" and reopens reviewed flags (recorded in flag_reviews, nothing lost).
    with op.batch_alter_table("claim_group_members", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_claim_group_members_group_conflict")
        batch_op.drop_index("ix_claim_group_members_group_value")
        batch_op.create_index(batch_op.f("ix_claim_group_members_group_id"), ["group_id"], unique=False)
        batch_op.drop_column("in_conflict")
        batch_op.drop_column("hi")
        batch_op.drop_column("lo")
        batch_op.drop_column("value")
        batch_op.drop_column("article_id")
    with op.batch_alter_table("claim_groups", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("evidence")
        batch_op.drop_column("worst_b")
        batch_op.drop_column("worst_a")
        batch_op.drop_column("severity")
        batch_op.drop_column("conflicting")
