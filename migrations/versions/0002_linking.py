"""linking: quote groups, claim groups, conflict flags and their review audit trail

Tables for tracker/link.py. Only new tables: existing ones are untouched, so the
downgrade simply drops them (dependents first).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:47:42.187193
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claim_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('block', sa.BigInteger(), nullable=False, comment='63-bit hash of (unit, entities, period, is_target): the blocking key.'),
    sa.Column('metric', sa.Text(), nullable=False, comment='Metric of the first claim; others match it fuzzily.'),
    sa.Column('unit', sa.String(length=20), nullable=True, comment='Canonical unit shared by the claims.'),
    sa.Column('entities', sa.Text(), nullable=True, comment="Normalised entities ('china; russia')."),
    sa.Column('period', sa.String(length=40), nullable=True, comment='Period label shared by the claims.'),
    sa.Column('period_start', sa.Date(), nullable=True, comment='First day of the period.'),
    sa.Column('period_end', sa.Date(), nullable=True, comment='Last day of the period.'),
    sa.Column('is_target', sa.Boolean(), nullable=False, comment='Targets/forecasts vs actuals.'),
    sa.Column('size', sa.Integer(), nullable=False, comment='Number of claims in the group.'),
    sa.Column('verdict', sa.String(length=12), nullable=False, comment="single | consistent | conflict (from the claims' intervals)."),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_groups')),
    comment='Figures about the same metric, entities and period (and target vs actual) across articles.'
    )
    with op.batch_alter_table('claim_groups', schema=None) as batch_op:
        batch_op.create_index('ix_claim_groups_block', ['block'], unique=False)

    op.create_table('link_keys',
    sa.Column('kind', sa.String(length=1), nullable=False, comment='q = quote (quotes.id in item_id).'),
    sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False, comment='63-bit hash of a winnowed content-word bigram (see tracker/link.py).'),
    sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False, comment='The keyed item (quotes.id for kind q).'),
    sa.PrimaryKeyConstraint('kind', 'key', 'item_id', name=op.f('pk_link_keys')),
    comment='Blocking keys for incremental linking: hashed rare-word shingles of quotes. Linking compares only items that share a key, never all pairs.'
    )
    with op.batch_alter_table('link_keys', schema=None) as batch_op:
        batch_op.create_index('ix_link_keys_item', ['kind', 'item_id'], unique=False)

    op.create_table('flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True, comment='The claim group judged a conflict (claim_groups.id); NULL once the group is gone.'),
    sa.Column('status', sa.String(length=12), nullable=False, comment='open | confirmed (a real inconsistency) | dismissed (not one).'),
    sa.Column('metric', sa.Text(), nullable=False, comment='Metric of the group, for filtering.'),
    sa.Column('period', sa.String(length=40), nullable=True, comment='Period label of the group.'),
    sa.Column('severity', sa.Float(), nullable=False, comment='Relative gap between the furthest conflicting values: |a-b| / max(|a|,|b|).'),
    sa.Column('explanation', sa.Text(), nullable=False, comment='Short readable account of the conflict.'),
    sa.Column('evidence', sa.String(length=64), nullable=False, comment='SHA-256 of the claims and intervals judged; a change reopens a decided flag.'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When the conflict was first flagged (UTC).'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='When linking last changed the flag (UTC).'),
    sa.ForeignKeyConstraint(['group_id'], ['claim_groups.id'], name=op.f('fk_flags_group_id_claim_groups'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags')),
    sa.UniqueConstraint('group_id', name=op.f('uq_flags_group_id')),
    comment="The editor's queue: a group of figures that cannot all be true."
    )
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.create_index('ix_flags_status_severity', ['status', 'severity'], unique=False)

    op.create_table('flag_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False, comment='The flag (flags.id).'),
    sa.Column('action', sa.String(length=12), nullable=False, comment='confirm | dismiss | reopen (editor) or auto-reopen (new evidence).'),
    sa.Column('status_before', sa.String(length=12), nullable=False, comment='Flag status before the decision.'),
    sa.Column('status_after', sa.String(length=12), nullable=False, comment='Flag status after the decision.'),
    sa.Column('note', sa.Text(), nullable=True, comment="Editor's note, or why tracker reopened it."),
    sa.Column('by', sa.String(length=200), nullable=False, comment="Who decided ($USER by default; 'tracker' if automatic)."),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False, comment='When the decision was recorded (UTC).'),
    sa.Column('evidence', sa.String(length=64), nullable=True, comment="The flag's evidence hash when the decision was taken."),
    sa.ForeignKeyConstraint(['flag_id'], ['flags.id'], name=op.f('fk_flag_reviews_flag_id_flags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag_reviews')),
    comment="Audit trail of flag decisions, append-only: editors' and tracker's own."
    )
    with op.batch_alter_table('flag_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flag_reviews_flag_id'), ['flag_id'], unique=False)

    op.create_table('quote_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=True, comment='Representative appearance (quotes.id): the longest, earliest wording.'),
    sa.Column('person_id', sa.Integer(), nullable=True, comment='Speaker (people.id) most appearances name; NULL = unknown.'),
    sa.Column('size', sa.Integer(), nullable=False, comment='Number of appearances (members).'),
    sa.Column('first_published', sa.Date(), nullable=True, comment='Publication date of the earliest appearance.'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='When linking last changed the group (UTC).'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_quote_groups_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_groups_quote_id_quotes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_groups')),
    comment='One distinct quotation, repeated across articles and outlets.'
    )
    with op.batch_alter_table('quote_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_groups_person_id'), ['person_id'], unique=False)

    op.create_table('claim_group_members',
    sa.Column('claim_id', sa.Integer(), nullable=False, comment='The claim (claims.id).'),
    sa.Column('group_id', sa.Integer(), nullable=False, comment='The group (claim_groups.id).'),
    sa.Column('metric_score', sa.Float(), nullable=True, comment="rapidfuzz score (0-100) of the claim's metric against the group's metric."),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_group_members_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['claim_groups.id'], name=op.f('fk_claim_group_members_group_id_claim_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('claim_id', name=op.f('pk_claim_group_members')),
    comment='Claims in a claim group: each claim belongs to at most one group.'
    )
    with op.batch_alter_table('claim_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_group_members_group_id'), ['group_id'], unique=False)

    op.create_table('flag_claims',
    sa.Column('flag_id', sa.Integer(), nullable=False, comment='The flag (flags.id).'),
    sa.Column('claim_id', sa.Integer(), nullable=False, comment='A claim in the flagged group (claims.id).'),
    sa.Column('in_conflict', sa.Boolean(), nullable=False, comment='True if this figure conflicts with another one of the flag.'),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_flag_claims_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flag_id'], ['flags.id'], name=op.f('fk_flag_claims_flag_id_flags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('flag_id', 'claim_id', name=op.f('pk_flag_claims')),
    comment='The figures a flag sets side by side.'
    )
    with op.batch_alter_table('flag_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flag_claims_claim_id'), ['claim_id'], unique=False)

    op.create_table('quote_group_members',
    sa.Column('quote_id', sa.Integer(), nullable=False, comment='The appearance (quotes.id).'),
    sa.Column('group_id', sa.Integer(), nullable=False, comment='The group (quote_groups.id).'),
    sa.Column('matched_quote_id', sa.Integer(), nullable=True, comment='The earlier appearance it was linked through (quotes.id); NULL for the first.'),
    sa.Column('score', sa.Float(), nullable=True, comment='rapidfuzz score (0-100) of the link to matched_quote_id.'),
    sa.Column('relation', sa.String(length=10), nullable=False, comment='first | verbatim | variant | fragment (how it matched).'),
    sa.ForeignKeyConstraint(['group_id'], ['quote_groups.id'], name=op.f('fk_quote_group_members_group_id_quote_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_group_members_quote_id_quotes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quote_id', name=op.f('pk_quote_group_members')),
    comment='Appearances of a distinct quotation: each quote belongs to one group.'
    )
    with op.batch_alter_table('quote_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_group_members_group_id'), ['group_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quote_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_group_members_group_id'))

    op.drop_table('quote_group_members')
    with op.batch_alter_table('flag_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_claims_claim_id'))

    op.drop_table('flag_claims')
    with op.batch_alter_table('claim_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_group_members_group_id'))

    op.drop_table('claim_group_members')
    with op.batch_alter_table('quote_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_groups_person_id'))

    op.drop_table('quote_groups')
    with op.batch_alter_table('flag_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_reviews_flag_id'))

    op.drop_table('flag_reviews')
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index('ix_flags_status_severity')

    op.drop_table('flags')
    with op.batch_alter_table('link_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_link_keys_item')

    op.drop_table('link_keys')
    with op.batch_alter_table('claim_groups', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_groups_block')

    op.drop_table('claim_groups')
